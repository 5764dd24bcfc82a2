"""The charts of the pages, as `taizhang.lib.svgcharts.Chart` values for ``{% chart %}``.

Each chart reads figures a page already computed, or ONE aggregate query through the
scope (never a whole scope loaded into Python).
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Sum

from taizhang.assessment.models import PublishedScore
from taizhang.core.models import Division
from taizhang.core.scope import Scope
from taizhang.lib.numbers import fmt_value, fmt_wan, fmt_yi
from taizhang.lib.svgcharts import Chart, Series
from taizhang.matters.figures import ProblemFigures
from taizhang.projects.figures import listed
from taizhang.projects.models import MonthlyReport
from taizhang.projects.rollup import rolled, sees_whole

# Long unit names overlap under a bar; the table below the chart keeps the full name.
_LABEL_MAX = 6


def short(name: str) -> str:
    return name if len(name) <= _LABEL_MAX else name[: _LABEL_MAX - 1] + "…"


def problem_charts(fig: ProblemFigures) -> list[Chart]:
    """按类别 / 按主办单位 / 按月份 (提出 vs 解决) from the figures already computed."""
    cats = list(fig.by_category.items())
    units = fig.by_unit[:12]
    months = list(fig.by_month.items())
    return [
        Chart(
            "bar",
            f"{fig.year}年问题按类别分布",
            [short(k) for k, _ in cats],
            [Series("问题数", [v for _, v in cats])],
            unit="条",
        ),
        Chart(
            "bar",
            f"{fig.year}年问题按主办单位分布",
            [short(u["unit"]) for u in units],
            [
                Series("交办", [u["assigned"] for u in units]),
                Series("已解决", [u["resolved"] for u in units]),
            ],
            unit="条",
        ),
        Chart(
            "bar",
            f"{fig.year}年各月提出与解决问题数",
            [f"{mo}月" for mo, _ in months],
            [
                Series("提出", [v[0] for _, v in months]),
                Series("解决", [v[1] for _, v in months]),
            ],
            unit="条",
        ),
    ]


def investment_trend(
    title: str,
    year: int,
    monthly: dict[int, Decimal],
    plan: Decimal | None,
    last_month: int,
    *,
    in_yi: bool = False,
) -> Chart:
    """Cumulative completed investment by month against the annual plan and 时序进度.

    ``monthly``: month → amount completed in that month (万元); the cumulative line runs
    to ``last_month`` (the period's cut-off), the plan and 时序进度 lines over the year.
    """
    running = Decimal(0)
    done: list[Decimal | None] = []
    for mo in range(1, 13):
        running += monthly.get(mo, Decimal(0))
        done.append(running if mo <= last_month else None)
    series = [Series("累计完成投资", done)]
    if plan:
        series.append(Series("年度计划", [plan] * 12, dashed=True, points=False))
        # 时序进度: the share of the year elapsed at each month end × the annual plan.
        series.append(
            Series("时序进度", [plan * mo / 12 for mo in range(1, 13)], dashed=True, points=False)
        )
    return Chart(
        "line",
        title,
        [f"{mo}月" for mo in range(1, 13)],
        series,
        # A division's totals read as the dashboard's cards do (亿元); a project's in 万元.
        unit="亿元" if in_yi else "万元",
        fmt=fmt_yi if in_yi else fmt_wan,
        tick_fmt=fmt_yi if in_yi else fmt_value,
    )


def division_monthly(
    scope: Scope, division: Division, year: int, month: int, levels
) -> dict[int, Decimal]:
    """Month → investment completed by the division's listed projects (one aggregate query:
    over the rollup for a reader who sees the whole division, else over their reports)."""
    if sees_whole(scope, division):
        qs = rolled(division, year, levels)
    else:
        ids = listed(scope, division, year, levels).values("project_id")
        qs = MonthlyReport.objects.filter(project_id__in=ids, year=year)
    return dict(
        qs.filter(month__lte=month)
        .values("month")
        .annotate(s=Sum("amount"))
        .values_list("month", "s")
        .order_by()
    )


# Eight quarters: two years of a unit's trend fit a phone's width.
_QUARTERS = 8


def score_history(district: Division, kind: str, pk: int, name: str) -> Chart:
    """A unit's (or cadre's) published total over the district's published quarters.

    One query. The caller has already checked through the scope that this reader may see
    this target's card (``result.row`` is None otherwise), so the published rows of the
    same target in the same district are no wider than what the card shows.
    """
    target = {"unit_id": pk} if kind == "unit" else {"person_id": pk}
    rows = list(
        PublishedScore.objects.filter(
            period__division=district, target_kind=kind, period__code__contains="Q", **target
        )
        .order_by("-period__end")
        .values_list("period__label", "total")[:_QUARTERS]
    )
    rows.reverse()
    return Chart(
        "line",
        f"{name}各季度考评得分",
        [label for label, _ in rows],
        [Series("总分", [total for _, total in rows])],
        unit="分",
    )


def light_trend_chart(year: int, trend: list[tuple[int, dict[str, int]]]) -> Chart:
    """Red / yellow / green task counts at each month end (``tasks.queries.light_trend``)."""
    return Chart(
        "line",
        f"{year}年督查任务亮灯趋势（各月末）",
        [f"{mo}月" for mo, _ in trend],
        [
            Series("红灯", [c["red"] for _, c in trend], color="#C62828"),
            Series("黄灯", [c["yellow"] for _, c in trend], color="#E69F00"),
            Series("绿灯", [c["green"] for _, c in trend], color="#2E7D32"),
        ],
        unit="项",
    )
