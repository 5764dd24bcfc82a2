"""Project list filtering shared by the web list, the API list and exports."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from taizhang.core import params as params_
from taizhang.core.scope import Scope
from taizhang.lib.periods import cutoff
from taizhang.projects.figures import ProjectStatus, annotate_lights, project_statuses
from taizhang.projects.models import Project, ProjectYear

SORTS = {
    "code": "code",
    "-code": "-code",
    "name": "name",
    "-name": "-name",
    "investment": "total_investment",
    "-investment": "-total_investment",
    "stage": "stage",
    "-stage": "-stage",
}


@dataclass
class ProjectFilter:
    division: str | None = None
    year: int | None = None
    month: int | None = None  # with year: lights and figures as of that month's end
    level: str | None = None
    stage: str | None = None
    industry: str | None = None
    unit: str | None = None
    light: str | None = None
    q: str | None = None
    sort: str | None = None

    @classmethod
    def from_params(cls, params: Any) -> ProjectFilter:
        def get(key: str) -> str | None:
            value = params.get(key)
            return value.strip() if isinstance(value, str) and value.strip() else None

        return cls(
            division=get("division"),
            year=params_.year_param(params),
            month=params_.month_param(params),
            level=get("level"),
            stage=get("stage"),
            industry=get("industry"),
            unit=get("unit"),
            light=get("light"),
            q=get("q"),
            sort=get("sort"),
        )


def filter_projects(scope: Scope, f: ProjectFilter) -> QuerySet[Project]:
    qs = scope.filter(Project.objects.all()).select_related(
        "division", "responsible_unit", "industry_chain", "liaison_leader"
    )
    if f.division:
        division = scope.divisions.filter(
            Q(code=f.division)
            | Q(name=f.division)
            | Q(pk__in=[f.division] if params_.ref_id("division", f.division) is not None else [])
        ).first()
        qs = qs.filter(division__path__startswith=division.path) if division else qs.none()
    if params_.year_of(f.year):
        qs = qs.filter(years__year=f.year)
        if f.level:
            qs = qs.filter(years__level=f.level)
    elif f.level:
        # Listed at this level in any year: a semi-join, so a project listed twice appears once.
        qs = qs.filter(pk__in=ProjectYear.objects.filter(level=f.level).values("project_id"))
    if f.stage:
        qs = qs.filter(stage=f.stage)
    if f.industry:
        qs = (
            qs.filter(industry_chain_id=f.industry)
            if params_.ref_id("industry", f.industry) is not None
            else qs.filter(industry_chain__name=f.industry)
        )
    if f.unit:
        qs = (
            qs.filter(responsible_unit_id=f.unit)
            if params_.ref_id("unit", f.unit) is not None
            else qs.filter(responsible_unit__name=f.unit)
        )
    if f.q:
        term = f.q.lower()
        qs = qs.filter(
            Q(name__icontains=f.q) | Q(code__icontains=f.q) | Q(search_key__contains=term)
        )
    return qs.order_by(SORTS.get(f.sort or "", "code"), "pk")


def as_of(f: ProjectFilter, today: dt.date) -> dt.date:
    """The day the list's lights are judged on: the chosen year's (month's) cut-off, else today."""
    return today if f.year is None else cutoff(f.year, f.month, today)


def lit(qs: QuerySet[Project], f: ProjectFilter, today: dt.date) -> QuerySet[Project]:
    """The list's rows with their lights from the database, filtered and sorted by light
    there, so a page reads only its own rows; a list filtered to a year judges that year's
    plan, completion and milestones as of its cut-off, not today."""
    qs = annotate_lights(qs, as_of(f, today), year=f.year, month=f.month)
    if f.light:
        qs = qs.filter(light=f.light)
    if f.sort in {"light", "-light"}:
        qs = qs.order_by(f"{'-' if f.sort == '-light' else ''}light_rank", "code", "pk")
    return qs


def statuses_of(
    projects: list[Project], f: ProjectFilter, today: dt.date
) -> dict[int, ProjectStatus]:
    """Plan, completion and light with its reasons for the rows of one page."""
    return project_statuses(projects, as_of(f, today), year=f.year, month=f.month)
