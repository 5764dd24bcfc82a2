"""The petition ledger's filters, shared by the web list, its export and the API list.
Filtering, sorting by light and paging all happen in the database."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from taizhang.core import params as params_
from taizhang.core.scope import Scope
from taizhang.matters.models import Kind, Matter, Status
from taizhang.matters.timing import annotate_timing, light_q
from taizhang.petitions.models import Channel

FLAGS = {
    "repeat": ("重复访", Q(petition__is_repeat=True)),
    "collective": ("集体访", Q(petition__is_collective=True)),
    "skip_level": ("越级访", Q(petition__is_skip_level=True)),
    "key": ("疑难/重点", Q(petition__is_key=True)),
    "leader": ("领导包案", Q(leader__isnull=False)),
    "resolved": ("已化解", Q(petition__resolved_on__isnull=False)),
}
LIGHTS = ("red", "yellow", "green", "none")


@dataclass
class PetitionFilter:
    status: str | None = None
    channel: str | None = None
    flag: str | None = None
    light: str | None = None
    leader: int | None = None
    division: str | None = None
    year: int | None = None
    q: str | None = None
    sort: str | None = None

    @classmethod
    def from_params(cls, params: Any) -> PetitionFilter:
        def text(key: str) -> str | None:
            value = params.get(key)
            return value.strip()[:100] if isinstance(value, str) and value.strip() else None

        return cls(
            status=params_.choice_param(params, "status", Status.values),
            channel=params_.choice_param(params, "channel", Channel.values),
            flag=params_.choice_param(params, "flag", FLAGS),
            light=params_.choice_param(params, "light", LIGHTS),
            leader=params_.int_param(params, "leader", lo=1, hi=params_.ID_MAX, label="包案领导"),
            division=text("division"),
            year=params_.year_param(params),
            q=text("q"),
            sort=params_.choice_param(params, "sort", ("light", "-raised_on")),
        )


def filter_petitions(scope: Scope, f: PetitionFilter, today: dt.date) -> QuerySet[Matter]:
    """The petitions this user sees, filtered, with lights from the database (annotate_timing)."""
    qs = scope.filter(Matter.objects.filter(kind=Kind.PETITION)).select_related(
        "division", "lead_unit", "leader", "petition"
    )
    if f.division:
        d = scope.divisions.filter(Q(code=f.division) | Q(name=f.division)).first()
        qs = qs.filter(division__path__startswith=d.path) if d else qs.none()
    if f.status:
        qs = qs.filter(status=f.status)
    if f.channel:
        qs = qs.filter(petition__channel=f.channel)
    if f.flag:
        qs = qs.filter(FLAGS[f.flag][1])
    if f.leader:
        qs = qs.filter(leader_id=f.leader)
    params_.year_of(f.year)
    if f.year:
        qs = qs.filter(raised_on__year=f.year)
    if f.q:
        # Never by the petitioner's personal data: a search must not reveal who petitioned.
        qs = qs.filter(Q(title__icontains=f.q) | Q(description__icontains=f.q))
    qs = annotate_timing(qs, today)
    if f.light:
        qs = qs.filter(light_q(f.light, today))
    if f.sort == "light":
        return qs.order_by("light_rank", "deadline", "id")
    return qs.order_by("-raised_on", "-id")
