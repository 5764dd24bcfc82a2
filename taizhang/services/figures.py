"""The figures of 政务服务 and 银企对接: one function per question, SQL aggregates, as of a day.

The web pages, the API (/api/v1/dashboard/services, /api/v1/dashboard/financing) and the
tests read these functions; the names of the returned keys are a stable contract.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import Avg, Count, DecimalField, F, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from taizhang.core.models import Division
from taizhang.core.scope import Scope
from taizhang.lib.numbers import contract_decimal, quantize_1, rate
from taizhang.services.cases import with_timing
from taizhang.services.models import BankResponse, Evaluation, FinancingNeed, ServiceCase

SERVICE_FORMULAS = {
    "cases": "受理件数 = 受理日期在统计期内（且不晚于截止日）的办件数",
    "on_time_rate_pct": (
        "按时办结率 = 按时办结件数 ÷（已办结件数 + 截止日仍未办结且已超承诺时限的件数）× 100%；"
        "按时办结指 受理日至办结日之间的工作日数（不含受理日）≤ 承诺时限（工作日）"
    ),
    "satisfaction_rate_pct": "群众满意度 = 评价为“满意”的件数 ÷ 已评价件数 × 100%",
    "avg_workdays": "平均办理工作日 = 已办结件数的（受理日至办结日之间的工作日数）之和 ÷ 已办结件数",
}
FINANCING_FORMULAS = {
    "needs": "发布融资需求 = 发布日期在统计期内（且不晚于截止日）的融资需求数",
    "intentions": (
        "达成意向 = 达成意向日期在统计期内、截止日前未转为“未成”的银行对接数"
        "（此后授信、放款的仍计入）"
    ),
    "intention_amount_wan": "意向金额（万元）= 上述达成意向的意向金额之和",
    "granted_amount_wan": "授信金额（万元）= 授信日期在统计期内（且不晚于截止日）的授信金额之和",
}


def period_bounds(year: int, month: int | None = None) -> tuple[dt.date, dt.date]:
    if month is None:
        return dt.date(year, 1, 1), dt.date(year, 12, 31)
    start = dt.date(year, month, 1)
    end = (dt.date(year + (month == 12), month % 12 + 1, 1)) - dt.timedelta(days=1)
    return start, end


def as_of_for(year: int, month: int | None = None, today: dt.date | None = None) -> dt.date:
    """A past period is counted as of its last day, the running one as of today."""
    today = today or timezone.localdate()
    return min(period_bounds(year, month)[1], today)


def _one(x: Decimal | float | None) -> Decimal | None:
    return None if x is None else quantize_1(Decimal(str(x)))


# ---------------------------------------------------------------- 政务服务


def _cases(scope: Scope, division: Division, start: dt.date, as_of: dt.date) -> QuerySet:
    qs = scope.filter(ServiceCase.objects.all()).filter(
        division__path__startswith=division.path, accepted_on__gte=start, accepted_on__lte=as_of
    )
    return with_timing(qs, as_of)


_SERVICE_AGG = {
    "cases": Count("pk"),
    "on_time": Count("pk", filter=Q(state="on_time")),
    "finished": Count("pk", filter=Q(state__in=["on_time", "late"])),
    "overdue": Count("pk", filter=Q(state="overdue")),
    "evaluated": Count("pk", filter=~Q(evaluation="")),
    "satisfied": Count("pk", filter=Q(evaluation=Evaluation.SATISFIED)),
    "avg": Avg("used_workdays", filter=Q(state__in=["on_time", "late"])),
}


def _service_row(agg: dict[str, Any]) -> dict[str, Any]:
    decided = agg["finished"] + agg["overdue"]
    return {
        "cases": agg["cases"],
        "finished": agg["finished"],
        "on_time": agg["on_time"],
        "overdue": agg["overdue"],
        "on_time_rate_pct": rate(agg["on_time"], decided),
        "satisfaction_rate_pct": rate(agg["satisfied"], agg["evaluated"]),
        "avg_workdays": _one(agg["avg"]),
    }


def service_totals(
    scope: Scope, division: Division, start: dt.date, as_of: dt.date
) -> dict[str, Any]:
    """The division's cases accepted from ``start`` to ``as_of``, as known on ``as_of``: counts,
    on-time and satisfaction rates, average working days (one aggregate query)."""
    return _service_row(_cases(scope, division, start, as_of).aggregate(**_SERVICE_AGG))


def service_figures(
    scope: Scope,
    division: Division,
    year: int,
    month: int | None = None,
    as_of: dt.date | None = None,
) -> dict[str, Any]:
    """Totals and one row per handling unit for the period, as of a day (default: the
    period's last day, or today while it runs)."""
    as_of = as_of or as_of_for(year, month)
    start, _end = period_bounds(year, month)
    qs = _cases(scope, division, start, as_of)
    total = service_totals(scope, division, start, as_of)
    units = [
        {"unit_id": r.pop("unit"), "unit": r.pop("unit__name"), **_service_row(r)}
        for r in qs.values("unit", "unit__name").annotate(**_SERVICE_AGG).order_by("unit__name")
    ]
    return {
        "division": division.name,
        "division_code": division.code,
        "year": year,
        "month": month,
        "as_of": as_of,
        **total,
        "units": units,
    }


# ---------------------------------------------------------------- 银企对接

_MONEY = DecimalField(max_digits=16, decimal_places=2)


def _responses(
    scope: Scope, division: Division, start: dt.date, as_of: dt.date
) -> tuple[QuerySet, Q, Q]:
    # The scope writes a cadre's liaison rows as a semi-join (core.scope._row_filter), so
    # the per-bank GROUP BY counts each response once without a `pk IN (scoped rows)`.
    qs = scope.filter(BankResponse.objects.all()).filter(
        need__division__path__startswith=division.path
    )
    intention = Q(intention_on__gte=start, intention_on__lte=as_of) & ~Q(failed_on__lte=as_of)
    granted = Q(granted_on__gte=start, granted_on__lte=as_of)
    return qs, intention, granted


def _agg(intention: Q, granted: Q) -> dict[str, Any]:
    zero = Value(Decimal(0), output_field=_MONEY)
    return {
        "intentions": Count("pk", filter=intention),
        "intention_amount_wan": Coalesce(Sum("intention_amount", filter=intention), zero),
        "granted_amount_wan": Coalesce(Sum("granted_amount", filter=granted), zero),
        "granted": Count("pk", filter=granted),
    }


def financing_figures(
    scope: Scope,
    division: Division,
    year: int,
    month: int | None = None,
    as_of: dt.date | None = None,
) -> dict[str, Any]:
    """Needs published, intentions reached and their amounts, granted amounts: totals and
    one row per bank, for the period as of a day."""
    as_of = as_of or as_of_for(year, month)
    start, _end = period_bounds(year, month)
    needs = (
        scope.filter(FinancingNeed.objects.all())
        .filter(division__path__startswith=division.path)
        .filter(published_on__gte=start, published_on__lte=as_of)
        .aggregate(n=Count("pk", distinct=True), amount=Sum("amount"))
    )
    qs, intention, granted = _responses(scope, division, start, as_of)
    total = qs.aggregate(**_agg(intention, granted))
    banks = [
        {"bank": r.pop("bank__name"), **r}
        for r in qs.values("bank__name")
        .annotate(**_agg(intention, granted))
        .filter(Q(intentions__gt=0) | Q(granted__gt=0))
        .order_by(F("intention_amount_wan").desc(), "bank__name")
    ]
    return {
        "division": division.name,
        "division_code": division.code,
        "year": year,
        "month": month,
        "as_of": as_of,
        "needs": needs["n"],
        "need_amount_wan": needs["amount"] or Decimal(0),
        "intentions": total["intentions"],
        "intention_amount_wan": total["intention_amount_wan"],
        "granted_amount_wan": total["granted_amount_wan"],
        "banks": banks,
    }


# ---------------------------------------------------------------- the API contract


def _money(v: Decimal) -> str:
    return str(Decimal(v).quantize(Decimal("0.01")))


def service_contract(fig: dict[str, Any]) -> dict[str, Any]:
    """service_figures as /api/v1/dashboard/services answers it: rates as strings with
    one decimal (null when nothing to divide), like the other dashboard contracts."""

    def row(r: dict[str, Any]) -> dict[str, Any]:
        return {
            "cases": r["cases"],
            "finished": r["finished"],
            "on_time": r["on_time"],
            "overdue": r["overdue"],
            "on_time_rate_pct": contract_decimal(r["on_time_rate_pct"]),
            "satisfaction_rate_pct": contract_decimal(r["satisfaction_rate_pct"]),
            "avg_workdays": contract_decimal(r["avg_workdays"]),
        }

    return {
        "division": {"code": fig["division_code"], "name": fig["division"]},
        "year": fig["year"],
        "month": fig["month"],
        "as_of": fig["as_of"].isoformat(),
        **row(fig),
        "by_unit": [{"unit": u["unit"], **row(u)} for u in fig["units"]],
        "formulas": SERVICE_FORMULAS,
    }


def financing_contract(fig: dict[str, Any]) -> dict[str, Any]:
    """financing_figures as /api/v1/dashboard/financing answers it: amounts in 万元 as strings."""
    return {
        "division": {"code": fig["division_code"], "name": fig["division"]},
        "year": fig["year"],
        "month": fig["month"],
        "as_of": fig["as_of"].isoformat(),
        "needs": fig["needs"],
        "need_amount_wan": _money(fig["need_amount_wan"]),
        "intentions": fig["intentions"],
        "intention_amount_wan": _money(fig["intention_amount_wan"]),
        "granted_amount_wan": _money(fig["granted_amount_wan"]),
        "by_bank": [
            {
                "bank": b["bank"],
                "intentions": b["intentions"],
                "intention_amount_wan": _money(b["intention_amount_wan"]),
                "granted": b["granted"],
                "granted_amount_wan": _money(b["granted_amount_wan"]),
            }
            for b in fig["banks"]
        ],
        "formulas": FINANCING_FORMULAS,
    }
