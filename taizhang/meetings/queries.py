"""Reading meetings and instructions: filters shared by the list page, its export and the API."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from taizhang.core import params
from taizhang.core.models import Division
from taizhang.core.scope import Scope
from taizhang.matters.models import Matter
from taizhang.matters.timing import annotate_timing
from taizhang.meetings.models import Decision, Instruction, Meeting, MeetingKind

LIGHT_LABELS = {"red": "红灯", "yellow": "黄灯", "green": "绿灯"}


@dataclass
class MeetingFilter:
    kind: str | None = None
    year: int | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    chair: int | None = None
    q: str | None = None

    @classmethod
    def from_params(cls, p: Any) -> MeetingFilter:
        """From a query string, each value through core.params (a bad one is a clear 400)."""
        return cls(
            kind=params.choice_param(p, "kind", MeetingKind.values),
            year=params.year_param(p),
            date_from=params.date_param(p, "date_from"),
            date_to=params.date_param(p, "date_to"),
            chair=params.ref_id("chair", (p.get("chair") or "").strip() or None),
            q=((p.get("q") or "").strip()[:60] or None),
        )


def filter_meetings(
    scope: Scope, f: MeetingFilter, division: Division | None = None
) -> QuerySet[Meeting]:
    qs = Meeting.objects.select_related("division", "chair")
    if division is not None:
        qs = qs.filter(division__path__startswith=division.path)
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.year:
        qs = qs.filter(date__year=f.year)
    if f.date_from:
        qs = qs.filter(date__gte=f.date_from)
    if f.date_to:
        qs = qs.filter(date__lte=f.date_to)
    if f.chair:
        qs = qs.filter(chair_id=f.chair)
    if f.q:
        qs = qs.filter(
            Q(title__icontains=f.q) | Q(doc_number__icontains=f.q) | Q(place__icontains=f.q)
        )
    qs = scope.filter(qs)
    # Counted in a subquery: the scope's distinct join must not multiply the count.
    count = (
        Decision.objects.filter(meeting=OuterRef("pk"))
        .order_by()
        .values("meeting")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return qs.annotate(decision_count=Coalesce(Subquery(count), 0)).order_by("-date", "-id")


def decision_rows(scope: Scope, meetings: QuerySet[Meeting], as_of: dt.date) -> list[Decision]:
    """The user's decisions of these meetings, each with its task's light as of `as_of`
    (matters.timing.annotate_timing: the database decides red/yellow/green)."""
    tasks = annotate_timing(
        Matter.objects.select_related("lead_unit", "task").prefetch_related("co_units"), as_of
    )
    decisions = scope.filter(
        Decision.objects.filter(meeting__in=meetings.values("pk")).select_related(
            "meeting", "problem"
        )
    )
    rows = list(decisions.order_by("-meeting__date", "meeting_id", "order"))
    found = {m.pk: m for m in tasks.filter(pk__in=[d.matter_id for d in rows])}
    for d in rows:
        d.task_row = found[d.matter_id]
        d.light_label = LIGHT_LABELS.get(d.task_row.light, "—")
    return rows


def filter_instructions(scope: Scope, division: Division | None = None) -> QuerySet[Instruction]:
    qs = Instruction.objects.select_related(
        "leader", "on_matter", "on_project", "task", "task__lead_unit", "division"
    )
    if division is not None:
        qs = qs.filter(division__path__startswith=division.path)
    return scope.filter(qs).order_by("-given_on", "-id")


def instructions_on(scope: Scope, obj: Any) -> QuerySet[Instruction]:
    """The instructions given on a matter or a project, as the user may see them."""
    from taizhang.projects.models import Project

    qs = Instruction.objects.select_related("leader", "task", "task__lead_unit")
    if isinstance(obj, Project):
        qs = qs.filter(on_project=obj)
    else:
        qs = qs.filter(on_matter=obj)
    return scope.filter(qs).order_by("-given_on", "-id")


__all__ = [
    "MeetingFilter",
    "decision_rows",
    "filter_instructions",
    "filter_meetings",
    "instructions_on",
]
