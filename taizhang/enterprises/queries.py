"""Enterprise search and filters, shared by the web list and the API."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery

from taizhang.core import params as params_
from taizhang.core.scope import Scope
from taizhang.enterprises.models import Enterprise, Liaison, Visit, active_on
from taizhang.lib.credit_code import normalize


@dataclass
class EnterpriseFilter:
    q: str | None = None
    division: str | None = None
    category: str | None = None
    park: str | None = None
    industry: str | None = None
    liaison: str | None = None  # "yes" / "no"
    unvisited_days: int | None = None

    @classmethod
    def from_params(cls, params: Any) -> EnterpriseFilter:
        def get(key: str) -> str | None:
            value = params.get(key)
            return value.strip() if isinstance(value, str) and value.strip() else None

        return cls(
            q=get("q"),
            division=get("division"),
            category=get("category"),
            park=get("park"),
            industry=get("industry"),
            liaison=get("liaison"),
            unvisited_days=params_.days_param(params, "unvisited"),
        )


def search(qs: QuerySet[Enterprise], term: str) -> QuerySet[Enterprise]:
    """By name, pinyin (initials or full) or credit code."""
    code = normalize(term)
    return qs.filter(
        Q(name__icontains=term)
        | Q(search_key__contains=term.lower())
        | Q(credit_code__startswith=code)
    )


def filter_enterprises(scope: Scope, f: EnterpriseFilter, today: dt.date) -> QuerySet[Enterprise]:
    qs = scope.filter(Enterprise.objects.all()).select_related("division", "park", "industry_chain")
    if f.q:
        qs = search(qs, f.q)
    if f.division:
        d = scope.divisions.filter(Q(code=f.division) | Q(name=f.division)).first()
        qs = qs.filter(division__path__startswith=d.path) if d else qs.none()
    if f.category == "none":
        qs = qs.filter(category="")
    elif f.category == "sishang":
        qs = qs.exclude(category="")
    elif f.category:
        qs = qs.filter(category=f.category)
    if f.park and params_.ref_id("park", f.park) is not None:
        qs = qs.filter(park_id=f.park)
    if f.industry and params_.ref_id("industry", f.industry) is not None:
        qs = qs.filter(industry_chain_id=f.industry)
    covered = Exists(Liaison.objects.filter(active_on(today), enterprise=OuterRef("pk")))
    if f.liaison == "yes":
        qs = qs.filter(covered)
    elif f.liaison == "no":
        qs = qs.exclude(covered)
    if f.unvisited_days is not None:
        params_.int_param(
            {"unvisited": f.unvisited_days}, "unvisited", lo=0, hi=params_.DAYS_MAX, label="天数"
        )
        qs = not_visited_since(qs, today - dt.timedelta(days=f.unvisited_days))
    # A correlated subquery, not Max over a join: the join would GROUP BY every enterprise
    # in scope before one page could be cut; this is evaluated for the page's rows only.
    last = Visit.objects.filter(enterprises=OuterRef("pk")).order_by("-date").values("date")[:1]
    return qs.annotate(last_visit=Subquery(last)).order_by("name", "pk")


def not_visited_since(qs: QuerySet[Enterprise], since: dt.date) -> QuerySet[Enterprise]:
    """Enterprises with no visit, forum or service day on or after `since`."""
    recent = Visit.objects.filter(enterprises=OuterRef("pk"), date__gte=since)
    return qs.exclude(Exists(recent))
