"""信访 figures as ledger measures (targets, fact-check: taizhang.measures.registry).

The figures are counted within a calendar year, as the office reports them; a window that
crosses a year boundary has no value (the fact-check lists the figure as not checked).
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from taizhang.measures.figures import ledger_scope
from taizhang.measures.registry import Context, register_measure
from taizhang.petitions.figures import petition_figures


def _petitions(key: str) -> Callable[[Context], Decimal | None]:
    def value(ctx: Context) -> Decimal | None:
        if ctx.start.year != ctx.as_of.year:
            return None
        f = petition_figures(
            ledger_scope(ctx.division), ctx.division, ctx.as_of.year, ctx.as_of, ctx.start
        )
        got = getattr(f, key)
        return None if got is None else Decimal(got)

    return value


def register() -> None:
    register_measure(
        "petitions.accepted",
        "受理信访件数",
        unit="件",
        accepts=("件", "起", "个", "次"),
        synonyms=("受理信访件", "受理信访", "信访件", "受理群众来信来访"),
        requires=("信访", "来信", "来访"),
        formula="期内受理的信访件数（不含不予受理）",
        value=_petitions("petitions_accepted"),
    )
    register_measure(
        "petitions.people_received",
        "接待来访群众人次",
        unit="人次",
        accepts=("人次", "人", "名"),
        synonyms=("接待群众", "接待来访群众", "接待上访群众", "接待信访群众"),
        formula="期内登记的来访件（含集体访）的来访人数之和",
        value=_petitions("people_received"),
    )
    register_measure(
        "petitions.under_leader",
        "领导包案信访件数",
        unit="件",
        accepts=("件", "起", "个"),
        synonyms=("领导包案", "包案"),
        requires=("包案",),
        formula="已确定包案领导、期内仍在办或期内办结的疑难/重点/重复访信访件数",
        value=_petitions("cases_under_leader"),
    )
    register_measure(
        "petitions.difficult_resolved",
        "化解疑难重点信访件数",
        unit="件",
        accepts=("件", "起", "个"),
        synonyms=("化解疑难", "化解信访", "化解重点信访", "化解疑难信访"),
        requires=("化解",),
        formula="期内以「化解办结」办结的疑难/重点/重复访信访件数",
        value=_petitions("difficult_resolved"),
    )
    register_measure(
        "petitions.on_time_rate",
        "信访按期答复率",
        unit="%",
        synonyms=("按期答复率", "信访按期答复率"),
        formula="按期答复数 ÷（答复数 + 截至统计日未答复且已超过办理时限数）",
        value=_petitions("on_time_pct"),
    )
