from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from django.db.models import QuerySet

from taizhang.core.scope import Scope
from taizhang.exports.render import Column, Table
from taizhang.exports.rows import Labels, batches
from taizhang.projects.models import Project
from taizhang.projects.queries import ProjectFilter, filter_projects, lit, statuses_of

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


def project_rows(qs: QuerySet[Project], f: ProjectFilter, today: dt.date) -> Iterator[list]:
    """The ledger's rows, read chunk by chunk: each chunk's plan, completion and light with
    its reasons come from :func:`statuses_of` in three queries for the whole chunk."""
    label = Labels()
    for batch in batches(qs):
        statuses = statuses_of(batch, f, today)
        for p in batch:
            s = statuses[p.pk]
            yield [
                p.code,
                p.name,
                p.division.name,
                p.responsible_unit.name,
                p.liaison_leader.name if p.liaison_leader else "",
                p.industry_chain.name if p.industry_chain else "",
                label(p, "stage"),
                p.total_investment,
                s.plan,
                s.completed,
                s.rate,
                s.light.light.label,
                s.light.reason,
            ]


def project_table(scope: Scope, f: ProjectFilter, today: dt.date) -> Table:
    """The list's rows with the same filters, lights and sort (``lit``), as a printable ledger."""
    return Table(
        title=f"{today.year}年重点项目推进台账",
        columns=COLUMNS,
        rows=project_rows(lit(filter_projects(scope, f), f, today), f, today),
        unit_name=scope.filler_name,
        as_of=today,
        notes=["注：金额单位为万元；完成率 = 本年累计完成投资 ÷ 本年年度投资计划。"],
        sheet_name="重点项目",
    )
