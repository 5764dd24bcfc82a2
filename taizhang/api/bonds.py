"""专项债 ledger, 三个一批 events and the stationed-officer roster under /api/v1/."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from taizhang.api.schemas import Count, Id, Limit, Month, Offset, Year
from taizhang.core.scope import Scope, scope_of
from taizhang.exports.http import download
from taizhang.lib.periods import cutoff, month_end
from taizhang.matters.officers import officer_workload
from taizhang.projects import bond_services as services
from taizhang.projects.bond_exports import bond_table
from taizhang.projects.bond_figures import (
    BondFilter,
    bond_figures,
    bonds_in,
    event_investment,
    events_in,
)
from taizhang.projects.bonds import BatchEvent, BondField, BondProject, BondStatus
from taizhang.projects.models import Project

router = Router(tags=["专项债与三个一批"])
dash = Router(tags=["看板"])


class BondOut(Schema):
    id: int
    project_id: int
    project: str
    project_code: str
    division: str
    division_code: str
    year: Year
    field: str
    field_label: str
    status: str
    status_label: str
    total_investment_wan: Decimal
    applied_wan: Decimal
    approved_wan: Decimal
    issued_wan: Decimal
    received_wan: Decimal
    note: str
    version: Count


def _out(b: BondProject) -> dict[str, Any]:
    return {
        "id": b.pk,
        "project_id": b.project_id,
        "project": b.project.name,
        "project_code": b.project.code,
        "division": b.project.division.name,
        "division_code": b.project.division.code,
        "year": b.year,
        "field": b.field,
        "field_label": b.get_field_display(),
        "status": b.status,
        "status_label": b.get_status_display(),
        "total_investment_wan": b.project.total_investment,
        "applied_wan": b.applied,
        "approved_wan": b.approved,
        "issued_wan": b.issued,
        "received_wan": b.received,
        "note": b.note,
        "version": b.version,
    }


class BondListParams(Schema):
    division: str | None = None
    year: Year | None = None
    status: str | None = None
    field: str | None = None
    q: str | None = None
    offset: Offset = 0
    limit: Limit = 100


def bond_filter(scope: Scope, division, year, status, field, q) -> BondFilter:
    """The list filter from query values; an unknown status or field is refused, not ignored."""
    if status and status not in BondStatus.values:
        raise ValidationError({"status": [f"包装状态无效，可选：{'、'.join(BondStatus.values)}"]})
    if field and field not in BondField.values:
        raise ValidationError({"field": ["专项债领域无效"]})
    return BondFilter(
        year=year,
        status=status or None,
        field=field or None,
        division=scope.division_by_ref(division) if division else None,
        q=(q or "").strip()[:60] or None,
    )


def _rows(scope: Scope, f: BondFilter):
    return bonds_in(scope, f).select_related(
        "project", "project__division", "project__responsible_unit"
    )


class BondTotals(Schema):
    bond_projects: int
    total_investment_wan: str
    bond_applied_wan: str
    bond_approved_wan: str
    bond_issued_wan: str
    bond_received_wan: str


class BondPage(Schema):
    count: int
    totals: BondTotals
    items: list[BondOut]


@router.get("/bonds", response=BondPage, summary="专项债项目列表（含合计，与网页相同的筛选）")
def list_bonds(request: HttpRequest, params: Query[BondListParams]):
    scope = scope_of(request)
    f = bond_filter(scope, params.division, params.year, params.status, params.field, params.q)
    fig = bond_figures(scope, f).as_contract()
    rows = _rows(scope, f)[params.offset : params.offset + params.limit]
    return {
        "count": fig["bond_projects"],
        "totals": fig,
        "items": [_out(b) for b in rows],
    }


@router.get("/bonds/export", summary="导出专项债台账（xlsx 或 csv）")
def export_bonds(request: HttpRequest, params: Query[BondListParams], format: str = "xlsx"):
    if format not in {"xlsx", "csv"}:
        raise ValidationError({"format": ["导出格式应为 xlsx 或 csv"]})
    scope = scope_of(request)
    f = bond_filter(scope, params.division, params.year, params.status, params.field, params.q)
    table = bond_table(scope, _rows(scope, f), bond_figures(scope, f), timezone.localdate())
    return download(table, format, "专项债项目台账")


@router.get("/bonds/{pk}", response=BondOut, summary="专项债项目详情")
def get_bond(request: HttpRequest, pk: Id):
    scope = scope_of(request)
    return _out(scope.get(_rows(scope, BondFilter()), pk))


class BondIn(Schema):
    project_id: Id
    year: Year
    field: str = Field(..., description="专项债领域代码，如 municipal（市政和产业园区基础设施）")
    status: str = "planning"
    date: dt.date | None = Field(None, description="进入该状态的日期，默认今天")
    applied_wan: Decimal = Decimal("0")
    note: str = ""


@router.post("/bonds", response={201: BondOut}, summary="把项目列入专项债台账")
def create_bond(request: HttpRequest, payload: BondIn):
    scope = scope_of(request)
    scope.require_manage()
    project = scope.get(Project.objects.all(), payload.project_id)
    b = services.do_create_bond(
        scope,
        project,
        year=payload.year,
        field=payload.field,
        status=payload.status,
        date=payload.date,
        amounts={"applied": payload.applied_wan},
        note=payload.note,
    )
    return Status(201, _out(b))


class BondPatch(Schema):
    version: Count = Field(..., description="读取时的版本号，用于并发冲突检测")
    field: str | None = None
    applied_wan: Decimal | None = None
    approved_wan: Decimal | None = None
    issued_wan: Decimal | None = None
    received_wan: Decimal | None = None
    note: str | None = None


@router.patch("/bonds/{pk}", response=BondOut, summary="修改领域、金额或备注（需带版本号）")
def update_bond(request: HttpRequest, pk: Id, payload: BondPatch):
    scope = scope_of(request)
    b = scope.get(BondProject.objects.all(), pk)
    sent = payload.dict(exclude_unset=True)
    version = sent.pop("version")
    data = {k.removesuffix("_wan"): v for k, v in sent.items() if v is not None}
    b = services.do_update_bond(scope, b, data, expected_version=version)
    return _out(b)


class BondStatusIn(Schema):
    to_status: str
    date: dt.date
    reason: str = ""
    version: Count | None = None


class BondStatusOut(Schema):
    id: int
    from_status: str
    to_status: str
    date: dt.date
    reason: str


@router.post("/bonds/{pk}/status", response={201: BondStatusOut}, summary="专项债状态变更")
def change_bond_status(request: HttpRequest, pk: Id, payload: BondStatusIn):
    scope = scope_of(request)
    b = scope.get(BondProject.objects.all(), pk)
    c = services.do_change_bond_status(
        scope,
        b,
        payload.to_status,
        date=payload.date,
        reason=payload.reason,
        expected_version=payload.version,
    )
    return Status(201, c)


@router.get("/bonds/{pk}/history", response=list[BondStatusOut], summary="专项债状态历史")
def bond_history(request: HttpRequest, pk: Id):
    b = scope_of(request).get(BondProject.objects.all(), pk)
    return list(b.changes.all())


@dash.get("/dashboard/bonds", summary="专项债看板数据（稳定契约）")
def dashboard_bonds(request: HttpRequest, division: str, year: Year):
    """bond_projects, total_investment_wan, bond_applied_wan, bond_approved_wan (万元 strings)."""
    scope = scope_of(request)
    d = scope.division_by_ref(division)
    return bond_figures(scope, BondFilter(year=year, division=d)).as_contract()


# 三个一批 ---------------------------------------------------------------------


class EventOut(Schema):
    id: int
    division: str
    division_code: str
    kind: str
    kind_label: str
    date: dt.date
    title: str
    place: str
    note: str
    project_ids: list[int]
    project_count: int
    total_investment_wan: Decimal


def _event_out(scope: Scope, e: BatchEvent, sums: dict[int, tuple[int, Decimal]]) -> dict[str, Any]:
    """The event; its project ids only those the caller may see (the total is the event's own)."""
    n, total = sums.get(e.pk, (0, Decimal("0.00")))
    return {
        "id": e.pk,
        "division": e.division.name,
        "division_code": e.division.code,
        "kind": e.kind,
        "kind_label": e.get_kind_display(),
        "date": e.date,
        "title": e.title,
        "place": e.place,
        "note": e.note,
        "project_ids": sorted(scope.filter(e.projects.all()).values_list("pk", flat=True)),
        "project_count": n,
        "total_investment_wan": total,
    }


@router.get("/batch-events", response=list[EventOut], summary="三个一批活动（集中签约/开工/投产）")
def list_events(
    request: HttpRequest,
    division: str | None = None,
    year: Year | None = None,
    offset: Offset = 0,
    limit: Limit = 100,
):
    scope = scope_of(request)
    d = scope.division_by_ref(division) if division else None
    start = dt.date(year, 1, 1) if year else None
    end = dt.date(year, 12, 31) if year else None
    events = list(
        events_in(scope, d, start, end).select_related("division")[offset : offset + limit]
    )
    sums = event_investment([e.pk for e in events])
    return [_event_out(scope, e, sums) for e in events]


@router.get("/batch-events/{pk}", response=EventOut, summary="三个一批活动详情")
def get_event(request: HttpRequest, pk: Id):
    scope = scope_of(request)
    e = scope.get(BatchEvent.objects.select_related("division"), pk)
    return _event_out(scope, e, event_investment([e.pk]))


class EventIn(Schema):
    division: str = Field(..., description="区划代码或名称")
    kind: str = Field(..., description="sign 集中签约 / start 集中开工 / produce 集中投产")
    date: dt.date
    title: str
    place: str = ""
    note: str = ""
    project_ids: list[Id]
    advance_stages: bool = Field(
        False, description="同时把尚未到该阶段的项目变更为签约/开工/投产（以活动日期为准）"
    )


@router.post("/batch-events", response={201: EventOut}, summary="登记三个一批活动")
def create_event(request: HttpRequest, payload: EventIn):
    scope = scope_of(request)
    scope.require_manage()
    data = payload.dict()
    data["division"] = scope.division_by_ref(payload.division)
    data["projects"] = data.pop("project_ids")
    advance = data.pop("advance_stages")
    e = services.do_create_batch_event(scope, data, advance_stages=advance)
    return Status(201, _event_out(scope, e, event_investment([e.pk])))


# 驻厂专员 ---------------------------------------------------------------------


class OfficerOut(Schema):
    person_id: int
    name: str
    unit: str | None
    enterprises: int
    projects: int
    visits: int
    problems_raised: int
    problems_resolved: int
    problems_overdue: int


@router.get("/officers/workload", response=list[OfficerOut], summary="驻厂专员（首席服务官）工作量")
def officers_workload(request: HttpRequest, division: str, year: Year, month: Month | None = None):
    scope = scope_of(request)
    d = scope.division_by_ref(division)
    start, end = dt.date(year, 1, 1), month_end(year, month or 12)
    as_of = cutoff(year, month, timezone.localdate())
    return [
        {
            "person_id": r.person.pk,
            "name": r.person.name,
            "unit": r.person.unit.name if r.person.unit_id else None,
            "enterprises": r.enterprises,
            "projects": r.projects,
            "visits": r.visits,
            "problems_raised": r.raised,
            "problems_resolved": r.resolved,
            "problems_overdue": r.overdue,
        }
        for r in officer_workload(scope, d, start, end, as_of)
    ]


# Mounted by taizhang/api/api.py; route modules never import it (they are leaves).
ROUTERS = [router, dash]
