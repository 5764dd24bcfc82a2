"""The 专项债 ledger and the stationed-officer roster as tables for the one export renderer."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator

from taizhang.core.scope import Scope
from taizhang.exports.render import Column, Table
from taizhang.exports.rows import each
from taizhang.projects.bond_figures import BondFigures
from taizhang.projects.bonds import BondProject

BOND_COLUMNS = [
    Column("年度", "int", 6),
    Column("项目编号", "text", 12),
    Column("项目名称", "text", 30),
    Column("所属区划", "text", 14),
    Column("责任单位", "text", 18),
    Column("专项债领域", "text", 16),
    Column("包装状态", "text", 8),
    Column("总投资（万元）", "money", 14),
    Column("拟申请（万元）", "money", 14),
    Column("获批（万元）", "money", 14),
    Column("发行（万元）", "money", 14),
    Column("到位（万元）", "money", 14),
    Column("备注", "text", 20),
]


def bond_rows(bonds: Iterable[BondProject], fig: BondFigures) -> Iterator[list]:
    """The bonds one by one (a QuerySet read in chunks), then the 合计 row of the figures."""
    for b in each(bonds):
        yield [
            b.year,
            b.project.code,
            b.project.name,
            b.project.division.name,
            b.project.responsible_unit.name,
            b.get_field_display(),
            b.get_status_display(),
            b.project.total_investment,
            b.applied,
            b.approved,
            b.issued,
            b.received,
            b.note,
        ]
    yield [
        "合计",
        "",
        f"{fig.bond_projects}个项目",
        "",
        "",
        "",
        "",
        fig.total_investment_wan,
        fig.bond_applied_wan,
        fig.bond_approved_wan,
        fig.bond_issued_wan,
        fig.bond_received_wan,
        "",
    ]


def bond_table(
    scope: Scope, bonds: Iterable[BondProject], fig: BondFigures, today: dt.date
) -> Table:
    return Table(
        title=f"{fig.year or ''}{'年' if fig.year else ''}专项债项目台账",
        columns=BOND_COLUMNS,
        rows=bond_rows(bonds, fig),
        unit_name=scope.filler_name,
        as_of=today,
        notes=["注：金额单位为万元；获批 ≤ 拟申请，发行 ≤ 获批，到位 ≤ 发行。"],
        sheet_name="专项债项目",
    )
