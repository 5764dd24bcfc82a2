"""The charts of the pages, as `taizhang.lib.svgcharts.Chart` values for ``{% chart %}``.

Each chart reads figures a page already computed, or ONE aggregate query through the
scope (never a whole scope loaded into Python).
"""

from __future__ import annotations

from taizhang.lib.svgcharts import Chart, Series
from taizhang.matters.figures import ProblemFigures

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
