"""API of the 创文 ledger: the 测评体系 tree, points, inspections, boards and the figures
contract. Same scope and the same do_* functions as the web pages; the rectification
steps go through POST /api/v1/matters/{id}/steps/{action} like every kind."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema, Status

from taizhang.api.schemas import Count, Id, Limit, Offset, Year
from taizhang.civility import figures, queries, services, tree
from taizhang.civility.models import Inspection, Point, Standard
from taizhang.core.periods import chosen_division
from taizhang.core.scope import Scope, scope_of

router = Router(tags=["创文督查"])
dash = Router(tags=["看板"])


class StandardOut(Schema):
    id: int
    section: str
    content: str
    text: str
    score: Decimal
    unit: str | None
    point_types: list[str]
    rectify_workdays: int


class StandardIn(Schema):
    division: str = Field(description="区划代码或名称")
    year: Year
    section: str = Field(max_length=60, title="测评项目板块")
    content: str = Field(max_length=100, title="测评内容")
    text: str = Field(max_length=300, title="测评标准")
    score: Decimal = Field(Decimal(0), title="分值")
    unit_id: Id | None = Field(None, title="责任单位")
    point_types: list[str] = Field(title="适用点位类型", description="street/market/community/…")
    workdays: int | None = Field(None, ge=1, le=60, title="整改时限（工作日）")


class PointOut(Schema):
    id: int
    name: str
    type: str
    type_label: str
    division_code: str
    unit_id: int
    unit: str
    leader_id: int | None
    leader: str | None
    leader_level: str
    position: str
    active: bool


class PointIn(Schema):
    division_id: Id
    name: str = Field(max_length=80)
    type: str
    unit_id: Id
    leader_id: Id | None = None
    leader_level: str = ""
    position: str = Field("", max_length=200)
    active: bool = True


class FailureIn(Schema):
    standard_id: Id
    note: str = Field(max_length=500, title="问题描述")


class InspectionIn(Schema):
    date: dt.date
    note: str = Field("", max_length=500)
    failures: list[FailureIn] = []


class FailureOut(Schema):
    standard_id: int
    note: str
    matter_id: int
    status: str
    deadline: dt.date | None


class InspectionOut(Schema):
    id: int
    point_id: int
    point: str
    date: dt.date
    inspector: str
    checked: Count
    failures: list[FailureOut]


def _standard(s: Standard) -> dict:
    return {
        "id": s.pk,
        "section": s.content.section.name,
        "content": s.content.name,
        "text": s.text,
        "score": s.score,
        "unit": s.unit.name if s.unit_id else None,
        "point_types": s.point_types,
        "rectify_workdays": s.rectify_workdays,
    }


def _point(p: Point) -> dict:
    return {
        "id": p.pk,
        "name": p.name,
        "type": p.type,
        "type_label": p.get_type_display(),
        "division_code": p.division.code,
        "unit_id": p.unit_id,
        "unit": p.unit.name,
        "leader_id": p.leader_id,
        "leader": p.leader.name if p.leader_id else None,
        "leader_level": p.leader_level,
        "position": p.position,
        "active": p.active,
    }


def _inspection(i: Inspection) -> dict:
    return {
        "id": i.pk,
        "point_id": i.point_id,
        "point": i.point.name,
        "date": i.date,
        "inspector": i.inspector_name,
        "checked": i.checked,
        "failures": [
            {
                "standard_id": f.standard_id,
                "note": f.note,
                "matter_id": f.matter_id,
                "status": f.matter.status,
                "deadline": f.matter.deadline,
            }
            for f in i.failures.select_related("matter")
        ],
    }


def _division(scope: Scope, ref: str):
    return scope.division_by_ref(ref)


@router.get("/civility/standards", response=list[StandardOut], summary="测评体系（按年度）")
def list_standards(request: HttpRequest, division: str, year: Year):
    scope = scope_of(request)
    d = _division(scope, division)
    return [
        _standard(s)
        for sec in queries.tree(scope, d, year)
        for c in sec.contents.all()
        for s in c.standards.all()
    ]


@router.post(
    "/civility/standards", response={201: StandardOut}, summary="新增测评标准（板块、内容按名称）"
)
def create_standard(request: HttpRequest, payload: StandardIn):
    scope = scope_of(request)
    scope.require_manage()
    d = _division(scope, payload.division)
    rows = tree.clean_rows(
        scope,
        d,
        [
            {
                "section": payload.section,
                "content": payload.content,
                "text": payload.text,
                "score": payload.score,
                "unit": payload.unit_id,
                "point_types": payload.point_types,
                "workdays": payload.workdays,
            }
        ],
    )
    (s,) = tree.do_load_tree(scope, d, tree.year_of(payload.year), rows)
    return Status(201, _standard(s))


@router.get("/civility/points", response=list[PointOut], summary="测评点位")
def list_points(
    request: HttpRequest,
    division: str | None = None,
    type: str | None = None,
    limit: Limit = 100,
    offset: Offset = 0,
):
    scope = scope_of(request)
    d = chosen_division(scope, division) if division else None
    qs = queries.points(scope, d, type=type or None)
    return [_point(p) for p in qs[offset : offset + limit]]


@router.post("/civility/points", response={201: PointOut}, summary="新增测评点位")
def create_point(request: HttpRequest, payload: PointIn):
    scope = scope_of(request)
    p = services.do_save_point(
        scope,
        {
            "division": payload.division_id,
            "name": payload.name,
            "type": payload.type,
            "unit": payload.unit_id,
            "leader": payload.leader_id,
            "leader_level": payload.leader_level,
            "position": payload.position,
            "active": payload.active,
        },
    )
    return Status(201, _point(p))


@router.get("/civility/points/{pk}", response=PointOut, summary="测评点位详情")
def get_point(request: HttpRequest, pk: Id):
    scope = scope_of(request)
    return _point(scope.get(Point.objects.select_related("division", "unit", "leader"), pk))


@router.put("/civility/points/{pk}", response=PointOut, summary="修改测评点位（全部字段）")
def update_point(request: HttpRequest, pk: Id, payload: PointIn):
    scope = scope_of(request)
    p = scope.get(Point.objects.all(), pk)
    p = services.do_save_point(
        scope,
        {
            "division": payload.division_id,
            "name": payload.name,
            "type": payload.type,
            "unit": payload.unit_id,
            "leader": payload.leader_id,
            "leader_level": payload.leader_level,
            "position": payload.position,
            "active": payload.active,
        },
        point=p,
    )
    return _point(Point.objects.select_related("division", "unit", "leader").get(pk=p.pk))


@router.post(
    "/civility/points/{pk}/inspections",
    response={201: InspectionOut},
    summary="创文检查：不达标的测评标准各生成一件整改事项（照片随后上传到事项）",
)
def create_inspection(request: HttpRequest, pk: Id, payload: InspectionIn):
    scope = scope_of(request)
    p = scope.get(Point.objects.select_related("division", "unit", "leader"), pk)
    ins, _ = services.do_inspect(
        scope,
        p,
        date=payload.date,
        note=payload.note,
        failures=[services.FoundFailure(f.standard_id, f.note) for f in payload.failures],
    )
    return Status(201, _inspection(ins))


@router.get("/civility/inspections", response=list[InspectionOut], summary="创文检查记录")
def list_inspections(
    request: HttpRequest,
    division: str,
    year: Year,
    limit: Limit = 100,
    offset: Offset = 0,
):
    scope = scope_of(request)
    d = _division(scope, division)
    qs = (
        scope.filter(Inspection.objects.all())
        .filter(point__division__path__startswith=d.path, date__year=year)
        .select_related("point")
        .order_by("-date", "-id")
    )
    return [_inspection(i) for i in qs[offset : offset + limit]]


@router.get("/civility/boards", summary="创文排名：责任单位、点位，飞虎榜/蜗牛榜")
def boards(request: HttpRequest, division: str, year: Year):
    scope = scope_of(request)
    d = _division(scope, division)
    units = figures.unit_board(scope, d, year)
    h = figures.honours(units)
    return {
        "division": {"code": d.code, "name": d.name},
        "year": year,
        "units": [r.as_dict() for r in units],
        "points": [r.as_dict() for r in figures.point_board(scope, d, year)],
        "tigers": [r.as_dict() for r in h.tigers],
        "snails": [r.as_dict() for r in h.snails],
        "rule": h.rule,
        "formulas": {k: figures.FORMULAS[k] for k in ("failure_rate_pct", "avg_workdays")},
    }


@dash.get("/dashboard/civility", summary="创文看板数据（稳定契约）")
def dashboard_civility(request: HttpRequest, division: str, year: Year):
    """sections, contents, standards, points, inspections, failures, rectified,
    rectified_on_time_rate_pct (percent, one decimal, as a string; null when nothing was
    rectified). A past year is counted as of its last day, the running year as of today."""
    scope = scope_of(request)
    d = _division(scope, division)
    as_of = min(dt.date(year, 12, 31), timezone.localdate())
    return figures.civility_figures(scope, d, year, as_of).as_contract()


# Mounted by taizhang/api/api.py; route modules never import it (they are leaves).
ROUTERS = [router, dash]
