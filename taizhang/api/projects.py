from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from taizhang.api.schemas import After, Count, Id, Limit, Month, Offset, PageOut, Year
from taizhang.core.paging import window
from taizhang.core.scope import scope_of
from taizhang.exports.http import download
from taizhang.projects import services
from taizhang.projects.exports import project_table
from taizhang.projects.figures import parse_levels, project_figures, project_statuses
from taizhang.projects.models import Milestone, MonthlyReport, Project
from taizhang.projects.queries import (
    ProjectFilter,
    filter_projects,
    lit,
    statuses_of,
)

router = Router(tags=["重点项目"])
dash = Router(tags=["看板"])


class ProjectOut(Schema):
    id: int
    code: str
    name: str
    division: str
    division_code: str
    stage: str
    stage_label: str
    total_investment_wan: Decimal
    responsible_unit: str
    responsible_unit_id: Id
    liaison_leader: str | None
    industry_chain: str | None
    location: str
    start_year: Year | None
    end_year: Year | None
    description: str
    version: Count
    light: str | None = None
    light_reason: str | None = None


def _out(p: Project, status=None) -> dict[str, Any]:
    return {
        "id": p.pk,
        "code": p.code,
        "name": p.name,
        "division": p.division.name,
        "division_code": p.division.code,
        "stage": p.stage,
        "stage_label": p.get_stage_display(),
        "total_investment_wan": p.total_investment,
        "responsible_unit": p.responsible_unit.name,
        "responsible_unit_id": p.responsible_unit_id,
        "liaison_leader": p.liaison_leader.name if p.liaison_leader else None,
        "industry_chain": p.industry_chain.name if p.industry_chain else None,
        "location": p.location,
        "start_year": p.start_year,
        "end_year": p.end_year,
        "description": p.description,
        "version": p.version,
        "light": status.light.light.value if status else None,
        "light_reason": status.light.reason if status else None,
    }


class ProjectListParams(Schema):
    division: str | None = None
    year: Year | None = None
    level: str | None = None
    stage: str | None = None
    industry: str | None = None
    unit: str | None = None
    light: str | None = None
    q: str | None = None
    sort: str | None = None
    offset: Offset = 0
    limit: Limit = 100
    after: After = None


class ProjectPage(PageOut):
    items: list[ProjectOut]


@router.get("/projects", response=ProjectPage, summary="项目列表（与网页相同的筛选）")
def list_projects(request: HttpRequest, params: Query[ProjectListParams]):
    scope = scope_of(request)
    f = ProjectFilter(**params.dict(exclude={"offset", "limit", "after"}))
    today = timezone.localdate()
    rows = lit(filter_projects(scope, f), f, today)
    page = window(rows, offset=params.offset, limit=params.limit, after=params.after)
    statuses = statuses_of(page.items, f, today)
    return page.as_dict([_out(p, statuses[p.pk]) for p in page.items])


@router.get("/projects/export", summary="导出项目台账（xlsx 或 csv，与列表相同的筛选和权限）")
def export_projects(request: HttpRequest, params: Query[ProjectListParams], format: str = "xlsx"):
    if format not in {"xlsx", "csv"}:
        from django.core.exceptions import ValidationError

        raise ValidationError({"format": ["导出格式应为 xlsx 或 csv"]})
    scope = scope_of(request)
    f = ProjectFilter(**params.dict(exclude={"offset", "limit", "after"}))
    today = timezone.localdate()
    return download(project_table(scope, f, today), format, "重点项目台账")


@router.get("/projects/{pk}", response=ProjectOut, summary="项目详情")
def get_project(request: HttpRequest, pk: Id):
    scope = scope_of(request)
    p = scope.get(Project.objects.select_related("division", "responsible_unit"), pk)
    return _out(p, project_statuses([p], timezone.localdate())[p.pk])


class ProjectIn(Schema):
    division: str = Field(..., description="区划代码或名称")
    code: str
    name: str
    responsible_unit_id: Id
    total_investment_wan: Decimal
    industry_chain_id: Id | None = None
    liaison_leader_id: Id | None = None
    location: str = ""
    start_year: Year | None = None
    end_year: Year | None = None
    description: str = ""
    stage: str = "planned"


class ProjectPatch(Schema):
    version: Count = Field(..., description="读取时的版本号，用于并发冲突检测")
    division: str | None = None
    code: str | None = None
    name: str | None = None
    responsible_unit_id: Id | None = None
    total_investment_wan: Decimal | None = None
    industry_chain_id: Id | None = None
    liaison_leader_id: Id | None = None
    location: str | None = None
    start_year: Year | None = None
    end_year: Year | None = None
    description: str | None = None


def _data(scope, payload: dict[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    mapping = {
        "responsible_unit_id": "responsible_unit",
        "total_investment_wan": "total_investment",
        "industry_chain_id": "industry_chain",
        "liaison_leader_id": "liaison_leader",
    }
    for key, value in payload.items():
        if key in {"version", "stage"}:
            continue
        if key == "division":
            data["division"] = scope.division_by_ref(value)
            continue
        data[mapping.get(key, key)] = value
    return data


@router.post("/projects", response={201: ProjectOut}, summary="新增项目")
def create_project(request: HttpRequest, payload: ProjectIn):
    scope = scope_of(request)
    scope.require_manage()
    p = services.do_create_project(scope, _data(scope, payload.dict()), stage=payload.stage)
    return Status(201, _out(p))


@router.patch("/projects/{pk}", response=ProjectOut, summary="修改项目（需带版本号）")
def update_project(request: HttpRequest, pk: Id, payload: ProjectPatch):
    scope = scope_of(request)
    p = scope.get(Project.objects.all(), pk)
    sent = payload.dict(exclude_unset=True)
    p = services.do_update_project(scope, p, _data(scope, sent), expected_version=payload.version)
    return _out(p)


class StageIn(Schema):
    to_stage: str
    date: dt.date
    reason: str = ""


class StageOut(Schema):
    id: int
    from_stage: str
    to_stage: str
    date: dt.date
    reason: str


@router.post("/projects/{pk}/stage", response={201: StageOut}, summary="阶段变更")
def change_stage(request: HttpRequest, pk: Id, payload: StageIn):
    scope = scope_of(request)
    p = scope.get(Project.objects.all(), pk)
    c = services.do_change_stage(
        scope, p, payload.to_stage, date=payload.date, reason=payload.reason
    )
    return Status(201, c)


@router.get("/projects/{pk}/stages", response=list[StageOut], summary="阶段历史")
def list_stages(request: HttpRequest, pk: Id):
    p = scope_of(request).get(Project.objects.all(), pk)
    return list(p.stage_changes.all())


class YearIn(Schema):
    year: Year
    level: str
    annual_plan_wan: Decimal


class YearOut(Schema):
    year: Year
    level: str
    annual_plan_wan: Decimal = Field(..., alias="annual_plan")


@router.put("/projects/{pk}/years", response=YearOut, summary="设置年度清单与年度投资计划")
def set_year(request: HttpRequest, pk: Id, payload: YearIn):
    scope = scope_of(request)
    p = scope.get(Project.objects.all(), pk)
    return services.do_set_project_year(
        scope, p, year=payload.year, level=payload.level, annual_plan=payload.annual_plan_wan
    )


class MilestoneIn(Schema):
    name: str
    planned_date: dt.date
    actual_date: dt.date | None = None
    evidence: str = ""


class MilestonePatch(Schema):
    version: Count
    actual_date: dt.date | None = None
    evidence: str | None = None
    name: str | None = None
    planned_date: dt.date | None = None


class MilestoneOut(Schema):
    id: int
    name: str
    planned_date: dt.date
    actual_date: dt.date | None
    evidence: str
    version: Count
    light: str | None = None
    light_reason: str | None = None


def _m_out(m: Milestone, lights) -> dict[str, Any]:
    r = lights.get(m.pk)
    return {
        "id": m.pk,
        "name": m.name,
        "planned_date": m.planned_date,
        "actual_date": m.actual_date,
        "evidence": m.evidence,
        "version": m.version,
        "light": r.light.value if r else None,
        "light_reason": r.reason if r else None,
    }


@router.get("/projects/{pk}/milestones", response=list[MilestoneOut], summary="时间节点")
def list_milestones(request: HttpRequest, pk: Id):
    p = scope_of(request).get(Project.objects.all(), pk)
    lights = project_statuses([p], timezone.localdate())[p.pk].milestone_lights
    return [_m_out(m, lights) for m in p.milestones.all()]


@router.post("/projects/{pk}/milestones", response={201: MilestoneOut}, summary="新增时间节点")
def add_milestone(request: HttpRequest, pk: Id, payload: MilestoneIn):
    scope = scope_of(request)
    p = scope.get(Project.objects.all(), pk)
    m = services.do_add_milestone(scope, p, payload.dict())
    return Status(201, _m_out(m, {}))


@router.patch("/projects/{pk}/milestones/{mid}", response=MilestoneOut, summary="更新时间节点")
def update_milestone(request: HttpRequest, pk: Id, mid: Id, payload: MilestonePatch):
    scope = scope_of(request)
    p = scope.get(Project.objects.all(), pk)
    m = scope.get(Milestone.objects.filter(project=p), mid)
    data = payload.dict(exclude_unset=True)
    version = data.pop("version")
    m = services.do_update_milestone(scope, m, data, expected_version=version)
    return _m_out(m, {})


class MonthlyReportIn(Schema):
    year: Year
    month: Month
    amount_wan: Decimal
    note: str = ""


class MonthlyReportOut(Schema):
    id: int
    year: Year
    month: Month
    amount_wan: Decimal
    cumulative_wan: Decimal
    note: str
    corrections: int


@router.get(
    "/projects/{pk}/reports", response=list[MonthlyReportOut], summary="月度投资报送（含本年累计）"
)
def list_reports(request: HttpRequest, pk: Id):
    p = scope_of(request).get(Project.objects.all(), pk)
    out, running = [], {}
    for r in p.reports.order_by("year", "month"):
        running[r.year] = running.get(r.year, Decimal(0)) + r.amount
        out.append(_r_out(r, running[r.year]))
    return out


def _r_out(r: MonthlyReport, cumulative: Decimal) -> dict[str, Any]:
    return {
        "id": r.pk,
        "year": r.year,
        "month": r.month,
        "amount_wan": r.amount,
        "cumulative_wan": cumulative,
        "note": r.note,
        "corrections": r.corrections,
    }


@router.post(
    "/projects/{pk}/reports",
    response={201: MonthlyReportOut, 200: MonthlyReportOut},
    summary="报送月度完成投资（同月再次报送为更正）",
)
def submit_report(request: HttpRequest, pk: Id, payload: MonthlyReportIn):
    scope = scope_of(request)
    p = scope.get(Project.objects.all(), pk)
    r, corrected = services.do_submit_monthly_report(
        scope,
        p,
        year=payload.year,
        month=payload.month,
        amount=payload.amount_wan,
        note=payload.note,
    )
    cum = sum((x.amount for x in p.reports.filter(year=r.year, month__lte=r.month)), Decimal(0))
    return Status(200 if corrected else 201, _r_out(r, cum))


@dash.get("/dashboard/projects", summary="重点项目看板数据（稳定契约）")
def dashboard_projects(
    request: HttpRequest, division: str, year: Year, month: Month = 12, level: str | None = None
):
    """Amounts in 万元 as decimal strings; rates in percent with one decimal."""
    from django.core.exceptions import ValidationError

    scope = scope_of(request)
    if not 1 <= month <= 12:
        raise ValidationError({"month": ["月份应为1—12"]})
    try:
        levels = parse_levels(level)
    except ValueError as e:
        raise ValidationError({"level": [str(e)]}) from None
    d = scope.division_by_ref(division)
    return project_figures(scope, d, year, month, levels).as_contract()


# Mounted by taizhang/api/api.py; route modules never import it (they are leaves).
ROUTERS = [router, dash]
