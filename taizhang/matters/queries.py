"""Problem-ledger filtering and "my work", shared by the web pages and the API."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from taizhang.core import params as params_
from taizhang.core.models import Role
from taizhang.core.scope import Scope
from taizhang.lib.lights import LightResult
from taizhang.matters import steps
from taizhang.matters.models import Kind, Matter, Status
from taizhang.matters.timing import annotate_timing, light_q, timings_for


@dataclass
class ProblemFilter:
    status: str | None = None
    light: str | None = None
    category: str | None = None
    unit: str | None = None
    enterprise: str | None = None
    division: str | None = None
    year: int | None = None
    month: int | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    q: str | None = None
    sort: str | None = None  # "light": red first; "-light": no light / green first

    @classmethod
    def from_params(cls, params: Any) -> ProblemFilter:
        def get(key: str) -> str | None:
            value = params.get(key)
            return value.strip() if isinstance(value, str) and value.strip() else None

        return cls(
            status=get("status"),
            light=get("light"),
            category=get("category"),
            unit=get("unit"),
            enterprise=get("enterprise"),
            division=get("division"),
            year=params_.year_param(params),
            month=params_.month_param(params),
            start=params_.date_param(params, "start"),
            end=params_.date_param(params, "end"),
            q=get("q"),
            sort=get("sort"),
        )


def filter_problems(scope: Scope, f: ProblemFilter) -> QuerySet[Matter]:
    qs = scope.filter(Matter.objects.filter(kind=Kind.ENTERPRISE_PROBLEM)).select_related(
        "division", "enterprise", "category", "lead_unit", "leader"
    )
    if f.division:
        ref = f.division
        d = scope.divisions.filter(Q(code=ref) | Q(name=ref)).first()
        qs = qs.filter(division__path__startswith=d.path) if d else qs.none()
    if f.status:
        qs = qs.filter(status=f.status)
    if f.category:
        pk = params_.ref_id("category", f.category)
        qs = qs.filter(category_id=pk) if pk is not None else qs.filter(category__name=f.category)
    if f.unit:
        pk = params_.ref_id("unit", f.unit)
        qs = qs.filter(lead_unit_id=pk) if pk is not None else qs.filter(lead_unit__name=f.unit)
    if f.enterprise:
        pk = params_.ref_id("enterprise", f.enterprise)
        qs = (
            qs.filter(enterprise_id=pk)
            if pk is not None
            else qs.filter(enterprise__name__icontains=f.enterprise)
        )
    params_.year_of(f.year)
    if f.year:
        qs = qs.filter(raised_on__year=f.year)
        if f.month:
            qs = qs.filter(raised_on__month=f.month)
    if f.start:
        qs = qs.filter(raised_on__gte=f.start)
    if f.end:
        qs = qs.filter(raised_on__lte=f.end)
    if f.q:
        qs = qs.filter(
            Q(title__icontains=f.q)
            | Q(enterprise__name__icontains=f.q)
            | Q(enterprise__search_key__contains=f.q.lower())
        )
    return qs.order_by("-raised_on", "-id")


LIGHT_SORTS = {"light": ("light_rank", "deadline", "id"), "-light": ("-light_rank", "-id")}


def with_lights(qs: QuerySet[Matter], f: ProblemFilter, today: dt.date) -> QuerySet[Matter]:
    """The list with its lights computed, filtered (and sortable) by the database.

    Each row carries ``light``, ``late_workdays``, ``deadline_as_of`` and ``light_rank``
    (taizhang.matters.timing.annotate_timing); page with the QuerySet, then call
    :func:`page_lights` for the rows shown.
    """
    qs = annotate_timing(qs, today)
    if f.light in {"none", "red", "yellow", "green"}:
        qs = qs.filter(light_q(f.light, today))
    elif f.light:
        qs = qs.none()
    if f.sort in LIGHT_SORTS:
        qs = qs.order_by(*LIGHT_SORTS[f.sort])
    return qs


def page_lights(rows: Any, today: dt.date) -> list[tuple[Matter, LightResult | None]]:
    """(matter, light with its reason and 未确认 flag) for the rows of one page."""
    rows = list(rows)
    timings = timings_for(rows, today)
    return [(m, timings[m.pk].result) for m in rows]


def my_work(scope: Scope) -> QuerySet[Matter]:
    """Matters waiting for this user's next step."""
    qs = scope.filter(Matter.objects.all()).select_related("enterprise", "lead_unit", "category")
    if scope.can_manage:
        cond = (
            Q(status__in=[Status.SUBMITTED, Status.ACCEPTED, Status.RATED])
            | Q(pending_deadline__isnull=False)
            | Q(status=Status.REPORTED, kind__in=steps.kinds_rated_or_closed_by_office())
        )
    elif scope.role == Role.UNIT and scope.unit is not None:
        cond = Q(status__in=[Status.ASSIGNED, Status.IN_PROGRESS, Status.RETURNED])
    elif scope.role == Role.ENTERPRISE:
        cond = Q(status=Status.REPORTED)
    elif scope.role in {Role.CADRE, Role.LEADER} and scope.person is not None:
        cond = Q(
            status__in=[Status.ASSIGNED, Status.IN_PROGRESS, Status.RETURNED], leader=scope.person
        )
    else:
        return qs.none()
    return qs.filter(cond).order_by("deadline", "raised_on", "id")
