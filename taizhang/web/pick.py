"""The searchable picker's server half: one JSON search per kind of choice (GET /pick/<kind>/).

Each kind names the queryset a form field accepts for a user (`choices(kind, scope)`), so
the picker offers exactly what the form will validate, and how to search and label it.
A search filters and slices in the database (never the whole table): name substring,
pinyin initials or full pinyin through the stored `search_key`, and for enterprises the
统一社会信用代码 (also in their search_key). PAGE rows a page, one query a page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.db.models import F, Q, QuerySet
from django.db.models.functions import Lower
from django.http import Http404, HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

from taizhang.core.models import Person, Role
from taizhang.core.scope import Scope, scope_of
from taizhang.enterprises.models import Enterprise
from taizhang.matters.models import Kind as MatterKind
from taizhang.matters.models import Matter
from taizhang.projects.models import Project

PAGE = 20
MAX_QUERY = 60


@dataclass(frozen=True)
class Kind:
    """One kind of choice: who may pick from what, the columns a result needs, and its label."""

    rows: Callable[[Scope], QuerySet]
    fields: tuple[str, ...]
    label: Callable[[dict], str]
    sub: Callable[[dict], str] = lambda row: ""
    # The columns matched by a plain substring besides search_key (codes are ASCII).
    codes: tuple[str, ...] = ()
    # The column a pick submits: the row's id, or a code where the page's filter takes codes.
    key: str = "pk"


def _leaders(scope: Scope) -> QuerySet[Person]:
    return Person.objects.filter(division__in=scope.divisions, is_leader=True)


def _problems(scope: Scope) -> QuerySet[Matter]:
    # Problems have a title, not a name: the search runs on the title (no pinyin key).
    rows = scope.filter(Matter.objects.filter(kind=MatterKind.ENTERPRISE_PROBLEM))
    return rows.annotate(name=F("title"), search_key=Lower("title"))


def _person_label(row: dict) -> str:
    return f"{row['name']}（{row['position']}）" if row["position"] else row["name"]


KINDS: dict[str, Kind] = {
    # Enterprises the user may see: a cadre only those in their liaison, a unit its park's.
    "enterprise": Kind(
        rows=lambda scope: scope.filter(Enterprise.objects.all()),
        fields=("pk", "name", "credit_code"),
        label=lambda row: row["name"],
        sub=lambda row: row["credit_code"],
        codes=("credit_code",),
    ),
    "project": Kind(
        rows=lambda scope: scope.filter(Project.objects.all()),
        fields=("pk", "name", "code"),
        label=lambda row: row["name"],
        sub=lambda row: row["code"],
        codes=("code",),
    ),
    # Places a record may belong to (villages are below what the ledger records).
    "division": Kind(
        rows=lambda scope: scope.divisions.exclude(level="village"),
        fields=("pk", "name", "code"),
        label=lambda row: row["name"],
        sub=lambda row: row["code"],
        codes=("code",),
    ),
    # A list or dashboard filtered by a division takes its code (as links and reports write it);
    # a province has thousands of towns, so the filter is searched, not listed.
    "division_code": Kind(
        rows=lambda scope: scope.divisions.exclude(level="village"),
        fields=("pk", "name", "code"),
        label=lambda row: row["name"],
        sub=lambda row: row["code"],
        codes=("code",),
        key="code",
    ),
    "unit": Kind(
        rows=lambda scope: scope.units,
        fields=("pk", "name", "division__name"),
        label=lambda row: row["name"],
        sub=lambda row: row["division__name"],
    ),
    # Units a matter is handed to: the supervision office itself is not one of them.
    "handling_unit": Kind(
        rows=lambda scope: scope.units.exclude(name__contains="督查室"),
        fields=("pk", "name", "division__name"),
        label=lambda row: row["name"],
        sub=lambda row: row["division__name"],
    ),
    # People of the divisions the user may pick from (liaison cadres, officers).
    "person": Kind(
        rows=lambda scope: Person.objects.filter(division__in=scope.divisions),
        fields=("pk", "name", "position", "unit__name"),
        label=_person_label,
        sub=lambda row: row["unit__name"] or "",
    ),
    # Enterprise problems the user may see (items and decisions of a meeting).
    "problem": Kind(
        rows=_problems,
        fields=("pk", "name", "enterprise__name"),
        label=lambda row: row["name"],
        sub=lambda row: row["enterprise__name"] or "",
    ),
    # County-level leaders (责任领导, 包联领导, leaders joining a visit).
    "leader": Kind(
        rows=_leaders,
        fields=("pk", "name", "position", "unit__name"),
        label=_person_label,
        sub=lambda row: row["unit__name"] or "",
    ),
}


def choices(kind: str, scope: Scope) -> QuerySet:
    """The rows of `kind` this user may pick: the queryset a form field validates against."""
    return KINDS[kind].rows(scope)


def search(kind: str, scope: Scope, q: str, page: int = 1) -> tuple[list[dict], bool]:
    """One page of matches and whether there are more; one query."""
    spec = KINDS[kind]
    rows = spec.rows(scope)
    term = " ".join(q.split())[:MAX_QUERY]
    if term:
        lowered = term.lower()
        # search_key holds "name initials pinyin" (and a credit code for enterprises),
        # lower-cased: "xty" and "xintuoyang" both find 新拓洋.
        match = Q(name__icontains=term) | Q(search_key__contains=lowered.replace(" ", ""))
        for column in spec.codes:
            match |= Q(**{f"{column}__istartswith": term})
        rows = rows.filter(match)
    page = max(page, 1)
    start = (page - 1) * PAGE
    found = list(rows.order_by("name", "pk").values(*spec.fields)[start : start + PAGE + 1])
    results = [
        {"id": row[spec.key], "text": spec.label(row), "sub": spec.sub(row) or ""}
        for row in found[:PAGE]
    ]
    return results, len(found) > PAGE


@login_required
@require_GET
def pick(request: HttpRequest, kind: str) -> JsonResponse:
    """`{"results": [{"id", "text", "sub"}], "more": bool}` for the picker widget."""
    if kind not in KINDS:
        raise Http404("没有这种选择项")
    scope = scope_of(request)
    # Pickers serve staff forms; an enterprise user or a user without a role picks nothing.
    if scope.role in (None, Role.ENTERPRISE):
        raise Http404("没有这种选择项")
    try:
        page = int(request.GET.get("page") or 1)
    except ValueError:
        page = 1
    results, more = search(kind, scope, request.GET.get("q", ""), min(page, 500))
    return JsonResponse({"results": results, "more": more})
