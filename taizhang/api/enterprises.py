"""API for the enterprise-service ledger: enterprises, liaison, visits, problems (creation and reading).

Same scope and the same do_* functions as the web pages.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from taizhang.api.schemas import (
    After,
    Count,
    Days,
    Id,
    Limit,
    MatterFields,
    Month,
    Offset,
    PageOut,
    StepOut,
    Year,
    matter_fields,
    step_out,
)
from taizhang.core.paging import window
from taizhang.core.scope import Scope, scope_of
from taizhang.enterprises import services as ent_services
from taizhang.enterprises.models import Enterprise, Liaison, Visit
from taizhang.enterprises.queries import EnterpriseFilter, filter_enterprises
from taizhang.lib.periods import cutoff
from taizhang.matters import services
from taizhang.matters.figures import problem_figures
from taizhang.matters.models import Matter
from taizhang.matters.queries import (
    ProblemFilter,
    filter_problems,
    my_work,
    page_lights,
    with_lights,
)
from taizhang.matters.timing import light_of

router = Router(tags=["万人助万企"])
dash = Router(tags=["看板"])


# Enterprises ------------------------------------------------------------------


class LiaisonOut(Schema):
    id: int
    person: str
    person_id: Id
    role: str
    role_label: str
    start: dt.date
    end: dt.date | None


class EnterpriseOut(Schema):
    id: int
    name: str
    credit_code: str
    division: str
    division_code: str
    park: str | None
    industry_chain: str | None
    category: str
    category_label: str
    legal_rep: str
    contact: str
    phone: str
    address: str
    is_synthetic: bool
    version: Count
    liaisons: list[LiaisonOut] = []


def _lia(lia: Liaison) -> dict[str, Any]:
    return {
        "id": lia.pk,
        "person": lia.person.name,
        "person_id": lia.person_id,
        "role": lia.role,
        "role_label": lia.get_role_display(),
        "start": lia.start,
        "end": lia.end,
    }


def _ent(e: Enterprise, liaisons: list[Liaison] | None = None) -> dict[str, Any]:
    return {
        "id": e.pk,
        "name": e.name,
        "credit_code": e.credit_code,
        "division": e.division.name,
        "division_code": e.division.code,
        "park": e.park.name if e.park_id else None,
        "industry_chain": e.industry_chain.name if e.industry_chain_id else None,
        "category": e.category,
        "category_label": e.get_category_display() or "非四上",
        "legal_rep": e.legal_rep,
        "contact": e.contact,
        "phone": e.phone,
        "address": e.address,
        "is_synthetic": e.is_synthetic,
        "version": e.version,
        "liaisons": [_lia(x) for x in liaisons or []],
    }


class EnterpriseParams(Schema):
    q: str | None = None
    division: str | None = None
    category: str | None = None
    park: str | None = None
    industry: str | None = None
    liaison: str | None = None
    unvisited: Days | None = Field(None, description="只列出近N天未走访的企业")
    offset: Offset = 0
    limit: Limit = 100
    after: After = None


class EnterprisePage(PageOut):
    items: list[EnterpriseOut]


@router.get(
    "/enterprises", response=EnterprisePage, summary="企业列表（名称、拼音首字母、信用代码搜索）"
)
def list_enterprises(request: HttpRequest, params: Query[EnterpriseParams]):
    scope = scope_of(request)
    data = params.dict(exclude={"offset", "limit", "after", "unvisited"})
    f = EnterpriseFilter(**data, unvisited_days=params.unvisited)
    qs = filter_enterprises(scope, f, timezone.localdate())
    page = window(qs, offset=params.offset, limit=params.limit, after=params.after)
    return page.as_dict([_ent(e) for e in page.items])


@router.get("/enterprises/{pk}", response=EnterpriseOut, summary="企业详情（含包联）")
def get_enterprise(request: HttpRequest, pk: Id):
    scope = scope_of(request)
    e = scope.get(Enterprise.objects.select_related("division", "park", "industry_chain"), pk)
    return _ent(e, list(e.liaisons.select_related("person")))


class EnterpriseIn(Schema):
    name: str
    credit_code: str
    division: str = Field(..., description="区划代码或名称")
    park_id: Id | None = None
    industry_chain_id: Id | None = None
    category: str = ""
    legal_rep: str = ""
    contact: str = ""
    phone: str = ""
    address: str = ""


class EnterprisePatch(Schema):
    version: Count
    name: str | None = None
    credit_code: str | None = None
    division: str | None = None
    park_id: Id | None = None
    industry_chain_id: Id | None = None
    category: str | None = None
    legal_rep: str | None = None
    contact: str | None = None
    phone: str | None = None
    address: str | None = None


def _ent_data(scope: Scope, payload: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in payload.items():
        if k == "version":
            continue
        if k == "division":
            out["division"] = scope.division_by_ref(v)
        elif k in {"park_id", "industry_chain_id"}:
            out[k[:-3]] = v
        else:
            out[k] = v
    return out


@router.post("/enterprises", response={201: EnterpriseOut}, summary="新增企业")
def create_enterprise(request: HttpRequest, payload: EnterpriseIn):
    scope = scope_of(request)
    scope.require_manage()
    e = ent_services.do_create_enterprise(scope, _ent_data(scope, payload.dict()))
    return Status(201, _ent(e))


@router.patch("/enterprises/{pk}", response=EnterpriseOut, summary="修改企业（需带版本号）")
def update_enterprise(request: HttpRequest, pk: Id, payload: EnterprisePatch):
    scope = scope_of(request)
    e = scope.get(Enterprise.objects.all(), pk)
    sent = payload.dict(exclude_unset=True)
    e = ent_services.do_update_enterprise(
        scope, e, _ent_data(scope, sent), expected_version=payload.version
    )
    return _ent(e)


class LiaisonIn(Schema):
    person_id: Id
    role: str = Field(
        ..., description="leader 包联领导 / cadre 包联干部 / officer 服务专员 / chief 首席服务官"
    )
    start: dt.date
    end: dt.date | None = None


@router.post("/enterprises/{pk}/liaisons", response={201: LiaisonOut}, summary="新增企业包联")
def add_liaison(request: HttpRequest, pk: Id, payload: LiaisonIn):
    scope = scope_of(request)
    e = scope.get(Enterprise.objects.all(), pk)
    lia = ent_services.do_add_liaison(
        scope,
        enterprise=e,
        person=payload.person_id,
        role=payload.role,
        start=payload.start,
        end=payload.end,
    )
    return Status(201, _lia(lia))


# Visits -----------------------------------------------------------------------


class VisitOut(Schema):
    id: int
    kind: str
    kind_label: str
    date: dt.date
    title: str
    notes: str
    enterprise_ids: list[Id]
    persons: list[str]
    latitude: float | None = Field(None, description="纬度（WGS-84），仅在登记时记录了位置")
    longitude: float | None = Field(None, description="经度（WGS-84）")


def _visit(v: Visit) -> dict[str, Any]:
    return {
        "id": v.pk,
        "kind": v.kind,
        "kind_label": v.get_kind_display(),
        "date": v.date,
        "title": v.title,
        "notes": v.notes,
        "enterprise_ids": [e.pk for e in v.enterprises.all()],
        "persons": [p.name for p in v.persons.all()],
        "latitude": None if v.latitude is None else float(v.latitude),
        "longitude": None if v.longitude is None else float(v.longitude),
    }


class VisitPage(PageOut):
    items: list[VisitOut]


@router.get("/visits", response=VisitPage, summary="走访、座谈会、企业服务日")
def list_visits(
    request: HttpRequest,
    kind: str | None = None,
    year: Year | None = None,
    enterprise: Id | None = None,
    offset: Offset = 0,
    limit: Limit = 100,
    after: After = None,
):
    scope = scope_of(request)
    qs = scope.filter(Visit.objects.all())
    if kind:
        qs = qs.filter(kind=kind)
    if year:
        qs = qs.filter(date__year=year)
    if enterprise:
        qs = qs.filter(enterprises=enterprise)
    qs = qs.prefetch_related("enterprises", "persons").order_by("-date", "-id")
    page = window(qs, offset=offset, limit=limit, after=after)
    return page.as_dict([_visit(v) for v in page.items])


class RaisedProblemIn(Schema):
    """A problem raised on the spot during the visit (现场收集问题)."""

    title: str
    category_id: Id
    description: str = ""
    enterprise_id: Id | None = Field(
        None, description="问题所属企业；走访只有一家企业时可省略，多家时必填"
    )


class VisitIn(Schema):
    kind: str = "visit"
    date: dt.date
    title: str = ""
    notes: str = ""
    enterprise_ids: list[Id]
    person_ids: list[Id] = []
    problems: list[RaisedProblemIn] = Field(
        [], description="现场收集的问题：与走访在同一事务里登记为企业问题，任一条无效则都不登记"
    )
    latitude: Decimal | None = Field(None, description="纬度（WGS-84，度）；与经度同时提供")
    longitude: Decimal | None = Field(None, description="经度（WGS-84，度）")


class VisitCreated(VisitOut):
    problem_ids: list[int]


@router.post("/visits", response={201: VisitCreated}, summary="登记走访/座谈（可同时登记现场问题）")
def create_visit(request: HttpRequest, payload: VisitIn):
    scope = scope_of(request)
    v, matters = services.do_record_visit_with_problems(
        scope,
        {
            "kind": payload.kind,
            "date": payload.date,
            "title": payload.title,
            "notes": payload.notes,
            "enterprises": payload.enterprise_ids,
            "persons": payload.person_ids,
            "latitude": payload.latitude,
            "longitude": payload.longitude,
        },
        [
            {
                "title": p.title,
                "category": p.category_id,
                "description": p.description,
                "enterprise": p.enterprise_id,
            }
            for p in payload.problems
        ],
    )
    return Status(201, _visit(v) | {"problem_ids": [m.pk for m in matters]})


# Problems ---------------------------------------------------------------------


class ProblemOut(MatterFields):
    category: str | None
    source: str
    source_label: str
    steps: list[StepOut] | None = None


def _problem(scope: Scope, m: Matter, light=None, *, steps: bool = False) -> dict[str, Any]:
    out = {
        **matter_fields(scope, m, light),
        "category": m.category.name if m.category_id else None,
        "source": m.source,
        "source_label": m.get_source_display(),
    }
    if steps:
        out["steps"] = [step_out(s) for s in m.steps.all()]
    return out


class ProblemParams(Schema):
    status: str | None = None
    light: str | None = None
    category: str | None = None
    unit: str | None = None
    enterprise: str | None = None
    division: str | None = None
    year: Year | None = None
    month: Month | None = None
    start: dt.date | None = None
    end: dt.date | None = None
    q: str | None = None
    sort: str | None = Field(None, description="light：红灯在前；-light：反序")
    offset: Offset = 0
    limit: Limit = 100
    after: After = None


class ProblemPage(PageOut):
    items: list[ProblemOut]


@router.get("/problems", response=ProblemPage, summary="问题台账（与网页相同的筛选）")
def list_problems(request: HttpRequest, params: Query[ProblemParams]):
    scope = scope_of(request)
    f = ProblemFilter(**params.dict(exclude={"offset", "limit", "after"}))
    today = timezone.localdate()
    rows = with_lights(filter_problems(scope, f), f, today).prefetch_related("co_units")
    page = window(rows, offset=params.offset, limit=params.limit, after=params.after)
    scope.vouch(page.items)
    return page.as_dict([_problem(scope, m, light) for m, light in page_lights(page.items, today)])


@router.get("/problems/mine", response=list[ProblemOut], summary="我的待办")
def list_my_work(request: HttpRequest):
    scope = scope_of(request)
    today = timezone.localdate()
    rows = list(my_work(scope).prefetch_related("co_units")[:500])
    scope.vouch(rows)  # read through the scope: no query per row for its allowed actions
    return [_problem(scope, m, light) for m, light in page_lights(rows, today)]


def _get(scope: Scope, pk: Id) -> Matter:
    return scope.get(
        Matter.objects.select_related("division", "enterprise", "category", "lead_unit", "leader"),
        pk,
    )


@router.get("/problems/{pk}", response=ProblemOut, summary="问题详情（含办理过程）")
def get_problem(request: HttpRequest, pk: Id):
    scope = scope_of(request)
    m = _get(scope, pk)
    return _problem(scope, m, light_of(m, timezone.localdate()), steps=True)


class ProblemIn(Schema):
    enterprise_id: Id | None = Field(None, description="企业用户可省略（默认本企业）")
    category_id: Id
    title: str
    description: str = ""
    source: str | None = None
    raised_on: dt.date | None = None
    visit_id: Id | None = None


@router.post("/problems", response={201: ProblemOut}, summary="登记企业问题")
def create_problem(request: HttpRequest, payload: ProblemIn):
    scope = scope_of(request)
    m = services.do_create_problem(
        scope,
        {
            "enterprise": payload.enterprise_id,
            "category": payload.category_id,
            "title": payload.title,
            "description": payload.description,
            "source": payload.source,
            "raised_on": payload.raised_on,
            "visit": payload.visit_id,
        },
    )
    return Status(201, _problem(scope, m, steps=True))


# Every workflow step of a problem (受理, 交办, 办结, 评价, 销号, 退回, 延期) is taken through
# POST /matters/{id}/steps/{action} (taizhang/api/matters.py), the same for every kind.


# Figures contract ---------------------------------------------------------------


@dash.get("/dashboard/problems", summary="万人助万企看板数据（稳定契约）")
def dashboard_problems(request: HttpRequest, division: str, year: Year, month: Month | None = None):
    """Counts, and rates in percent with one decimal as strings (null when nothing to divide).

    The period is 1 January to the end of `month` (the whole year without it);
    problems raised in the period are counted as they stood at its cut-off (the
    period's last day, or today while it runs), as the web dashboard counts them.
    """
    scope = scope_of(request)
    if month is not None and not 1 <= month <= 12:
        raise ValidationError({"month": ["月份应为1—12"]})
    if not 2000 <= year <= 2100:
        raise ValidationError({"year": ["年度不合理"]})
    d = scope.division_by_ref(division)
    as_of = cutoff(year, month, timezone.localdate())
    return problem_figures(scope, d, year, month, as_of).as_contract()


# Mounted by taizhang/api/api.py; route modules never import it (they are leaves).
ROUTERS = [router, dash]
