"""API for 推进会 (meetings, their decisions and minutes) and 领导批示 (instructions).

Same scope (Scope.filter / Scope.get: 404 outside it), the same do_* functions and the same
figures function as the web pages (taizhang/web/meetings.py).
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import quote

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from taizhang.api.schemas import After, Count, Id, Limit, Month, Offset, PageOut, Year
from taizhang.core.audit_events import record_download
from taizhang.core.models import Role
from taizhang.core.paging import window
from taizhang.core.periods import chosen_division
from taizhang.core.scope import Scope, scope_of
from taizhang.lib.numbers import contract_decimal
from taizhang.meetings import services
from taizhang.meetings.figures import meeting_figures
from taizhang.meetings.minutes import build_minutes, minutes_filename
from taizhang.meetings.models import Decision, Instruction, Meeting
from taizhang.meetings.queries import (
    MeetingFilter,
    decision_rows,
    filter_instructions,
    filter_meetings,
)

router = Router(tags=["推进会和领导批示"])
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _staff(request: HttpRequest) -> Scope:
    scope = scope_of(request)
    if scope.role == Role.ENTERPRISE:
        raise PermissionDenied("企业账号不查看会议和批示")
    return scope


class DecisionOut(Schema):
    order: int
    text: str
    task_id: Id
    task_number: str
    lead_unit: str | None
    co_units: list[str]
    deadline: dt.date | None
    status: str
    status_label: str
    finished_on: dt.date | None
    light: str | None = Field(None, description="red / yellow / green（按办理时限）")
    late_workdays: int | None
    problem_id: Id | None


class ItemOut(Schema):
    kind: str = Field(description="project / enterprise / problem")
    id: Id
    name: str


class MeetingOut(Schema):
    id: int
    kind: str
    kind_label: str
    title: str
    date: dt.date
    place: str
    division: str
    chair: str
    chair_id: Id
    doc_number: str
    decision_count: Count
    attendees: list[str] | None = None
    attendee_units: list[str] | None = None
    summary: str | None = None
    items: list[ItemOut] | None = None
    decisions: list[DecisionOut] | None = None


class MeetingPage(PageOut):
    items: list[MeetingOut]


def _decision(d: Decision) -> dict[str, Any]:
    m = d.task_row
    return {
        "order": d.order,
        "text": d.text,
        "task_id": m.pk,
        "task_number": m.number,
        "lead_unit": m.lead_unit.name if m.lead_unit_id else None,
        "co_units": [u.name for u in m.co_units.all()],
        "deadline": m.deadline,
        "status": m.status,
        "status_label": m.get_status_display(),
        "finished_on": m.finished_on,
        "light": m.light,
        "late_workdays": m.late_workdays,
        "problem_id": d.problem_id,
    }


def _meeting(scope: Scope, m: Meeting, *, full: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": m.pk,
        "kind": m.kind,
        "kind_label": m.get_kind_display(),
        "title": m.title,
        "date": m.date,
        "place": m.place,
        "division": m.division.name,
        "chair": m.chair.name,
        "chair_id": m.chair_id,
        "doc_number": m.doc_number,
        "decision_count": getattr(m, "decision_count", None) or m.decisions.count(),
    }
    if full:
        items = []
        for i in m.items.select_related("project", "enterprise", "problem"):
            if i.project_id:
                items.append({"kind": "project", "id": i.project_id, "name": i.project.name})
            elif i.enterprise_id:
                items.append(
                    {"kind": "enterprise", "id": i.enterprise_id, "name": i.enterprise.name}
                )
            else:
                items.append({"kind": "problem", "id": i.problem_id, "name": i.problem.title})
        rows = decision_rows(scope, Meeting.objects.filter(pk=m.pk), timezone.localdate())
        out.update(
            attendees=[p.name for p in m.attendees.all()],
            attendee_units=[u.name for u in m.attendee_units.all()],
            summary=m.summary,
            items=items,
            decisions=[_decision(d) for d in rows],
        )
    return out


class MeetingParams(Schema):
    kind: str | None = Field(None, description="progress 推进会 / topic 专题会 / site 现场会")
    year: Year | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    chair: Id | None = None
    q: str | None = None
    division: str | None = Field(None, description="区划代码或名称；默认全部可见")
    offset: Offset = 0
    limit: Limit = 100
    after: After = None


@router.get("/meetings", response=MeetingPage, summary="会议列表（与网页相同的筛选和权限）")
def list_meetings(request: HttpRequest, params: Query[MeetingParams]):
    scope = _staff(request)
    raw = {
        k: ("" if v is None else str(v))
        for k, v in params.dict(exclude={"offset", "limit", "after"}).items()
    }
    f = MeetingFilter.from_params(raw)
    division = chosen_division(scope, params.division) if params.division else None
    qs = filter_meetings(scope, f, division)
    page = window(qs, offset=params.offset, limit=params.limit, after=params.after)
    return page.as_dict([_meeting(scope, m) for m in page.items])


@router.get(
    "/meetings/figures", summary="会议及议定事项落实情况（召开会议、议定事项、按时办结、逾期）"
)
def figures_endpoint(
    request: HttpRequest,
    division: str | None = None,
    year: Year | None = None,
    month: Month | None = None,
):
    """Counts as of the period's last day (today while it runs); `formulas` says how each is
    computed. The web page shows the same function's answer."""
    scope = scope_of(request)
    d = chosen_division(scope, division)  # first: another district is 404, not 403
    _staff(request)
    if d is None:
        raise PermissionDenied("您的账号尚未分配区划或单位")
    fig = meeting_figures(scope, d, year or timezone.localdate().year, month)
    return {
        "division": {"code": d.code, "name": d.name},
        "year": fig["year"],
        "month": fig["month"],
        "as_of": fig["as_of"],
        "meetings": fig["meetings"],
        "by_kind": fig["by_kind"],
        "decisions": fig["decisions"],
        "done": fig["done"],
        "done_on_time": fig["done_on_time"],
        "overdue": fig["overdue"],
        "open": fig["open"],
        "on_time_rate_pct": contract_decimal(fig["on_time_rate_pct"]),
        "by_month": fig["by_month"],
        "formulas": fig["formulas"],
    }


@router.get(
    "/meetings/{pk}", response=MeetingOut, summary="会议详情（议题、议定事项及其办理状态和亮灯）"
)
def get_meeting(request: HttpRequest, pk: Id):
    scope = scope_of(request)
    return _meeting(
        scope, scope.get(Meeting.objects.select_related("division", "chair"), pk), full=True
    )


class DecisionIn(Schema):
    text: str = Field(max_length=2000)
    lead_unit_id: Id
    co_unit_ids: list[Id] = []
    deadline: dt.date
    problem_id: Id | None = None
    leader_id: Id | None = None


class MeetingIn(Schema):
    kind: str = Field("progress", description="progress / topic / site")
    title: str = ""
    date: dt.date
    place: str = ""
    division: str | None = Field(None, description="区划代码或名称；默认本人区划")
    chair_id: Id
    attendee_ids: list[Id] = []
    attendee_unit_ids: list[Id] = []
    summary: str = ""
    project_ids: list[Id] = []
    enterprise_ids: list[Id] = []
    problem_ids: list[Id] = []
    decisions: list[DecisionIn] = Field(
        description="议定事项：每条转为一项督办任务（来源：会议议定）"
    )


@router.post(
    "/meetings",
    response={201: MeetingOut},
    summary="登记会议及议定事项（一次提交，每条议定事项转为督办任务）",
)
def create_meeting(request: HttpRequest, payload: MeetingIn):
    scope = scope_of(request)
    data: dict[str, Any] = {
        "kind": payload.kind,
        "title": payload.title,
        "date": payload.date,
        "place": payload.place,
        "chair": payload.chair_id,
        "attendees": payload.attendee_ids,
        "attendee_units": payload.attendee_unit_ids,
        "summary": payload.summary,
        "projects": payload.project_ids,
        "enterprises": payload.enterprise_ids,
        "problems": payload.problem_ids,
        "decisions": [
            {
                "text": d.text,
                "lead_unit": d.lead_unit_id,
                "co_units": d.co_unit_ids,
                "deadline": d.deadline,
                "problem": d.problem_id,
                "leader": d.leader_id,
            }
            for d in payload.decisions
        ],
    }
    if payload.division:
        data["division"] = scope.division_by_ref(payload.division)
    m = services.do_create_meeting(scope, data)
    return Status(201, _meeting(scope, m, full=True))


@router.get("/meetings/{pk}/minutes", summary="下载会议纪要（.docx，GB/T 9704 版式）")
def minutes(request: HttpRequest, pk: Id):
    scope = scope_of(request)
    m = scope.get(Meeting.objects.select_related("division", "chair"), pk)
    response = HttpResponse(build_minutes(m), content_type=DOCX)
    record_download(f"{m.doc_number}会议纪要", "docx", request=request)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(minutes_filename(m))}"
    return response


class InstructionOut(Schema):
    id: int
    leader: str
    leader_id: Id
    text: str
    given_on: dt.date
    subject: str
    on_matter_id: Id | None
    on_project_id: Id | None
    doc_title: str
    task_id: Id
    task_title: str
    task_status: str
    lead_unit: str | None
    deadline: dt.date | None


def _instruction(i: Instruction) -> dict[str, Any]:
    return {
        "id": i.pk,
        "leader": i.leader.name,
        "leader_id": i.leader_id,
        "text": i.text,
        "given_on": i.given_on,
        "subject": i.subject,
        "on_matter_id": i.on_matter_id,
        "on_project_id": i.on_project_id,
        "doc_title": i.doc_title,
        "task_id": i.task_id,
        "task_title": i.task.title,
        "task_status": i.task.status,
        "lead_unit": i.task.lead_unit.name if i.task.lead_unit_id else None,
        "deadline": i.task.deadline,
    }


class InstructionPage(PageOut):
    items: list[InstructionOut]


@router.get("/instructions", response=InstructionPage, summary="领导批示列表（每条已转为督办任务）")
def list_instructions(
    request: HttpRequest,
    division: str | None = None,
    offset: Offset = 0,
    limit: Limit = 100,
    after: After = None,
):
    scope = _staff(request)
    d = chosen_division(scope, division) if division else None
    qs = filter_instructions(scope, d)
    page = window(qs, offset=offset, limit=limit, after=after)
    return page.as_dict([_instruction(i) for i in page.items])


class InstructionIn(Schema):
    leader_id: Id
    text: str = Field(max_length=2000)
    given_on: dt.date
    on_matter_id: Id | None = Field(None, description="批示的事项（问题、任务）")
    on_project_id: Id | None = Field(None, description="批示的项目")
    doc_title: str = Field("", description="批示的文件标题（不针对事项或项目时）")
    division: str | None = None
    lead_unit_id: Id
    co_unit_ids: list[Id] = []
    deadline: dt.date | None = None


@router.post("/instructions", response={201: InstructionOut}, summary="领导批示转督办任务")
def create_instruction(request: HttpRequest, payload: InstructionIn):
    scope = scope_of(request)
    data = {
        "leader": payload.leader_id,
        "text": payload.text,
        "given_on": payload.given_on,
        "on_matter": payload.on_matter_id,
        "on_project": payload.on_project_id,
        "doc_title": payload.doc_title,
        "lead_unit": payload.lead_unit_id,
        "co_units": payload.co_unit_ids,
        "deadline": payload.deadline,
    }
    if payload.division:
        data["division"] = scope.division_by_ref(payload.division)
    ins = services.do_create_instruction(scope, data)
    return Status(201, _instruction(ins))


# Mounted by taizhang/api/api.py; route modules never import it (they are leaves).
ROUTERS = [router]
