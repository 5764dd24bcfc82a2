"""The built-in ledger measures: projects, enterprise problems, enterprises and visits.

Each value comes from the figure function of the app that owns the data (the same one the
dashboard shows), so a measure never counts differently from the page beside it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

from django.db.models import Sum

from taizhang.lib.numbers import rate, wan_to_yi
from taizhang.lib.periods import month_end
from taizhang.matters.figures import (
    compute,
    liaison_figures,
    problem_rows,
    problems_in,
    visit_counts,
)
from taizhang.measures.figures import ledger_scope
from taizhang.measures.registry import Context, Param, register_measure
from taizhang.projects.figures import flow_between, listed
from taizhang.projects.models import LEVEL_PARAM, MonthlyReport, Stage
from taizhang.tasks.queries import answer_figures

LEVEL = Param(
    "level",
    "项目级别",
    (("省", "省重点"), ("市", "市重点"), ("区", "区重点"), ("省市", "省市重点")),
)
# 亿元以上项目: total investment at least the threshold (万元).
THRESHOLD = Param(
    "min_investment_wan", "投资规模", (("10000", "亿元以上"), ("100000", "10亿元以上"))
)
PROBLEM_UNITS = ("个", "件", "条", "项")


def _levels(ctx: Context) -> list[str] | None:
    raw = ctx.params.get("level")
    return [str(v) for v in LEVEL_PARAM[raw]] if raw else None


def _threshold(ctx: Context) -> Decimal | None:
    raw = ctx.params.get("min_investment_wan")
    return Decimal(raw) if raw else None


def _flow(stage: str, money: bool) -> Callable[[Context], Decimal]:
    def value(ctx: Context) -> Decimal:
        n, total = flow_between(
            ledger_scope(ctx.division),
            ctx.division,
            ctx.start,
            ctx.as_of,
            stage,
            _levels(ctx),
            year=ctx.as_of.year,
            min_investment_wan=_threshold(ctx),
        )
        return wan_to_yi(total) if money else Decimal(n)

    return value


def reported_month(as_of: dt.date) -> int:
    """Months of the year whose monthly reports count on ``as_of``: only months that have ended
    (a report for August is complete on 31 August, not on the 15th)."""
    return as_of.month if as_of == month_end(as_of.year, as_of.month) else as_of.month - 1


def _investment(ctx: Context) -> tuple[Decimal, Decimal]:
    """(completed 万元 through the last ended month, annual plan 万元) of the listed projects."""
    rows = listed(ledger_scope(ctx.division), ctx.division, ctx.as_of.year, _levels(ctx))
    plan = rows.aggregate(s=Sum("annual_plan"))["s"] or Decimal(0)
    done = MonthlyReport.objects.filter(
        project_id__in=rows.values("project_id"),
        year=ctx.as_of.year,
        month__lte=reported_month(ctx.as_of),
    ).aggregate(s=Sum("amount"))["s"] or Decimal(0)
    # SQLite sums decimals as floats; amounts are kept to the cent.
    return Decimal(done).quantize(Decimal("0.01")), Decimal(plan).quantize(Decimal("0.01"))


def _listed_count(ctx: Context) -> Decimal:
    return Decimal(
        listed(ledger_scope(ctx.division), ctx.division, ctx.as_of.year, _levels(ctx)).count()
    )


def _listed_total(ctx: Context) -> Decimal:
    rows = listed(ledger_scope(ctx.division), ctx.division, ctx.as_of.year, _levels(ctx))
    return wan_to_yi(rows.aggregate(s=Sum("project__total_investment"))["s"] or 0)


def _problems(key: str) -> Callable[[Context], Decimal | None]:
    def value(ctx: Context) -> Decimal | None:
        qs = problems_in(ledger_scope(ctx.division), ctx.division, ctx.start, ctx.as_of)
        got = compute(problem_rows(qs, ctx.as_of), ctx.as_of)[key]
        return None if got is None else Decimal(got)

    return value


def _liaison(key: str) -> Callable[[Context], Decimal | None]:
    def value(ctx: Context) -> Decimal | None:
        got = liaison_figures(ledger_scope(ctx.division), ctx.division, ctx.as_of)[key]
        return None if got is None else Decimal(got)

    return value


def _visits(key: str) -> Callable[[Context], Decimal]:
    def value(ctx: Context) -> Decimal:
        got = visit_counts(ledger_scope(ctx.division), ctx.division, ctx.start, ctx.as_of)
        return Decimal(got[key] or 0)

    return value


def _answers(kind: str, key: str) -> Callable[[Context], Decimal | None]:
    def value(ctx: Context) -> Decimal | None:
        figs = answer_figures(ledger_scope(ctx.division), ctx.division, ctx.as_of.year, ctx.as_of)
        got = next(f for f in figs if f["kind"] == kind)[key]
        return None if got is None else Decimal(got)

    return value


def register_all() -> None:
    project_params = (LEVEL, THRESHOLD)
    for stage, verb in ((Stage.SIGNED, "签约"), (Stage.LANDED, "落地"), (Stage.STARTED, "开工")):
        register_measure(
            f"projects.{stage}_count",
            f"新{verb}项目数",
            unit="个",
            accepts=("个", "项"),
            synonyms=(f"新{verb}项目", f"{verb}项目", f"新{verb}"),
            params=project_params,
            formula=f"期内项目阶段变更为“{verb}”的项目个数（项目库阶段变更记录）",
            value=_flow(stage, money=False),
        )
        register_measure(
            f"projects.{stage}_investment",
            f"新{verb}项目总投资",
            unit="亿元",
            accepts=tuple(["亿元", "万元"]),
            synonyms=(
                f"新{verb}项目总投资",
                f"{verb}项目总投资",
                f"{verb}总投资",
                f"新{verb}项目投资",
            ),
            params=project_params,
            formula=f"期内新{verb}项目的总投资之和（万元 ÷ 10000 = 亿元）",
            value=_flow(stage, money=True),
        )
    register_measure(
        "projects.listed_count",
        "重点项目数",
        unit="个",
        accepts=("个", "项"),
        synonyms=("重点项目",),
        params=(LEVEL,),
        stock=True,
        formula="截止日所在年度列入重点项目清单的项目个数",
        value=_listed_count,
    )
    register_measure(
        "projects.listed_investment",
        "重点项目总投资",
        unit="亿元",
        accepts=("亿元", "万元"),
        synonyms=("重点项目总投资",),
        params=(LEVEL,),
        stock=True,
        formula="截止日所在年度重点项目清单中项目的总投资之和",
        value=_listed_total,
    )
    register_measure(
        "projects.completed_investment",
        "重点项目完成投资",
        unit="亿元",
        accepts=("亿元", "万元"),
        synonyms=("完成投资", "重点项目完成投资", "累计完成投资"),
        params=(LEVEL,),
        formula="重点项目截止日前已结束各月的月报完成投资之和（万元 ÷ 10000 = 亿元）",
        value=lambda ctx: wan_to_yi(_investment(ctx)[0]),
    )
    register_measure(
        "projects.annual_plan",
        "重点项目年度投资计划",
        unit="亿元",
        accepts=("亿元", "万元"),
        synonyms=("年度计划完成投资", "年度投资计划", "年度计划投资", "计划完成投资"),
        params=(LEVEL,),
        stock=True,
        formula="截止日所在年度重点项目清单中各项目年度计划投资之和",
        value=lambda ctx: wan_to_yi(_investment(ctx)[1]),
    )
    register_measure(
        "projects.completion_rate",
        "重点项目投资完成率",
        unit="%",
        synonyms=("占年度投资计划", "投资完成率", "年度投资计划完成率", "完成年度计划"),
        params=(LEVEL,),
        formula="投资完成率 = 累计完成投资 ÷ 年度投资计划",
        value=lambda ctx: rate(*_investment(ctx)),
    )
    problems = (
        ("raised", "企业问题提出数", ("问题", "搜集问题", "收集问题", "反映问题", "梳理问题")),
        ("resolved", "企业问题解决数", ("解决", "已解决", "解决问题", "办结问题")),
    )
    for key, name, words in problems:
        register_measure(
            f"problems.{key}",
            name,
            unit="个",
            accepts=PROBLEM_UNITS,
            synonyms=words,
            formula=(
                "期内提出的企业问题数"
                if key == "raised"
                else "期内提出、截止日已销号（解决）的企业问题数"
            ),
            value=_problems(key),
        )
    rates = (
        ("resolution_rate", "resolution_pct", "问题解决率", ("解决率", "问题解决率", "办结率")),
        ("on_time_rate", "on_time_pct", "问题按时办结率", ("按时办结率", "按期办结率")),
        ("satisfaction_rate", "satisfaction_pct", "企业满意率", ("满意率", "企业满意度")),
    )
    from taizhang.matters.figures import FORMULAS

    formulas = {
        "resolution_rate": FORMULAS["resolution"],
        "on_time_rate": FORMULAS["on_time"],
        "satisfaction_rate": FORMULAS["satisfaction"],
    }
    for code, key, name, words in rates:
        register_measure(
            f"problems.{code}",
            name,
            unit="%",
            synonyms=words,
            formula=formulas[code] + "（期内提出的问题，截止日的状态）",
            value=_problems(key),
        )
    register_measure(
        "enterprises.count",
        "辖区企业数",
        unit="家",
        accepts=("家", "个"),
        synonyms=("辖区企业", "企业总数"),
        stock=True,
        formula="台账中本区划的企业数",
        value=_liaison("enterprises"),
    )
    register_measure(
        "enterprises.sishang_count",
        "四上企业数",
        unit="家",
        accepts=("家", "个"),
        synonyms=("四上企业",),
        stock=True,
        formula="台账中有四上类别的企业数",
        value=_liaison("sishang"),
    )
    register_measure(
        "enterprises.under_liaison",
        "包联企业数",
        unit="家",
        accepts=("家", "个"),
        synonyms=("包联企业", "包联服务企业"),
        stock=True,
        formula="截止日有在岗包联人的企业数",
        value=_liaison("enterprises_under_liaison"),
    )
    register_measure(
        "enterprises.visit_coverage",
        "四上企业包联覆盖率",
        unit="%",
        synonyms=("包联覆盖率", "四上企业覆盖率", "四上企业包联覆盖率"),
        stock=True,
        formula="四上企业包联覆盖率 = 有包联人的四上企业数 ÷ 四上企业数（截止日）",
        value=_liaison("coverage_pct"),
    )
    register_measure(
        "enterprises.service_officers",
        "服务专员数",
        unit="名",
        accepts=("名", "人", "个"),
        synonyms=("服务专员", "首席服务官", "助企干部", "包联干部"),
        stock=True,
        formula="截止日在岗的包联干部、服务专员人数（按人计，不重复）",
        value=_liaison("service_officers"),
    )
    for key, name, words in (
        ("visits", "走访企业次数", ("走访企业", "走访")),
        ("forums", "企业座谈会次数", ("座谈会",)),
        ("service_days", "企业服务日次数", ("服务日",)),
    ):
        register_measure(
            f"visits.{'count' if key == 'visits' else key}",
            name,
            unit="次",
            accepts=("次", "场"),
            synonyms=words,
            formula=f"期内登记的{name[:-2]}记录数",
            value=_visits(key),
        )
    for kind, word, short in (
        ("suggestion", "人大代表建议", "建议"),
        ("proposal", "政协提案", "提案"),
    ):
        register_measure(
            f"tasks.{kind}_count",
            f"{word}件数",
            unit="件",
            accepts=("件", "条", "个"),
            synonyms=(word, f"代表{short}" if kind == "suggestion" else "委员提案"),
            stock=True,
            formula=f"截止日所在年度登记的{word}件数",
            value=_answers(kind, "total"),
        )
        register_measure(
            f"tasks.{kind}_finish_rate",
            f"{word}办结率",
            unit="%",
            synonyms=(f"{short}办结率", f"{word}办结率"),
            stock=True,
            formula=f"{word}办结率 = 已办结件数 ÷ 年度件数（截止日的状态）",
            value=_answers(kind, "finish_rate_pct"),
        )
