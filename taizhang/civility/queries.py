"""创文 lists read through the scope: points with their counts, rectifications with lights."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet

from taizhang.civility.models import Point, PointType, Section
from taizhang.core import params
from taizhang.core.models import Division
from taizhang.core.scope import Scope
from taizhang.matters.models import Kind, Matter, Status
from taizhang.matters.timing import annotate_timing, light_q

LIGHT_CHOICES = ("red", "yellow", "green")


def points(
    scope: Scope, division: Division | None, *, type: str | None = None, q: str = ""
) -> QuerySet[Point]:
    qs = scope.filter(Point.objects.all())
    if division is not None:
        qs = qs.filter(division__path__startswith=division.path)
    if type:
        qs = qs.filter(type=type)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(position__icontains=q))
    return (
        qs.select_related("division", "unit", "leader")
        .annotate(
            n_inspections=Count("inspections", distinct=True),
            n_failures=Count("inspections__failures", distinct=True),
        )
        .order_by("division__path", "name", "id")
    )


def point_params(get: Any) -> dict[str, Any]:
    return {
        "type": params.choice_param(get, "type", PointType.values),
        "q": (get.get("q") or "").strip()[:40],
    }


@dataclass
class RectFilter:
    status: str | None = None
    light: str | None = None
    year: int | None = None
    point: int | None = None

    @classmethod
    def from_params(cls, get: Any) -> RectFilter:
        return cls(
            status=params.choice_param(get, "status", Status.values),
            light=params.choice_param(get, "light", LIGHT_CHOICES),
            year=params.year_param(get),
            point=params.int_param(get, "point", lo=1, hi=params.ID_MAX, label="点位"),
        )


def rectifications(
    scope: Scope, division: Division | None, f: RectFilter, today: dt.date
) -> QuerySet[Matter]:
    qs = scope.filter(Matter.objects.filter(kind=Kind.RECTIFICATION))
    if division is not None:
        qs = qs.filter(division__path__startswith=division.path)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.year:
        qs = qs.filter(raised_on__year=f.year)
    if f.point:
        qs = qs.filter(civility_failure__inspection__point=f.point)
    qs = annotate_timing(qs, today)
    if f.light:
        qs = qs.filter(light_q(f.light, today))
    return qs.select_related(
        "lead_unit",
        "civility_failure__standard",
        "civility_failure__inspection__point",
    ).order_by("light_rank", "deadline", "-id")


def tree(scope: Scope, division: Division, year: int) -> list[Section]:
    """The year's tree of the division (or the district it lies in), prefetched."""
    qs = scope.filter(Section.objects.filter(division=division, year=year))
    return list(qs.prefetch_related("contents__standards__unit").order_by("order", "id"))
