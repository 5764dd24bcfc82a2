"""Year-end completion forecast of an investment plan by a seasonal index (pure arithmetic).

Method ("seasonal"): for every past full year with a positive total, the share each month
took of that year's completion; the seasonal index of month k is the mean of those shares
over the past years (so the twelve indices sum to exactly 1). As of month m, the share of
the year normally done by then is C(m) = index(1) + … + index(m), and the year-end estimate
is the amount done so far ÷ C(m).

Fallback ("linear"): with fewer than ``MIN_YEARS`` past years (or when the past years did
nothing at all by month m, C(m) = 0) the year is assumed to run evenly: C(m) = m / 12.

Why not statsmodels' exponential smoothing: a county's ledger holds two or three years of
monthly figures; Holt-Winters needs at least two full seasons to initialise and would add
numpy, scipy and pandas for that. The seasonal index is exact, explainable in one sentence
on the dashboard and reproducible by hand from the monthly table.

Everything is computed with Fraction and returned as Decimal; no float anywhere.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

__all__ = [
    "MIN_YEARS",
    "Forecast",
    "ForecastError",
    "forecast_year_end",
    "seasonal_index",
]

MIN_YEARS = 2
SEASONAL = "seasonal"
LINEAR = "linear"
METHOD_LABELS = {
    SEASONAL: "季节指数法（往年各月完成占全年比重的平均）",
    LINEAR: "线性进度法（历史不足两年，按全年均衡推算）",
}


class ForecastError(ValueError):
    """Input a forecast cannot be made from."""


def _frac(x: Decimal | int) -> Fraction:
    return Fraction(x)


def _dec(f: Fraction, places: str) -> Decimal:
    """Exact rational rounded half up to ``places`` (e.g. "0.01")."""
    q = Decimal(places)
    scale = 10 ** (-q.as_tuple().exponent)  # type: ignore[operator]
    n = abs(f) * scale
    whole = int(n + Fraction(1, 2))
    d = (Decimal(whole) / scale).quantize(q)
    return -d if f < 0 and whole else d


def seasonal_index(history: Mapping[int, Sequence[Decimal]]) -> tuple[list[Fraction], list[int]]:
    """The twelve monthly shares averaged over the years of ``history`` with a positive total.

    ``history`` maps a year to its twelve monthly amounts (month 1 first). Returns the index
    (empty when no year qualifies) and the years used, in order.
    """
    used: list[int] = []
    sums = [Fraction(0)] * 12
    for year in sorted(history):
        months = history[year]
        if len(months) != 12:
            raise ForecastError(f"{year}年的月度数据应为12个月，实为{len(months)}个")
        if any(_frac(a) < 0 for a in months):
            raise ForecastError(f"{year}年的月度数据有负数")
        total = sum((_frac(a) for a in months), Fraction(0))
        if total <= 0:
            continue
        used.append(year)
        sums = [s + _frac(a) / total for s, a in zip(sums, months, strict=True)]
    if not used:
        return [], []
    return [s / len(used) for s in sums], used


@dataclass(frozen=True)
class Forecast:
    method: str  # SEASONAL or LINEAR
    history_years: list[int]  # the past years the seasonal index was averaged over
    month: int  # as of the end of this month
    done_wan: Decimal  # completed in months 1..month
    plan_wan: Decimal
    expected_share_pct: Decimal  # C(month) × 100, one decimal
    forecast_total_wan: Decimal | None  # year-end estimate (None: nothing to go on)
    forecast_completion_pct: Decimal | None  # estimate ÷ plan × 100, one decimal
    needed_monthly_wan: Decimal | None  # (plan − done) ÷ months left; None in December
    months_left: int

    @property
    def method_label(self) -> str:
        return METHOD_LABELS[self.method]


def forecast_year_end(
    history: Mapping[int, Sequence[Decimal]],
    done_wan: Decimal,
    plan_wan: Decimal,
    month: int,
    *,
    min_years: int = MIN_YEARS,
) -> Forecast:
    """Year-end completion as of the end of ``month`` (1–12), given ``done_wan`` so far.

    ``needed_monthly_wan`` is the plan still open spread evenly over the months left (0 when
    the plan is already met); it is None in December, when no month is left.
    """
    if not 1 <= month <= 12:
        raise ForecastError(f"月份应在1至12之间：{month}")
    done, plan = _frac(done_wan), _frac(plan_wan)
    if done < 0 or plan < 0:
        raise ForecastError("完成额和计划额不能为负数")
    index, years = seasonal_index(history)
    method = SEASONAL if len(years) >= min_years else LINEAR
    share = sum(index[:month], Fraction(0)) if method == SEASONAL else Fraction(0)
    if share <= 0:
        method, share = LINEAR, Fraction(month, 12)
    if method == LINEAR:
        years = []
    total = done / share
    months_left = 12 - month
    needed: Decimal | None = None
    if months_left:
        needed = _dec(max(plan - done, Fraction(0)) / months_left, "0.01")
    return Forecast(
        method=method,
        history_years=years,
        month=month,
        done_wan=_dec(done, "0.01"),
        plan_wan=_dec(plan, "0.01"),
        expected_share_pct=_dec(share * 100, "0.1"),
        forecast_total_wan=_dec(total, "0.01"),
        forecast_completion_pct=_dec(total * 100 / plan, "0.1") if plan else None,
        needed_monthly_wan=needed,
        months_left=months_left,
    )
