from __future__ import annotations

import datetime as dt

from taizhang.core.scope import Scope
from taizhang.exports.render import Column, Table
from taizhang.projects.figures import ProjectStatus
from taizhang.projects.models import Project

COLUMNS = [
    Column("项目编号", "text", 12),
    Column("项目名称", "text", 34),
    Column("所属区划", "text", 14),
    Column("责任单位", "text", 18),
    Column("包联领导", "text", 10),
    Column("产业链", "text", 12),
    Column("项目阶段", "text", 8),
    Column("总投资（万元）", "money", 14),
    Column("本年计划（万元）", "money", 14),
    Column("本年完成（万元）", "money", 14),
    Column("完成率", "rate", 9),
    Column("亮灯", "text", 6),
    Column("亮灯原因", "text", 30),
]


def project_table(
    scope: Scope, projects: list[Project], statuses: dict[int, ProjectStatus], today: dt.date
) -> Table:
    rows = []
    for p in projects:
        s = statuses[p.pk]
        rows.append(
            [
                p.code,
                p.name,
                p.division.name,
                p.responsible_unit.name,
                p.liaison_leader.name if p.liaison_leader else "",
                p.industry_chain.name if p.industry_chain else "",
                p.get_stage_display(),
                p.total_investment,
                s.plan,
                s.completed,
                s.rate,
                s.light.light.label,
                s.light.reason,
            ]
        )
    return Table(
        title=f"{today.year}年重点项目推进台账",
        columns=COLUMNS,
        rows=rows,
        unit_name=scope.filler_name,
        as_of=today,
        notes=["注：金额单位为万元；完成率 = 本年累计完成投资 ÷ 本年年度投资计划。"],
        sheet_name="重点项目",
    )
