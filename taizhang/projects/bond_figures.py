"""专项债 and 三个一批 figures: one function per question, in SQL aggregates, with its formula.

The web pages, the dashboard and the API (``/dashboard/bonds``) all call these.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, QuerySet, Sum

from taizhang.core.models import Division
from taizhang.core.scope import Scope
from taizhang.projects.bonds import BatchEvent, BondField, BondProject, BondStatus
from taizhang.projects.models import Project

ZERO = Decimal("0")
BOND_FORMULAS = {
    "bond_projects": "专项债项目数 = 该年度专项债台账中的项目数（按筛选的状态、领域）",
    "total_investment": "总投资 = 这些项目总投资之和",
    "applied": "拟申请专项债 = 各项目拟申请额之和",
    "approved": "获批额度 = 各项目获批额之和；发行、到位同理",
}


@dataclass
class BondFilter:
    year: int | None = None
    status: str | None = None
    field: str | None = None
    division: Division | None = None
    q: str | None = None


def bonds_in(scope: Scope, f: BondFilter) -> QuerySet[BondProject]:
    qs = scope.filter(BondProject.objects.all())
    if f.year:
        qs = qs.filter(year=f.year)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.field:
        qs = qs.filter(field=f.field)
    if f.division is not None:
        qs = qs.filter(project__division__path__startswith=f.division.path)
    if f.q:
        qs = qs.filter(project__name__icontains=f.q)
    return qs


@dataclass
class BondFigures:
    division: Division | None
    year: int | None
    bond_projects: int = 0
    total_investment_wan: Decimal = ZERO
    bond_applied_wan: Decimal = ZERO
    bond_approved_wan: Decimal = ZERO
    bond_issued_wan: Decimal = ZERO
    bond_received_wan: Decimal = ZERO
    by_status: dict[str, int] = field(default_factory=dict)
    by_field: dict[str, int] = field(default_factory=dict)
    formulas: dict[str, str] = field(default_factory=lambda: dict(BOND_FORMULAS))

    def as_contract(self) -> dict[str, Any]:
        def money(v: Decimal) -> str:
            return str(v.quantize(Decimal("0.01")))

        return {
            "division": None
            if self.division is None
            else {"code": self.division.code, "name": self.division.name},
            "year": self.year,
            "bond_projects": self.bond_projects,
            "total_investment_wan": money(self.total_investment_wan),
            "bond_applied_wan": money(self.bond_applied_wan),
            "bond_approved_wan": money(self.bond_approved_wan),
            "bond_issued_wan": money(self.bond_issued_wan),
            "bond_received_wan": money(self.bond_received_wan),
            "by_status": self.by_status,
            "by_field": self.by_field,
            "formulas": self.formulas,
        }


def bond_figures(scope: Scope, f: BondFilter) -> BondFigures:
    """Totals of the bond ledger rows the filter selects (each project once per year)."""
    # pk__in a subquery: the scope may add DISTINCT, which would fold equal amounts together.
    ids = bonds_in(scope, f).values("pk")
    rows = BondProject.objects.filter(pk__in=ids)
    agg = rows.aggregate(
        n=Count("pk"),
        total=Sum("project__total_investment"),
        applied=Sum("applied"),
        approved=Sum("approved"),
        issued=Sum("issued"),
        received=Sum("received"),
    )
    fig = BondFigures(division=f.division, year=f.year)
    fig.bond_projects = agg["n"]
    # SQLite sums decimals as floats; the amounts are kept to the cent.
    cent = Decimal("0.01")
    fig.total_investment_wan = Decimal(agg["total"] or 0).quantize(cent)
    fig.bond_applied_wan = Decimal(agg["applied"] or 0).quantize(cent)
    fig.bond_approved_wan = Decimal(agg["approved"] or 0).quantize(cent)
    fig.bond_issued_wan = Decimal(agg["issued"] or 0).quantize(cent)
    fig.bond_received_wan = Decimal(agg["received"] or 0).quantize(cent)
    counts = dict(rows.values("status").annotate(n=Count("pk")).values_list("status", "n"))
    fig.by_status = {str(s.label): counts.get(s.value, 0) for s in BondStatus}
    fields = dict(rows.values("field").annotate(n=Count("pk")).values_list("field", "n"))
    fig.by_field = {str(s.label): fields[s.value] for s in BondField if s.value in fields}
    return fig


# 三个一批 -----------------------------------------------------------------------


def event_investment(event_ids: list[int]) -> dict[int, tuple[int, Decimal]]:
    """Each event's project count and total investment, summed from its projects."""
    rows = (
        Project.objects.filter(batch_events__in=event_ids)
        .values("batch_events")
        .annotate(n=Count("pk"), total=Sum("total_investment"))
        .values_list("batch_events", "n", "total")
    )
    return {eid: (n, Decimal(total or 0).quantize(Decimal("0.01"))) for eid, n, total in rows}


def events_in(
    scope: Scope, division: Division | None, start: dt.date | None, end: dt.date | None
) -> QuerySet[BatchEvent]:
    qs = scope.filter(BatchEvent.objects.all())
    if division is not None:
        qs = qs.filter(division__path__startswith=division.path)
    if start is not None:
        qs = qs.filter(date__gte=start)
    if end is not None:
        qs = qs.filter(date__lte=end)
    return qs
