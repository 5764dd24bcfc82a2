"""API for the report extractor, supervision tasks, suggestions, proposals and task drafts.

Same scope (Scope.filter / Scope.get: 404 outside it) and the same do_* functions as the web.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig, ValidationError
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from taizhang.api.schemas import (
    After,
    Count,
    Id,
    Limit,
    Month,
    Offset,
    PageOut,
    StepOut,
    Year,
    step_out,
)
from taizhang.core.paging import window
from taizhang.core.periods import chosen_division
from taizhang.core.scope import Scope, scope_of
from taizhang.lib.extract import extract, parse_outline
from taizhang.lib.periods import cutoff
from taizhang.matters import services as ms
from taizhang.matters.models import Matter
from taizhang.tasks import drafts, services
from taizhang.tasks.models import DraftRow, ReportDraft, plain
from taizhang.tasks.queries import (
    KINDS,
    TaskFilter,
    dashboard_figures,
    filter_tasks,
    statuses,
    with_status,
)
from taizhang.tasks.status import TaskStatus, task_status

router = Router(tags=["督查任务"])


# The extractor -------------------------------------------------------------------


def _too_large() -> Any:
    limit = drafts.max_bytes()
    return {"detail": f"报告内容过大：超过 {limit // 1024} KB 的限制"}


@router.post(
    "/extract",
    summary="从报告中抽取量化指标和重点任务（JSON 的 text 字段，或 multipart 上传 file）",
    response={200: dict, 413: dict, 422: dict},
)
def extract_endpoint(request: HttpRequest):
    """Body: ``{"text": "…", "year": 2024}`` or a multipart form with ``file`` (.txt UTF-8/GBK
    or .docx) and optional ``year``. Answer: ``indicators`` — exactly the objects of
    ``taizhang extract --format json`` — and ``outline``, the qualitative tasks."""
    try:
        if request.content_type and request.content_type.startswith("multipart/"):
            upload = request.FILES.get("file")
            year_raw = request.POST.get("year")
            if upload is None:
                raise ValidationError({"file": ["请上传文件（字段名 file）或以 JSON 提交 text"]})
            if upload.size > drafts.max_bytes():
                return Status(413, _too_large())
            text = drafts.read_upload(upload)
        else:
            try:
                body = json.loads(request.body.decode("utf-8") or "{}")
            except (UnicodeDecodeError, json.JSONDecodeError):
                raise ValidationError({"text": ["请求体不是有效的 UTF-8 JSON"]}) from None
            if not isinstance(body, dict):
                raise ValidationError({"text": ['请求体应为 JSON 对象：{"text": "…"}']})
            text, year_raw = body.get("text"), body.get("year")
            if not isinstance(text, str):
                raise ValidationError({"text": ["请提供报告文本 text（字符串）"]})
            if len(text.encode("utf-8", errors="replace")) > drafts.max_bytes():
                return Status(413, _too_large())
        text = drafts.check_text(text)
    except RequestDataTooBig:
        return Status(413, _too_large())
    year = None
    if year_raw not in (None, ""):
        try:
            year = int(year_raw)
            if not 1900 <= year <= 2100:
                raise ValueError
        except (TypeError, ValueError):
            raise ValidationError({"year": [f"年份无效：{year_raw}"]}) from None
    items = extract(text, year=year)
    return {
        "count": len(items),
        "indicators": [i.to_dict() for i in items],
        "outline": [o.to_dict() for o in parse_outline(text)],
    }


# Tasks -------------------------------------------------------------------------------


class TaskReportOut(Schema):
    id: int
    period: str
    due: dt.date
    submitted_at: dt.datetime
    submitted_on: dt.date
    on_time: bool
    actual_value: str | None
    text: str
    evidence: str
    by: str
    corrections: int


class TaskOut(Schema):
    id: int
    kind: str
    number: str
    title: str
    description: str
    source: str
    source_label: str
    year: Year
    division: str
    lead_unit: str | None
    lead_unit_id: Id | None
    co_units: list[str]
    leader: str | None
    deadline: dt.date | None
    status: str
    status_label: str
    cycle: str
    due_day: int
    target_value: str | None
    target_unit: str
    comparator: str
    actual_value: str | None
    actual_period: str
    progress_pct: str | None
    pace_pct: str | None
    light: str
    light_label: str
    light_reason: str
    missed_periods: list[str]
    next_due: dt.date | None
    proposer: str
    rating: str
    evidence: str
    pending_deadline: dt.date | None
    version: Count
    actions: list[str] = []
    reports: list[TaskReportOut] | None = None
    steps: list[StepOut] | None = None


def _s(v: Any) -> str | None:
    return None if v is None else str(v)


def _report(r) -> dict[str, Any]:
    return {
        "id": r.pk,
        "period": r.period,
        "due": r.due,
        "submitted_at": r.submitted_at,
        "submitted_on": r.submitted_on,
        "on_time": r.submitted_on <= r.due,
        "actual_value": plain(r.actual_value) or None,
        "text": r.text,
        "evidence": r.evidence,
        "by": r.by_name,
        "corrections": r.corrections,
    }


def _task(scope: Scope, m: Matter, st: TaskStatus, *, full: bool = False) -> dict[str, Any]:
    d = m.task
    out: dict[str, Any] = {
        "id": m.pk,
        "kind": m.kind,
        "number": d.number,
        "title": m.title,
        "description": m.description,
        "source": d.task_source,
        "source_label": d.get_task_source_display(),
        "year": d.year,
        "division": m.division.name,
        "lead_unit": m.lead_unit.name if m.lead_unit_id else None,
        "lead_unit_id": m.lead_unit_id,
        "co_units": [u.name for u in m.co_units.all()],
        "leader": m.leader.name if m.leader_id else None,
        "deadline": m.deadline,
        "status": m.status,
        "status_label": m.get_status_display(),
        "cycle": d.cycle,
        "due_day": d.due_day,
        "target_value": plain(d.target_value) or None,
        "target_unit": d.target_unit,
        "comparator": d.comparator,
        "actual_value": plain(d.actual_value) or None,
        "actual_period": d.actual_period,
        "progress_pct": _s(st.progress_pct),
        "pace_pct": _s(st.pace_pct),
        "light": st.light.light.value,
        "light_label": st.light.light.label,
        "light_reason": st.light.reason,
        "missed_periods": [p.label for p in st.missed],
        "next_due": st.next_due.due if st.next_due else None,
        "proposer": d.proposer,
        "rating": m.rating,
        "evidence": d.evidence,
        "pending_deadline": m.pending_deadline,
        "version": m.version,
        "actions": ms.allowed_actions(scope, m),
    }
    if full:
        out["reports"] = [_report(r) for r in st.reports]
        out["steps"] = [step_out(s) for s in m.steps.all()]
    return out


class TaskParams(Schema):
    kind: str = Field(
        "task", description="task 督办任务 / suggestion 人大代表建议 / proposal 政协提案"
    )
    source: str | None = None
    status: str | None = None
    light: str | None = None
    unit: str | None = None
    year: Year | None = None
    q: str | None = None
    overdue: bool = False
    quantitative: bool = False
    offset: Offset = 0
    limit: Limit = 100
    after: After = None


class TaskPage(PageOut):
    items: list[TaskOut]


@router.get("/tasks", response=TaskPage, summary="督办任务列表（与网页相同的筛选和权限）")
def list_tasks(request: HttpRequest, params: Query[TaskParams]):
    scope = scope_of(request)
    if params.kind not in KINDS:
        raise ValidationError({"kind": ["kind 应为 task、suggestion 或 proposal"]})
    f = TaskFilter(**params.dict(exclude={"offset", "limit", "after"}))
    today = timezone.localdate()
    # Filtered (lights too) and paged in the database; only the page's rows are judged.
    page = window(
        with_status(filter_tasks(scope, f), f, today),
        offset=params.offset,
        limit=params.limit,
        after=params.after,
    )
    scope.vouch(page.items)  # read through the scope: its actions need no check per row
    sts = statuses(page.items, today)
    return page.as_dict([_task(scope, m, sts[m.pk]) for m in page.items])


def _get(scope: Scope, pk: Id) -> Matter:
    return scope.get(
        Matter.objects.filter(task__isnull=False).select_related(
            "division", "lead_unit", "leader", "task"
        ),
        pk,
    )


@router.get("/tasks/figures", summary="督查任务看板与建议提案办结率、满意率（稳定契约）")
def task_figures_endpoint(
    request: HttpRequest,
    division: str | None = None,
    year: Year | None = None,
    month: Month | None = None,
):
    """The dashboard's task section; a past year (or month) as of its last day."""
    scope = scope_of(request)
    if month is not None and not 1 <= month <= 12:
        raise ValidationError({"month": ["月份应为1—12"]})
    d = chosen_division(scope, division)
    if d is None:
        raise PermissionDenied("您的账号尚未分配区划或单位")
    today = timezone.localdate()
    year = year or today.year
    # A past period is counted as of its last day, as the web dashboard counts it.
    as_of = cutoff(year, month, today)
    fig = dashboard_figures(scope, d, year, as_of, trend=False)
    return {
        "division": {"code": d.code, "name": d.name},
        "year": year,
        "total": fig["total"],
        "by_source": fig["by_source"],
        "by_status": fig["by_status"],
        "by_light": fig["by_light"],
        "by_unit": fig["by_unit"],
        "overdue": [
            {"id": m.pk, "title": m.title, "reason": st.light.reason} for m, st in fig["overdue"]
        ],
        "answers": [
            {
                **a,
                "finish_rate_pct": _s(a["finish_rate_pct"]),
                "satisfaction_rate_pct": _s(a["satisfaction_rate_pct"]),
            }
            for a in fig["answers"]
        ],
    }


@router.get("/tasks/report-facts", summary="截至某日应报送的进度报送及报送日期（供考评）")
def report_facts_endpoint(request: HttpRequest, until: dt.date, division: str | None = None):
    scope = scope_of(request)
    d = chosen_division(scope, division)
    if d is None:
        return []
    return services.report_facts(scope, d, until)


@router.get("/tasks/{pk}", response=TaskOut, summary="任务详情（含进度报送、办理过程、亮灯原因）")
def get_task(request: HttpRequest, pk: Id):
    scope = scope_of(request)
    m = _get(scope, pk)
    return _task(scope, m, task_status(m, timezone.localdate()), full=True)


class TaskIn(Schema):
    kind: str = Field("task", description="task / suggestion / proposal")
    title: str
    description: str = ""
    task_source: str = Field("other", description="work_report / instruction / meeting / other")
    year: Year | None = None
    division: str | None = Field(None, description="区划代码或名称；默认本人区划")
    lead_unit_id: Id
    co_unit_ids: list[Id] = []
    leader_id: Id | None = None
    deadline: dt.date | None = None
    cycle: str | None = Field(None, description="monthly / quarterly / none")
    due_day: int = 25
    target_value: str | None = None
    target_unit: str = ""
    comparator: str = ""
    source_sentence: str = ""
    serial: int | None = None
    proposer: str = ""


@router.post("/tasks", response={201: TaskOut}, summary="发布督办任务（或登记建议、提案）并交办")
def create_task(request: HttpRequest, payload: TaskIn):
    scope = scope_of(request)
    if payload.kind not in KINDS:
        raise ValidationError({"kind": ["kind 应为 task、suggestion 或 proposal"]})
    data = payload.dict(exclude={"kind", "lead_unit_id", "co_unit_ids", "leader_id", "division"})
    data.update(
        lead_unit=payload.lead_unit_id,
        co_units=payload.co_unit_ids,
        leader=payload.leader_id,
    )
    if payload.division:
        data["division"] = scope.division_by_ref(payload.division)
    m = services.do_create_task(scope, data, kind=KINDS[payload.kind])
    m = _get(scope, m.pk)
    return Status(201, _task(scope, m, task_status(m, timezone.localdate()), full=True))


@router.get("/tasks/{pk}/reports", response=list[TaskReportOut], summary="进度报送记录")
def list_reports(request: HttpRequest, pk: Id):
    m = _get(scope_of(request), pk)
    return [_report(r) for r in m.task_reports.order_by("period")]


# Progress reports (进度报送, action submit_report) and every other workflow step of a task,
# suggestion or proposal are taken through POST /matters/{id}/steps/{action}
# (taizhang/api/matters.py), the same for every kind.


# Drafts --------------------------------------------------------------------------------


class DraftIn(Schema):
    text: str
    title: str = ""
    year: Year | None = None


class RowOut(Schema):
    id: int
    order: int
    kind: str
    title: str
    heading: str
    target_value: str | None
    target_unit: str
    comparator: str
    sentence: str
    start: int | None
    end: int | None
    lead_unit_id: Id | None
    co_unit_ids: list[Id]
    leader_id: Id | None
    deadline: dt.date | None
    cycle: str
    due_day: int
    published_task_id: Id | None


class DraftOut(Schema):
    id: int
    title: str
    year: Year
    division: str
    rows: int
    published: int
    updated_at: dt.datetime


def _draft(d: ReportDraft) -> dict[str, Any]:
    return {
        "id": d.pk,
        "title": d.title,
        "year": d.year,
        "division": d.division.name,
        "rows": d.rows.count(),
        "published": d.rows.filter(published__isnull=False).count(),
        "updated_at": d.updated_at,
    }


def _row(r: DraftRow) -> dict[str, Any]:
    return {
        "id": r.pk,
        "order": r.order,
        "kind": r.kind,
        "title": r.title,
        "heading": r.heading,
        "target_value": plain(r.target_value) or None,
        "target_unit": r.target_unit,
        "comparator": r.comparator,
        "sentence": r.sentence,
        "start": r.start,
        "end": r.end,
        "lead_unit_id": r.lead_unit_id,
        "co_unit_ids": [u.pk for u in r.co_units.all()],
        "leader_id": r.leader_id,
        "deadline": r.deadline,
        "cycle": r.cycle,
        "due_day": r.due_day,
        "published_task_id": r.published_id,
    }


def _get_draft(scope: Scope, pk: Id) -> ReportDraft:
    draft = scope.get(ReportDraft.objects.select_related("division"), pk)  # another district: 404
    if not scope.can_manage:
        raise PermissionDenied("只有督查室可以使用任务分解草稿")
    return draft


@router.get("/drafts", response=list[DraftOut], summary="任务分解草稿列表（督查室）")
def list_drafts(request: HttpRequest):
    scope = scope_of(request)
    if not scope.can_manage:
        raise PermissionDenied("只有督查室可以使用任务分解草稿")
    return [_draft(d) for d in scope.filter(ReportDraft.objects.select_related("division"))[:200]]


@router.post("/drafts", response={201: DraftOut}, summary="由报告全文生成任务分解草稿")
def create_draft(request: HttpRequest, payload: DraftIn):
    scope = scope_of(request)
    d = drafts.do_create_draft(scope, text=payload.text, title=payload.title, year=payload.year)
    return Status(201, _draft(d))


@router.get("/drafts/{pk}/rows", response=list[RowOut], summary="草稿行")
def draft_rows(request: HttpRequest, pk: Id):
    d = _get_draft(scope_of(request), pk)
    return [_row(r) for r in d.rows.prefetch_related("co_units")]


class RowIn(Schema):
    title: str | None = None
    heading: str | None = None
    target_value: str | None = None
    target_unit: str | None = None
    comparator: str | None = None
    lead_unit: Id | None = Field(None, description="牵头单位ID")
    co_units: list[Id] | None = None
    leader: Id | None = None
    deadline: dt.date | None = None
    cycle: str | None = None
    due_day: int | None = None


@router.patch("/drafts/{pk}/rows/{rid}", response=RowOut, summary="修改草稿行（只改提交的字段）")
def update_row(request: HttpRequest, pk: Id, rid: Id, payload: RowIn):
    scope = scope_of(request)
    d = _get_draft(scope, pk)
    row = scope.get(DraftRow.objects.filter(draft=d).select_related("draft__division"), rid)
    data = payload.dict(exclude_unset=True)
    return _row(drafts.do_update_row(scope, row, data))


class PublishIn(Schema):
    row_ids: list[Id]


@router.post(
    "/drafts/{pk}/publish",
    response={201: list[TaskOut]},
    summary="发布所选草稿行为督办任务（逐行校验，全部成功或全部不发布）",
)
def publish_draft(request: HttpRequest, pk: Id, payload: PublishIn):
    scope = scope_of(request)
    d = _get_draft(scope, pk)
    tasks = drafts.do_publish_draft(scope, d, payload.row_ids)
    today = timezone.localdate()
    out = []
    for t in tasks:
        m = _get(scope, t.pk)
        out.append(_task(scope, m, task_status(m, today)))
    return Status(201, out)


# Mounted by taizhang/api/api.py; route modules never import it (they are leaves).
ROUTERS = [router]
