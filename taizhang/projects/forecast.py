"""Year-end completion forecast of a key-project list: one function behind the dashboard, the
project list, the bulletin and ``GET /api/v1/dashboard/forecast``.

The arithmetic is ``taizhang.lib.forecast`` (seasonal index, linear fallback); this module
only feeds it from the ledger with SQL aggregates — the sum per unit, year and month of
the reports of the projects on each year's list (year × division × level) — never the
reports themselves.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import F, QuerySet, Sum

from taizhang.core.models import Division
from taizhang.core.scope import Scope
from taizhang.lib.forecast import Forecast, forecast_year_end
from taizhang.lib.numbers import fmt_rate, fmt_yi
from taizhang.projects.models import InvestmentRollup, MonthlyReport, ProjectYear
from taizhang.projects.rollup import sees_whole

ZERO = Decimal("0")
CENT = Decimal("0.01")

FORMULA = (
    "季节指数法：取往年（有12月报送的完整年度，至少2年）各月完成投资占全年的比重求平均，"
    "得到截至本月往年通常完成的比重 C；预计全年完成 = 本年截至本月累计完成 ÷ C，"
    "预计完成率 = 预计全年完成 ÷ 年度计划；需月均完成 = （年度计划 − 已完成）÷ 剩余月数。"
    "往年不足2年时按线性进度（C = 月份 ÷ 12）估算。此为估算，不是统计数。"
)


@dataclass
class UnitForecast:
    unit_id: int
    unit: str
    forecast: Forecast


@dataclass
class ForecastFigures:
    division: Division
    year: int
    month: int
    levels: list[str] | None
    forecast: Forecast
    by_unit: list[UnitForecast] = field(default_factory=list)
    formula: str = FORMULA

    @property
    def sentence(self) -> str:
        return sentence(self.forecast)

    def as_contract(self) -> dict[str, Any]:
        return {
            "division": {"code": self.division.code, "name": self.division.name},
            "year": self.year,
            "month": self.month,
            "level": self.levels,
            "estimate": True,
            **contract_of(self.forecast),
            "sentence": self.sentence,
            "formula": self.formula,
            "by_unit": [
                {"unit": u.unit, "unit_id": u.unit_id, **contract_of(u.forecast)}
                for u in self.by_unit
            ],
        }


def _money(v: Decimal | None) -> str | None:
    return None if v is None else str(v.quantize(CENT))


def contract_of(f: Forecast) -> dict[str, Any]:
    return {
        "method": f.method,
        "method_label": f.method_label,
        "history_years": f.history_years,
        "history_months": 12 * len(f.history_years),
        "annual_plan_wan": _money(f.plan_wan),
        "completed_wan": _money(f.done_wan),
        "expected_share_pct": str(f.expected_share_pct),
        "forecast_total_wan": _money(f.forecast_total_wan),
        "forecast_completion_pct": None
        if f.forecast_completion_pct is None
        else str(f.forecast_completion_pct),
        "needed_monthly_wan": _money(f.needed_monthly_wan),
        "months_left": f.months_left,
    }


def sentence(f: Forecast) -> str:
    """ "按往年节奏，预计年末完成87.0%；需月均完成4.1亿元" (线性进度 when history is short)."""
    how = "按往年节奏" if f.method == "seasonal" else "按线性进度"
    text = f"{how}，预计年末完成{fmt_rate(f.forecast_completion_pct)}"
    if f.needed_monthly_wan is not None:
        text += f"；需月均完成{fmt_yi(f.needed_monthly_wan)}亿元"
    return text


def _listed_reports(
    scope: Scope, division: Division, levels: list[str] | None
) -> QuerySet[MonthlyReport]:
    """Reports of the projects on their own year's list: a report counts in year Y only if
    its project was on Y's list (at the chosen levels). The scope filters the reports
    themselves (a semi-join, so no report is summed twice); a ``project IN (scoped
    projects)`` subquery was planned as a nested loop on PostgreSQL tables without
    statistics and ran for minutes."""
    cond: dict[str, Any] = {"project__years__year": F("year")}
    if levels:
        # One filter() call: the level must be that of the same year's list row.
        cond["project__years__level__in"] = levels
    return scope.filter(MonthlyReport.objects.all()).filter(
        project__division__path__startswith=division.path, **cond
    )


def _sums(
    scope: Scope,
    division: Division,
    levels: list[str] | None,
    by: tuple[str, ...],
    **where: Any,
) -> list[tuple[Any, ...]]:
    """The listed reports' amounts summed per ``by`` (of "unit", "year", "month"), ``where``
    filtering on year and month: over the rollup for a reader who sees the whole division,
    else over the reader's own reports (:func:`_listed_reports`)."""
    if sees_whole(scope, division):
        qs: QuerySet[Any] = InvestmentRollup.objects.filter(
            division__path__startswith=division.path, **where
        )
        if levels:
            qs = qs.filter(level__in=levels)
        unit = "unit_id"
    else:
        qs = _listed_reports(scope, division, levels).filter(**where)
        unit = "project__responsible_unit"
    cols = [unit if b == "unit" else b for b in by]
    return list(qs.values(*cols).annotate(s=Sum("amount")).values_list(*cols, "s").order_by())


def _history(
    scope: Scope, division: Division, year: int, levels: list[str] | None
) -> tuple[dict[int, list[Decimal]], dict[int, dict[int, list[Decimal]]]]:
    """Past full years (a December report exists) as twelve monthly sums, for the whole list
    and per responsible unit — three GROUP BY queries."""
    full = {y for (y, _) in _sums(scope, division, levels, ("year",), year__lt=year, month=12)}
    whole: dict[int, list[Decimal]] = {y: [ZERO] * 12 for y in full}
    units: dict[int, dict[int, list[Decimal]]] = {}
    for u, y, m, s in _sums(scope, division, levels, ("unit", "year", "month"), year__in=full):
        amount = Decimal(s).quantize(CENT)
        units.setdefault(u, {}).setdefault(y, [ZERO] * 12)[m - 1] = amount
        whole[y][m - 1] += amount
    return whole, units


def forecast_figures(
    scope: Scope, division: Division, year: int, month: int, levels: list[str] | None = None
) -> ForecastFigures:
    """The forecast of ``year``'s list as of the end of ``month``, for the list and each unit."""
    whole, unit_history = _history(scope, division, year, levels)
    plans = (
        scope.filter(ProjectYear.objects.all())
        .filter(project__division__path__startswith=division.path, year=year)
        .filter(**({"level__in": levels} if levels else {}))
        .values("project__responsible_unit", "project__responsible_unit__name")
        .annotate(plan=Sum("annual_plan"))
        .values_list("project__responsible_unit", "project__responsible_unit__name", "plan")
    )
    done = dict(_sums(scope, division, levels, ("unit",), year=year, month__lte=month))
    by_unit: list[UnitForecast] = []
    total_plan = total_done = ZERO
    for unit_id, name, plan in plans:
        # SQLite sums decimals as floats; amounts are kept to the cent.
        p = Decimal(plan).quantize(CENT)
        d = Decimal(done.get(unit_id) or 0).quantize(CENT)
        total_plan += p
        total_done += d
        by_unit.append(
            UnitForecast(
                unit_id, name, forecast_year_end(unit_history.get(unit_id, {}), d, p, month)
            )
        )
    by_unit.sort(
        key=lambda u: (
            u.forecast.forecast_completion_pct is None,
            u.forecast.forecast_completion_pct or 0,
        )
    )
    return ForecastFigures(
        division=division,
        year=year,
        month=month,
        levels=levels,
        forecast=forecast_year_end(whole, total_done, total_plan, month),
        by_unit=by_unit,
    )


@dataclass(frozen=True)
class BacktestRow:
    year: int
    month: int
    method: str
    history_years: list[int]
    forecast_pct: Decimal | None  # the method's forecast as of the end of ``month``
    linear_pct: Decimal | None  # the linear pace's, for comparison
    actual_pct: Decimal | None  # how the year really ended (December's completion)


def backtest(
    scope: Scope, division: Division, years: list[int], levels: list[str] | None = None
) -> list[BacktestRow]:
    """Forecast each year's end from each of its months and set it beside what happened.

    Only years with a December report are tested; each forecast sees only the years
    before it (the same ``forecast_figures`` the dashboard uses)."""
    rows: list[BacktestRow] = []
    for year in years:
        if not _sums(scope, division, levels, ("year",), year=year, month=12):
            continue  # a year still running, or one the ledger holds only in part
        actual = forecast_figures(scope, division, year, 12, levels).forecast
        if actual.plan_wan <= 0:
            continue
        for month in range(1, 13):
            f = forecast_figures(scope, division, year, month, levels).forecast
            linear = forecast_year_end({}, f.done_wan, f.plan_wan, month)
            rows.append(
                BacktestRow(
                    year,
                    month,
                    f.method,
                    f.history_years,
                    f.forecast_completion_pct,
                    linear.forecast_completion_pct,
                    actual.forecast_completion_pct,
                )
            )
    return rows


def mean_abs_error(rows: list[BacktestRow], attr: str = "forecast_pct") -> dict[int, Decimal]:
    """Mean absolute error in percentage points per month of forecast (one decimal)."""
    by_month: dict[int, list[Decimal]] = {}
    for r in rows:
        value = getattr(r, attr)
        if value is None or r.actual_pct is None:
            continue
        by_month.setdefault(r.month, []).append(abs(value - r.actual_pct))
    return {
        m: (sum(errs, ZERO) / len(errs)).quantize(Decimal("0.1"))
        for m, errs in sorted(by_month.items())
    }
