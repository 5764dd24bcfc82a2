"""政务服务办件 and 融资需求 ledgers through the one export renderer (taizhang/exports)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from taizhang.core.scope import Scope
from taizhang.exports.render import Column, Table
from taizhang.exports.rows import each
from taizhang.services.cases import STATE_LABELS
from taizhang.services.models import FinancingNeed, ServiceCase

CASE_COLUMNS = [
    Column("办件编号", "text", 16),
    Column("事项名称", "text", 30),
    Column("办理单位", "text", 20),
    Column("受理日期", "date", 12),
    Column("承诺时限（工作日）", "int", 10),
    Column("办结日期", "date", 12),
    Column("已用工作日", "int", 10),
    Column("办理状态", "text", 10),
    Column("评价", "text", 8),
    Column("督办事项", "text", 14),
]
NEED_COLUMNS = [
    Column("企业", "text", 28),
    Column("融资需求（万元）", "money", 14),
    Column("资金用途", "text", 28),
    Column("期限（月）", "int", 8),
    Column("发布日期", "date", 12),
    Column("对接银行", "text", 30),
    Column("意向金额（万元）", "money", 14),
    Column("授信金额（万元）", "money", 14),
    Column("放款金额（万元）", "money", 14),
]


def case_table(scope: Scope, rows: Iterable[ServiceCase], as_of: dt.date) -> Table:
    return Table(
        title="政务服务办件台账",
        columns=CASE_COLUMNS,
        rows=(
            [
                c.number,
                c.item,
                c.unit.name,
                c.accepted_on,
                c.limit_workdays,
                c.finished_on,
                c.used_workdays,
                STATE_LABELS[c.state],
                c.get_evaluation_display(),
                c.matter.number if c.matter_id else "",
            ]
            for c in each(rows)
        ),
        unit_name=scope.filler_name,
        as_of=as_of,
        notes=[
            "注：已用工作日 = 受理日至办结日（未办结的至统计日）之间的工作日数（不含受理日），"
            "超过承诺时限为超期。"
        ],
        sheet_name="政务服务办件",
    )


def need_table(scope: Scope, rows: Iterable[FinancingNeed], as_of: dt.date) -> Table:
    def line(n: FinancingNeed) -> list:
        rs = list(n.responses.all())
        return [
            n.enterprise.name,
            n.amount,
            n.purpose,
            n.term_months,
            n.published_on,
            "、".join(f"{r.bank.name}（{r.get_status_display()}）" for r in rs),
            sum((r.intention_amount or 0 for r in rs if r.status != "failed"), 0) or None,
            sum((r.granted_amount or 0 for r in rs), 0) or None,
            sum((r.loaned_amount or 0 for r in rs), 0) or None,
        ]

    return Table(
        title="银企对接融资需求台账",
        columns=NEED_COLUMNS,
        rows=(line(n) for n in each(rows)),
        unit_name=scope.filler_name,
        as_of=as_of,
        notes=["注：金额单位为万元；意向金额不含已转为“未成”的对接。"],
        sheet_name="融资需求",
    )
