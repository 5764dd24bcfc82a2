"""政务服务 figures as ledger measures, so a target ("按时办结率100%") binds to them and the
fact-check reads "办件686件，按时办结率100%" against the ledger (taizhang.measures.registry)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from taizhang.measures.figures import ledger_scope
from taizhang.measures.registry import Context, register_measure
from taizhang.services.figures import service_totals


def _service(key: str) -> Callable[[Context], Decimal | None]:
    def value(ctx: Context) -> Decimal | None:
        got = service_totals(ledger_scope(ctx.division), ctx.division, ctx.start, ctx.as_of)[key]
        return None if got is None else Decimal(got)

    return value


def register() -> None:
    register_measure(
        "services.cases",
        "政务服务办件数",
        unit="件",
        accepts=("件", "个", "项"),
        synonyms=("政务服务办件", "办件", "受理办件", "服务事项", "行政许可和服务事项"),
        formula="期内受理的政务服务办件数（按受理日期）",
        value=_service("cases"),
    )
    register_measure(
        "services.on_time_rate",
        "政务服务按时办结率",
        unit="%",
        synonyms=("按时办结率", "办件按时办结率", "按期办结率"),
        formula="按时办结件数 ÷（已办结件数 + 超期未办结件数）× 100%",
        value=_service("on_time_rate_pct"),
    )
    register_measure(
        "services.satisfaction_rate",
        "政务服务群众满意率",
        unit="%",
        synonyms=("群众满意率", "办件满意率", "好评率", "满意度"),
        requires=("满意", "好评"),
        formula="评价为满意的件数 ÷ 已评价件数 × 100%",
        value=_service("satisfaction_rate_pct"),
    )
