"""Assessment lists as ledger-style tables for taizhang.exports (xlsx/CSV)."""

from __future__ import annotations

from decimal import Decimal

from taizhang.assessment.service import Result
from taizhang.core.models import Division
from taizhang.core.scope import Scope
from taizhang.exports.render import Column, Table

SCORE_COLUMNS = [
    Column("分组", "text", 12),
    Column("名次", "int", 6),
    Column("名称", "text", 24),
    Column("总分", "number", 9),
    Column("名次变化", "int", 9),
    Column("榜单", "text", 8),
    Column("得分明细", "text", 70),
]


def _lines(card: dict) -> str:
    parts = []
    for ln in card.get("lines", []):
        parts.append(f"{ln['name']}{ln['points']}分")
    return "；".join(parts)


def scores_table(scope: Scope, result: Result) -> Table:
    rows = [
        [
            r.group,
            r.position,
            r.name,
            Decimal(str(r.total)),
            r.movement,
            r.board,
            _lines(r.card),
        ]
        for r in result.rows
    ]
    state = "（已发布）" if result.published else "（实时计算，未发布）"
    notes = []
    if result.scheme is not None:
        notes.append(
            f"注：考评方案为{result.scheme}；名次变化为与上一已发布期间相比上升(+)或下降(−)的名次。"
        )
    return Table(
        title=f"{result.district.name}{result.period.label}考评得分排名{state}",
        columns=SCORE_COLUMNS,
        rows=rows,
        unit_name=scope.filler_name,
        as_of=result.cutoff,
        notes=notes,
        sheet_name="考评排名",
    )


def adjustments_table(scope: Scope, district: Division, year: int, rows: list) -> Table:
    return Table(
        title=f"{district.name}{year}年考评加减分登记表",
        columns=[
            Column("日期", "date", 12),
            Column("对象", "text", 24),
            Column("分值", "number", 8),
            Column("理由", "text", 50),
            Column("登记人", "text", 12),
        ],
        rows=[
            [
                a.on,
                a.target_name,
                a.points,
                a.reason,
                (a.created_by.get_full_name() or a.created_by.username) if a.created_by else "",
            ]
            for a in rows
        ],
        unit_name=scope.filler_name,
        as_of=None,
        sheet_name="加减分",
    )
