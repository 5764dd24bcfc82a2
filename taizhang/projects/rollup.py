"""The investment rollup: completed investment of listed projects per division × unit × year ×
month × level (``InvestmentRollup``), so a province's dashboard sums a few thousand rollup
rows instead of millions of monthly reports.

A report counts in year Y only if its project is on Y's list (``ProjectYear``), at that
list's level — the rule of the dashboard, the chart and the forecast. The rows of one
(division, year) are recomputed from the reports by :func:`refresh`, called in the same
transaction as every change that moves them (a report submitted or corrected, a year's
list entry set, a project moved to another division or unit, a bulk import); the division
row is locked first, so two transactions refreshing the same division run one after the
other and the second sees the first's reports. ``taizhang rollup --rebuild`` recomputes
everything (or one division's subtree) after a restore or a change made outside the
services. The dashboards read it only for a reader who sees every project of the division
(:func:`sees_whole`); other readers' figures are summed from their own reports.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, F, QuerySet, Sum

from taizhang.core.models import Division
from taizhang.core.scope import Scope
from taizhang.projects.models import InvestmentRollup, MonthlyReport, Project, ProjectYear

CENT = Decimal("0.01")


def sees_whole(scope: Scope, division: Division) -> bool:
    """Whether the scope's project filter keeps every project under ``division`` (the office,
    leaders and admins of it or above), so the rollup answers for this reader."""
    return scope.sees_whole(division)


def rolled(division: Division, year: int, levels: list[str] | None) -> QuerySet[InvestmentRollup]:
    """The rollup rows of ``division``'s subtree for ``year`` (at ``levels``)."""
    qs = InvestmentRollup.objects.filter(division__path__startswith=division.path, year=year)
    return qs.filter(level__in=levels) if levels else qs


def raw_rows(division_id: int, year: int) -> QuerySet[MonthlyReport]:
    """The reports of one division's listed projects in ``year``, grouped as the rollup is.

    The list entry is joined ((project, year) is unique: one per report), not looked up by
    a correlated subquery: on tables without statistics (just bulk-loaded) PostgreSQL
    planned that subquery as a scan of every list entry per report, over a minute.
    """
    return (
        MonthlyReport.objects.filter(
            project__division_id=division_id, year=year, project__years__year=year
        )
        .values("project__responsible_unit", "month", _level=F("project__years__level"))
        .annotate(s=Sum("amount"), n=Count("pk"))
        .order_by()
    )


def refresh(pairs: Iterable[tuple[int, int]]) -> None:
    """Recompute the rollup rows of each (division id, year) from the reports."""
    with transaction.atomic():
        for division_id, year in sorted(set(pairs)):
            # Serialises refreshes of one division (PostgreSQL; SQLite writes one at a time).
            list(Division.objects.select_for_update().filter(pk=division_id).values("pk"))
            InvestmentRollup.objects.filter(division_id=division_id, year=year).delete()
            InvestmentRollup.objects.bulk_create(
                InvestmentRollup(
                    division_id=division_id,
                    unit_id=r["project__responsible_unit"],
                    year=year,
                    month=r["month"],
                    level=r["_level"],
                    # SQLite sums decimals as floats; amounts are kept to the cent.
                    amount=Decimal(r["s"]).quantize(CENT),
                    reports=r["n"],
                )
                for r in raw_rows(division_id, year)
            )


def years_of(project_ids: Iterable[int]) -> set[int]:
    """The years these projects have a report or a list entry in."""
    ids = list(project_ids)
    return set(MonthlyReport.objects.filter(project__in=ids).values_list("year", flat=True)) | set(
        ProjectYear.objects.filter(project__in=ids).values_list("year", flat=True)
    )


def refresh_projects(project_ids: Iterable[int], years: Iterable[int]) -> None:
    """Refresh the (division, year) of these projects for ``years``."""
    ids = list(set(project_ids))
    divisions = set(Project.objects.filter(pk__in=ids).values_list("division_id", flat=True))
    refresh((d, y) for d in divisions for y in set(years))


def rebuild(division: Division | None = None) -> int:
    """Recompute every rollup row (of ``division``'s subtree): returns the (division, year)
    pairs refreshed. Pairs with no reports left lose their rows."""
    reports = MonthlyReport.objects.all()
    existing = InvestmentRollup.objects.all()
    if division is not None:
        reports = reports.filter(project__division__path__startswith=division.path)
        existing = existing.filter(division__path__startswith=division.path)
    pairs = set(reports.values_list("project__division_id", "year").distinct()) | set(
        existing.values_list("division_id", "year").distinct()
    )
    refresh(pairs)
    return len(pairs)


def fill_after_migrate(**kwargs: Any) -> None:
    """post_migrate: a database upgraded to the rollup (reports, no rollup rows) gets it built
    once, so a dashboard never reads an empty rollup as nothing completed."""
    if kwargs.get("using", "default") != "default":
        return
    if InvestmentRollup._meta.db_table not in connection.introspection.table_names():
        return
    if MonthlyReport.objects.exists() and not InvestmentRollup.objects.exists():
        rebuild()
