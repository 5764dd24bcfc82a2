"""创文 ledgers as tables for the one export renderer (taizhang/exports)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from taizhang.civility.models import Point
from taizhang.core.scope import Scope
from taizhang.exports.render import Column, Table
from taizhang.exports.rows import each
from taizhang.matters.models import Matter

LIGHTS = {"red": "红灯", "yellow": "黄灯", "green": "绿灯", None: ""}


def point_table(scope: Scope, points: Iterable[Point], today: dt.date) -> Table:
    return Table(
        title="创文测评点位台账",
        columns=[
            Column("点位名称", "text", 24),
            Column("点位类型", "text", 12),
            Column("所属区划", "text", 14),
            Column("责任单位", "text", 20),
            Column("包保领导", "text", 10),
            Column("分包层级", "text", 18),
            Column("位置", "text", 30),
            Column("检查次数", "number", 8),
            Column("发现问题", "number", 8),
        ],
        rows=(
            [
                p.name,
                p.get_type_display(),
                p.division.name,
                p.unit.name,
                p.leader.name if p.leader_id else "",
                p.get_leader_level_display(),
                p.position,
                p.n_inspections,
                p.n_failures,
            ]
            for p in each(points)
        ),
        unit_name=scope.filler_name,
        as_of=today,
        sheet_name="测评点位",
    )


def rectification_table(scope: Scope, rows: Iterable[Matter], today: dt.date) -> Table:
    return Table(
        title="创文问题整改台账",
        columns=[
            Column("编号", "text", 14),
            Column("点位", "text", 20),
            Column("问题", "text", 36),
            Column("测评标准", "text", 36),
            Column("检查日期", "date", 12),
            Column("责任单位", "text", 18),
            Column("整改时限", "date", 12),
            Column("整改报送", "date", 12),
            Column("状态", "text", 10),
            Column("亮灯", "text", 6),
            Column("逾期工作日", "number", 8),
        ],
        rows=(
            [
                m.number,
                m.civility_failure.inspection.point.name,
                m.civility_failure.note,
                m.civility_failure.standard.text,
                m.raised_on,
                m.lead_unit.name if m.lead_unit_id else "",
                m.deadline,
                m.finished_on,
                m.get_status_display(),
                LIGHTS.get(m.light, ""),
                m.late_workdays,
            ]
            for m in each(rows)
        ),
        unit_name=scope.filler_name,
        as_of=today,
        notes=["注：整改时限按测评标准的整改工作日数（默认3个工作日）自交办（检查）之日起算。"],
        sheet_name="创文整改",
    )
