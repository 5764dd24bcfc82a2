"""推进会 and 领导批示 pages: the meetings list with its figures, the registration form with
its decision rows, the meeting page, the minutes download, the instructions page.
Read through the scope, write through meetings.services."""

from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from taizhang.core import params
from taizhang.core.audit_events import record_download
from taizhang.core.errors import messages_of
from taizhang.core.models import Role
from taizhang.core.paging import CappedPaginator
from taizhang.core.scope import scope_of
from taizhang.exports.http import download
from taizhang.matters.models import Matter
from taizhang.meetings import services
from taizhang.meetings.exports import decision_table, decisions_in_chunks
from taizhang.meetings.figures import meeting_figures
from taizhang.meetings.minutes import build_minutes, minutes_filename
from taizhang.meetings.models import Meeting, MeetingKind
from taizhang.meetings.queries import (
    MeetingFilter,
    decision_rows,
    filter_instructions,
    filter_meetings,
)
from taizhang.projects.models import Project
from taizhang.web.common import kept_next, page_division, safe_next
from taizhang.web.forms.base import consume_token
from taizhang.web.forms.widgets import picked

PAGE = 30
DEFAULT_ROWS = 2
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _staff(request: HttpRequest):
    scope = scope_of(request)
    if scope.role == Role.ENTERPRISE:
        raise PermissionDenied("企业账号不查看会议和批示")
    return scope


@login_required
def meeting_list(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request)
    if scope.role == Role.ENTERPRISE:
        return redirect("portal")
    f = MeetingFilter.from_params(request.GET)
    division = page_division(request, scope)
    today = timezone.localdate()
    month = params.month_param(request.GET)
    qs = filter_meetings(scope, f, division)
    # Without a chosen year the figures are those of the latest year with a meeting in view
    # (a district whose meetings ended last year does not open on a year of zeros).
    latest = qs.order_by("-date").values_list("date", flat=True).first()
    year = f.year or (latest.year if latest else today.year)
    fig = meeting_figures(scope, division, year, month) if division is not None else None
    page = CappedPaginator(qs, PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "meetings/list.html",
        {
            "f": f,
            "fig": fig,
            "year": year,
            "month": month,
            "division": division,
            "page": page,
            "rows": page.object_list,
            "count": page.paginator.count_label,
            "querystring": query.urlencode(),
            "kinds": MeetingKind.choices,
            "can_manage": scope.can_manage,
        },
    )


@login_required
def meeting_export(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in {"xlsx", "csv"}:
        raise Http404("不支持的导出格式")
    scope = _staff(request)
    f = MeetingFilter.from_params(request.GET)
    today = timezone.localdate()
    meetings = filter_meetings(scope, f, page_division(request, scope))
    rows = decisions_in_chunks(scope, meetings, today)
    return download(decision_table(scope, rows, today), fmt, "会议议定事项落实台账")


def _rows_from(post: Any) -> list[dict[str, Any]]:
    count = params.int_param(post, "rows", lo=1, hi=services.MAX_DECISIONS, default=DEFAULT_ROWS)
    rows = []
    for i in range(count or DEFAULT_ROWS):
        rows.append(
            {
                "text": post.get(f"d-{i}-text", "").strip(),
                "lead_unit": picked(post, f"d-{i}-lead_unit"),
                "co_units": picked(post, f"d-{i}-co_units", multiple=True),
                "deadline": post.get(f"d-{i}-deadline", "").strip(),
                "problem": picked(post, f"d-{i}-problem"),
            }
        )
    return rows


def _meeting_data(post: Any) -> dict[str, Any]:
    return {
        "division": post.get("division", ""),
        "kind": post.get("kind", ""),
        "title": post.get("title", ""),
        "date": post.get("date", ""),
        "place": post.get("place", ""),
        "chair": picked(post, "chair"),
        "attendees": picked(post, "attendees", multiple=True),
        "attendee_units": picked(post, "attendee_units", multiple=True),
        "summary": post.get("summary", ""),
        "projects": picked(post, "projects", multiple=True),
        "enterprises": picked(post, "enterprises", multiple=True),
        "problems": picked(post, "problems", multiple=True),
    }


@login_required
def meeting_new(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request)
    if not scope.can_manage:
        raise PermissionDenied("只有督查室可以登记会议")
    errors: dict[str, list[str]] = {}
    data: dict[str, Any] = {"kind": MeetingKind.PROGRESS, "date": timezone.localdate().isoformat()}
    rows: list[dict[str, Any]] = [{} for _ in range(DEFAULT_ROWS)]
    once = request.POST.get("once_token") or secrets.token_urlsafe(16)
    if request.method == "POST":
        data = _meeting_data(request.POST)
        # Empty rows are dropped before validation, so row i of an error is row i shown again.
        rows = [r for r in _rows_from(request.POST) if services.filled(r)]
        if "more" in request.POST:
            # 再加一条: the same form again with one more empty row, nothing saved.
            rows.append({})
        else:
            try:
                with transaction.atomic():
                    consume_token(request.POST.get("once_token") or "")
                    m = services.do_create_meeting(scope, {**data, "decisions": rows})
                n = m.decisions.count()
                messages.success(request, f"已登记{m.doc_number}，{n}条议定事项已转为督办任务")
                return redirect("meeting_detail", pk=m.pk)
            except ValidationError as e:
                errors = messages_of(e)
        rows = rows or [{}]
    for i, row in enumerate(rows):
        row["n"] = i
        row["errors"] = [m for k, v in errors.items() if k.startswith(f"decisions.{i}.") for m in v]
        row["errors"] += errors.get(f"decisions.{i}", [])
    general = {k: v for k, v in errors.items() if not k.startswith("decisions.")}
    return render(
        request,
        "meetings/new.html",
        {
            "data": data,
            "rows": rows,
            "row_count": len(rows),
            "errors": general,
            "has_errors": bool(errors),
            "once_token": once,
            "kinds": MeetingKind.choices,
            "divisions": scope.divisions.exclude(level="village"),
        },
        status=200,
    )


def _meeting(request: HttpRequest, pk: int) -> Meeting:
    # Outside the scope (an enterprise account included: no rule gives it meetings) is 404.
    scope = scope_of(request)
    return scope.get(Meeting.objects.select_related("division", "chair"), pk)


@login_required
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scope = scope_of(request)
    m = _meeting(request, pk)
    today = timezone.localdate()
    decisions = decision_rows(scope, Meeting.objects.filter(pk=m.pk), today)
    return render(
        request,
        "meetings/detail.html",
        {
            "m": m,
            "items": m.items.select_related("project", "enterprise", "problem"),
            "attendees": m.attendees.all(),
            "units": m.attendee_units.all(),
            "decisions": decisions,
            "hidden": m.decisions.count() - len(decisions),
            "today": today,
        },
    )


@login_required
def meeting_minutes(request: HttpRequest, pk: int) -> HttpResponse:
    m = _meeting(request, pk)
    body = build_minutes(m)
    name = minutes_filename(m)
    # Who downloaded which minutes is audited like every export.
    record_download(f"{m.doc_number}会议纪要", "docx", request=request)
    response = HttpResponse(body, content_type=DOCX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


def _instruction_data(post: Any) -> dict[str, Any]:
    return {
        "leader": picked(post, "leader"),
        "text": post.get("text", ""),
        "given_on": post.get("given_on", ""),
        "on_matter": post.get("on_matter", ""),
        "on_project": post.get("on_project", ""),
        "doc_title": post.get("doc_title", ""),
        "division": post.get("division", ""),
        "lead_unit": picked(post, "lead_unit"),
        "co_units": picked(post, "co_units", multiple=True),
        "deadline": post.get("deadline", ""),
    }


@login_required
def instruction_list(request: HttpRequest) -> HttpResponse:
    """The 批示 page: every instruction the user may see, and (for the office) the form
    批示转督办, also reached from a matter's or a project's page (?on_matter= / ?on_project=)."""
    scope = scope_of(request)
    if request.method == "POST" and not scope.can_manage:
        raise PermissionDenied("只有督查室可以登记领导批示")
    if scope.role == Role.ENTERPRISE:
        return redirect("portal")
    errors: dict[str, list[str]] = {}
    data: dict[str, Any] = {"given_on": timezone.localdate().isoformat()}
    if request.method == "POST":
        data = _instruction_data(request.POST)
        try:
            ins = services.do_create_instruction(scope, data)
            messages.success(
                request, f"已将{ins.leader.name}的批示转为督办任务「{ins.task.title}」"
            )
            return redirect(safe_next(request, f"/tasks/{ins.task_id}/"))
        except ValidationError as e:
            errors = messages_of(e)
    subject = None
    on_matter = params.ref_id("on_matter", data.get("on_matter") or request.GET.get("on_matter"))
    on_project = params.ref_id(
        "on_project", data.get("on_project") or request.GET.get("on_project")
    )
    if on_matter:
        subject = scope.get(Matter.objects.all(), on_matter)
    elif on_project:
        subject = scope.get(Project.objects.all(), on_project)
    division = page_division(request, scope) if request.method == "GET" else None
    page = CappedPaginator(filter_instructions(scope, division), PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "meetings/instructions.html",
        {
            "page": page,
            "rows": page.object_list,
            "querystring": "",
            "data": data,
            "errors": errors,
            "subject": subject,
            "subject_is_project": isinstance(subject, Project),
            "can_manage": scope.can_manage,
            "next": kept_next(request),
        },
    )
