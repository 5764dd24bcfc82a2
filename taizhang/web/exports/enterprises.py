"""Exports of the enterprise list and the visit list: the rows the page shows, its filters, scope only."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, HttpResponseBase
from django.utils import timezone

from taizhang.core import params as params_
from taizhang.core.models import Role
from taizhang.core.scope import Scope, scope_of
from taizhang.enterprises.models import Enterprise, Liaison, Visit, VisitKind, active_on
from taizhang.enterprises.queries import EnterpriseFilter, filter_enterprises
from taizhang.exports.http import download
from taizhang.exports.render import Column, Table
from taizhang.exports.rows import Labels, batches
from taizhang.matters.models import Matter


def _fmt(fmt: str, scope: Scope) -> None:
    if fmt not in {"xlsx", "csv"}:
        raise Http404("不支持的导出格式")
    if scope.role == Role.ENTERPRISE:
        raise PermissionDenied("企业用户请在企业服务门户查看本企业信息")


ENTERPRISE_COLUMNS = [
    Column("企业名称", "text", 30),
    Column("统一社会信用代码", "text", 22),
    Column("所属区划", "text", 12),
    Column("四上类别", "text", 14),
    Column("所在园区", "text", 16),
    Column("产业链", "text", 12),
    Column("包联人", "text", 24),
    Column("最近走访", "date", 12),
]


def enterprise_rows(qs: QuerySet[Enterprise], today: dt.date) -> Iterator[list]:
    """The export's rows, read chunk by chunk; each chunk's liaisons in one query."""
    label = Labels()
    for batch in batches(qs):
        names: dict[int, list[str]] = {}
        for lia in Liaison.objects.filter(
            active_on(today), enterprise_id__in=[e.pk for e in batch]
        ).select_related("person"):
            names.setdefault(lia.enterprise_id, []).append(
                f"{lia.person.name}（{label(lia, 'role')}）"
            )
        for e in batch:
            yield [
                e.name,
                e.credit_code,
                e.division.name,
                label(e, "category") or "非四上",
                e.park.name if e.park else "",
                e.industry_chain.name if e.industry_chain else "",
                "、".join(names.get(e.pk, [])),
                e.last_visit,
            ]


@login_required
def enterprise_export(request: HttpRequest, fmt: str) -> HttpResponseBase:
    scope = scope_of(request)
    _fmt(fmt, scope)
    today = timezone.localdate()
    qs = filter_enterprises(scope, EnterpriseFilter.from_params(request.GET), today)
    table = Table(
        title="包联企业台账",
        columns=ENTERPRISE_COLUMNS,
        rows=enterprise_rows(qs, today),
        unit_name=scope.filler_name,
        as_of=today,
        sheet_name="包联企业",
    )
    return download(table, fmt, "包联企业台账")


def visits_filtered(scope: Scope, params: Any) -> QuerySet[Visit]:
    """The visit list's rows, for the page and its export: scope, kind and year filters."""
    # Count problems in a subquery: an annotation over the scope's joins would multiply rows.
    raised = (
        Matter.objects.filter(visit=OuterRef("pk"))
        .order_by()
        .values("visit")
        .annotate(n=Count("pk"))
        .values("n")
    )
    qs = (
        scope.filter(Visit.objects.all())
        .prefetch_related("enterprises", "persons")
        .annotate(problem_count=Coalesce(Subquery(raised), 0))
    )
    kind = params.get("kind") or ""
    if kind in VisitKind.values:
        qs = qs.filter(kind=kind)
    year = params_.year_param(params)
    if year is not None:
        qs = qs.filter(date__year=year)
    return qs.order_by("-date", "-id")


def visit_rows(qs: QuerySet[Visit]) -> Iterator[list]:
    # Through the chunked iterator: its enterprises and persons are prefetched per chunk.
    label = Labels()
    for batch in batches(qs):
        for v in batch:
            yield [
                v.date,
                label(v, "kind"),
                v.title,
                "、".join(e.name for e in v.enterprises.all()),
                "、".join(p.name for p in v.persons.all()),
                v.notes,
            ]


@login_required
def visit_export(request: HttpRequest, fmt: str) -> HttpResponseBase:
    scope = scope_of(request)
    _fmt(fmt, scope)
    table = Table(
        title="走访与座谈登记台账",
        columns=[
            Column("日期", "date", 12),
            Column("类型", "text", 10),
            Column("主题", "text", 30),
            Column("走访企业", "text", 36),
            Column("参加人员", "text", 24),
            Column("情况记录", "text", 40),
        ],
        rows=visit_rows(visits_filtered(scope, request.GET)),
        unit_name=scope.filler_name,
        as_of=timezone.localdate(),
        sheet_name="走访座谈",
    )
    return download(table, fmt, "走访与座谈")
