"""The audit log: read-only, filterable, exportable; the audit administrator's alone (三权分立).

The supervision office keeps each record's own trail on that record's page.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from taizhang.core import chain
from taizhang.core.models import AuditEntry
from taizhang.core.paging import CappedPaginator
from taizhang.core.scope import Scope, scope_of
from taizhang.exports.http import download
from taizhang.exports.render import Column, Table


def _date(raw: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


def audit_entries(scope: Scope, params) -> QuerySet[AuditEntry]:
    qs = scope.audit_entries(AuditEntry.objects.all())
    q = (params.get("q") or "").strip()
    if q:
        qs = qs.filter(
            Q(object_repr__icontains=q) | Q(actor_name__icontains=q) | Q(verb__icontains=q)
        )
    if params.get("source") in AuditEntry.Source.values:
        qs = qs.filter(source=params["source"])
    if params.get("action") in AuditEntry.Action.values:
        qs = qs.filter(action=params["action"])
    start, end = _date(params.get("start")), _date(params.get("end"))
    tz = timezone.get_current_timezone()
    if start:
        qs = qs.filter(at__gte=dt.datetime.combine(start, dt.time(), tz))
    if end:
        qs = qs.filter(at__lt=dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), tz))
    return qs.order_by("-at", "-id")


CHAIN_CHECK = 200


def _changes_text(entry: AuditEntry) -> str:
    parts = []
    for key, pair in entry.changes.items():
        if key.startswith("__"):
            continue
        before, after = (pair + [None, None])[:2] if isinstance(pair, list) else (None, pair)
        parts.append(
            f"{key}：{before if before not in (None, '') else '—'} → {after if after not in (None, '') else '—'}"
        )
    return "；".join(parts)


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request)
    qs = audit_entries(scope, request.GET)
    page = CappedPaginator(qs, 50).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "web/audit.html",
        {
            "page": page,
            "rows": [(e, _changes_text(e)) for e in page.object_list],
            "params": request.GET,
            "querystring": params.urlencode(),
            "sources": AuditEntry.Source.choices,
            "actions": AuditEntry.Action.choices,
            # The newest entries against each other and the recorded head: cheap on every view;
            # the whole chain is `taizhang audit verify`.
            "chain": chain.verify(last=CHAIN_CHECK),
        },
    )


@login_required
def audit_export(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in {"xlsx", "csv"}:
        raise Http404("不支持的导出格式")
    scope = scope_of(request)
    qs = audit_entries(scope, request.GET)
    rows = (
        [
            timezone.localtime(e.at).replace(tzinfo=None),
            e.actor_name,
            e.get_source_display(),
            e.get_action_display(),
            e.verb,
            e.object_repr,
            _changes_text(e),
            e.ip or "",
        ]
        for e in qs.iterator(chunk_size=2000)
    )
    table = Table(
        title="审计日志",
        columns=[
            Column("时间", "datetime", 17),
            Column("操作人", "text", 12),
            Column("来源", "text", 8),
            Column("动作", "text", 6),
            Column("说明", "text", 14),
            Column("对象", "text", 28),
            Column("变更内容", "text", 60),
            Column("IP", "text", 14),
        ],
        rows=rows,
        unit_name=scope.filler_name,
        as_of=timezone.localdate(),
        sheet_name="审计日志",
    )
    return download(table, fmt, "审计日志")
