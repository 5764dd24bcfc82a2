"""The "today" page (今日待办): what waits for the signed-in person, red first, one tap to act.

Built for the phone: a liaison cadre, a unit clerk or an enterprise user opens it between
visits. It reads the same "my work" query as /my/ (taizhang.matters.queries.my_work, through
the scope) with the lights computed by the database (annotate_timing), so the counts, the
filter and the paging happen in SQL and the page costs the same number of queries however
many items wait. Also here: the landing after login, which sends each role to its first page.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from taizhang.core.models import Role
from taizhang.core.paging import CappedPaginator
from taizhang.core.scope import Scope, scope_of
from taizhang.lib.lights import LightResult
from taizhang.matters import services, steps
from taizhang.matters.models import Matter
from taizhang.matters.queries import my_work, page_lights
from taizhang.matters.timing import annotate_timing
from taizhang.web.links import matter_url

PER_PAGE = 20
# ?show= → the SQL light it keeps; "all" keeps everything, red first.
SHOWS = {"all": None, "red": "red", "yellow": "yellow"}


@dataclass(frozen=True)
class TodayItem:
    """One card: the matter, its light, where to act and the steps this person may take."""

    matter: Matter
    light: LightResult | None
    url: str
    actions: list[tuple[str, str]]  # (action code, label)


def detail_url(scope: Scope, m: Matter) -> str:
    """The page holding the matter's step forms, for this person's role."""
    return matter_url(scope.role, m.kind, m.pk)


def waiting(scope: Scope, today_: dt.date) -> QuerySet[Matter]:
    """My work with the database's lights, red first, then the nearest deadline."""
    return (
        annotate_timing(my_work(scope), today_)
        .prefetch_related("co_units")
        .order_by("light_rank", "deadline", "id")
    )


def items_of(scope: Scope, rows: list[Matter], today_: dt.date) -> list[TodayItem]:
    lights = {m.pk: light for m, light in page_lights(rows, today_)}
    out = []
    for m in rows:
        labels = {a: t.label for a, t in steps.transitions(m.kind).items()}
        acts = [(a, labels.get(a, a)) for a in services.allowed_actions(scope, m)]
        out.append(TodayItem(m, lights.get(m.pk), detail_url(scope, m), acts))
    return out


@login_required
def today_page(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request)
    today_ = timezone.localdate()
    show = request.GET.get("show") or "all"
    if show not in SHOWS:
        show = "all"
    qs = waiting(scope, today_)
    counts = qs.order_by().aggregate(
        total=Count("pk"),
        red=Count("pk", filter=Q(light="red")),
        yellow=Count("pk", filter=Q(light="yellow")),
    )
    if SHOWS[show]:
        qs = qs.filter(light=SHOWS[show])
    page = CappedPaginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "web/today.html",
        {
            "items": items_of(scope, list(page.object_list), today_),
            "page": page,
            "counts": counts,
            "show": show,
            "today": today_,
        },
    )


@login_required
def landing(request: HttpRequest) -> HttpResponse:
    """Where login sends you: the office and leaders to the dashboard (the desk view),
    enterprise users to their portal, units and cadres to their today page."""
    scope = scope_of(request)
    if scope.role == Role.ENTERPRISE:
        return redirect("portal")
    if scope.role in {Role.UNIT, Role.CADRE}:
        return redirect("today")
    return redirect("dashboard")
