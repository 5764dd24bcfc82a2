"""政务服务办件 and 银企对接 under /api/v1/services/ and /api/v1/financing/, and their two
dashboard contracts. Same scope, same do_* functions and the same figures as the web pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from taizhang.api.schemas import After, Count, Id, Limit, Month, Offset, PageOut, Year
from taizhang.core.paging import window
from taizhang.core.params import year_of
from taizhang.core.scope import scope_of
from taizhang.matters.models import Kind, Matter
from taizhang.services import cases, financing
from taizhang.services.figures import (
    as_of_for,
    financing_contract,
    financing_figures,
    period_bounds,
    service_contract,
    service_figures,
)
from taizhang.services.models import BankResponse, FinancingNeed, ServiceCase

router = Router(tags=["政务服务与银企对接"])
dash = Router(tags=["看板"])


# ---------------------------------------------------------------- 政务服务办件


class CaseOut(Schema):
    id: int
    number: str
    item: str
    division: str
    unit_id: int
    unit: str
    accepted_on: dt.date
    limit_workdays: int
    finished_on: dt.date | None
    evaluation: str
    applicant: str
    used_workdays: int | None
    state: str
    state_label: str
    matter_id: int | None
    matter_number: str | None
    version: Count


class CasePage(PageOut):
    items: list[CaseOut]


def _case_out(c: ServiceCase) -> dict[str, Any]:
    return {
        "id": c.pk,
        "number": c.number,
        "item": c.item,
        "division": c.division.name,
        "unit_id": c.unit_id,
        "unit": c.unit.name,
        "accepted_on": c.accepted_on,
        "limit_workdays": c.limit_workdays,
        "finished_on": c.finished_on,
        "evaluation": c.evaluation,
        "applicant": c.applicant,
        "used_workdays": c.used_workdays,
        "state": c.state,
        "state_label": cases.STATE_LABELS[c.state],
        "matter_id": c.matter_id,
        "matter_number": c.matter.number if c.matter_id else None,
        "version": c.version,
    }


class CaseListParams(Schema):
    division: str | None = Field(None, description="区划代码或名称（默认本人区划）")
    year: Year | None = None
    month: Month | None = None
    unit: Id | None = None
    state: str | None = Field(None, description="on_time / late / open / overdue")
    q: str | None = Field(None, max_length=60)
    offset: Offset = 0
    limit: Limit = 100
    after: After = None


def _cases_qs(scope, p: CaseListParams):
    from django.core.exceptions import ValidationError

    qs = scope.filter(ServiceCase.objects.select_related("division", "unit", "matter"))
    if p.division:
        qs = qs.filter(division__path__startswith=scope.division_by_ref(p.division).path)
    year = year_of(p.year) or timezone.localdate().year
    start, end = period_bounds(year, p.month)
    qs = qs.filter(accepted_on__gte=start, accepted_on__lte=end)
    if p.unit:
        qs = qs.filter(unit=p.unit)
    if p.q:
        qs = qs.filter(Q(number__icontains=p.q) | Q(item__icontains=p.q))
    qs = cases.with_timing(qs, as_of_for(year, p.month))
    if p.state:
        if p.state not in cases.STATE_LABELS:
            raise ValidationError({"state": ["办理状态应为 on_time、late、open 或 overdue"]})
        qs = qs.filter(state=p.state)
    return qs.order_by("-accepted_on", "-id")


@router.get("/services/cases", response=CasePage, summary="政务服务办件列表（与网页相同的筛选）")
def list_cases(request: HttpRequest, params: Query[CaseListParams]):
    qs = _cases_qs(scope_of(request), params)
    page = window(qs, offset=params.offset, limit=params.limit, after=params.after)
    return page.as_dict([_case_out(c) for c in page.items])


def _timed(scope, pk: int) -> ServiceCase:
    case = scope.get(ServiceCase.objects.all(), pk)
    return (
        cases.with_timing(ServiceCase.objects.filter(pk=case.pk), timezone.localdate())
        .select_related("division", "unit", "matter")
        .get()
    )


@router.get("/services/cases/{pk}", response=CaseOut, summary="办件详情（含截至今天的办理状态）")
def get_case(request: HttpRequest, pk: Id):
    return _case_out(_timed(scope_of(request), pk))


class CaseIn(Schema):
    item: str = Field(..., max_length=200)
    unit_id: Id
    accepted_on: dt.date
    limit_workdays: int = Field(..., ge=0, le=cases.MAX_LIMIT)
    finished_on: dt.date | None = None
    evaluation: str = Field(
        "", description="satisfied / basic / unsatisfied，或 满意 / 基本满意 / 不满意"
    )
    applicant: str = Field("", max_length=200)
    version: Count


@router.put("/services/cases/{pk}", response=CaseOut, summary="更正一件办件（督查室）")
def correct_case(request: HttpRequest, pk: Id, payload: CaseIn):
    scope = scope_of(request)
    case = scope.get(ServiceCase.objects.all(), pk)
    data = payload.dict(exclude={"version", "unit_id"}) | {"unit": payload.unit_id}
    cases.do_correct_case(scope, case, data, expected_version=payload.version)
    return _case_out(_timed(scope, pk))


class EscalatedOut(Schema):
    case_id: int
    matter_id: int
    matter_number: str
    lead_unit: str
    deadline: dt.date | None


@router.post(
    "/services/cases/{pk}/escalate",
    response={201: EscalatedOut},
    summary="超期办件转为督办任务（只能一次）",
)
def escalate_case(request: HttpRequest, pk: Id):
    scope = scope_of(request)
    case = scope.get(ServiceCase.objects.all(), pk)
    m = cases.do_escalate_case(scope, case)
    return Status(
        201,
        {
            "case_id": case.pk,
            "matter_id": m.pk,
            "matter_number": m.number,
            "lead_unit": m.lead_unit.name,
            "deadline": m.deadline,
        },
    )


@dash.get("/dashboard/services", summary="政务服务办件时效（稳定契约）")
def dashboard_services(request: HttpRequest, division: str, year: Year, month: Month | None = None):
    """cases, on_time_rate_pct, satisfaction_rate_pct, avg_workdays (rates and days as strings
    with one decimal, null when nothing to divide), and by_unit; a past period as of its last day."""
    scope = scope_of(request)
    d = scope.division_by_ref(division)
    return service_contract(service_figures(scope, d, year, month))


# ---------------------------------------------------------------- 银企对接


class ResponseOut(Schema):
    id: int
    bank: str
    status: str
    status_label: str
    started_on: dt.date
    intention_amount_wan: Decimal | None
    intention_on: dt.date | None
    granted_amount_wan: Decimal | None
    granted_on: dt.date | None
    loaned_amount_wan: Decimal | None
    loaned_on: dt.date | None
    failed_on: dt.date | None
    note: str
    version: Count


class NeedOut(Schema):
    id: int
    division: str
    enterprise_id: int
    enterprise: str
    amount_wan: Decimal
    purpose: str
    term_months: int
    published_on: dt.date
    problem_id: int | None
    note: str
    responses: list[ResponseOut]


class NeedPage(PageOut):
    items: list[NeedOut]


def _response_out(r: BankResponse) -> dict[str, Any]:
    return {
        "id": r.pk,
        "bank": r.bank.name,
        "status": r.status,
        "status_label": r.get_status_display(),
        "started_on": r.started_on,
        "intention_amount_wan": r.intention_amount,
        "intention_on": r.intention_on,
        "granted_amount_wan": r.granted_amount,
        "granted_on": r.granted_on,
        "loaned_amount_wan": r.loaned_amount,
        "loaned_on": r.loaned_on,
        "failed_on": r.failed_on,
        "note": r.note,
        "version": r.version,
    }


def _need_out(n: FinancingNeed) -> dict[str, Any]:
    return {
        "id": n.pk,
        "division": n.division.name,
        "enterprise_id": n.enterprise_id,
        "enterprise": n.enterprise.name,
        "amount_wan": n.amount,
        "purpose": n.purpose,
        "term_months": n.term_months,
        "published_on": n.published_on,
        "problem_id": n.problem_id,
        "note": n.note,
        "responses": [_response_out(r) for r in n.responses.all()],
    }


_NEEDS = FinancingNeed.objects.select_related("division", "enterprise").prefetch_related(
    "responses__bank"
)


class NeedListParams(Schema):
    division: str | None = Field(None, description="区划代码或名称（默认本人区划）")
    year: Year | None = None
    q: str | None = Field(None, max_length=60)
    offset: Offset = 0
    limit: Limit = 100
    after: After = None


@router.get("/financing/needs", response=NeedPage, summary="融资需求列表")
def list_needs(request: HttpRequest, params: Query[NeedListParams]):
    scope = scope_of(request)
    qs = scope.filter(_NEEDS.all())
    if params.division:
        qs = qs.filter(division__path__startswith=scope.division_by_ref(params.division).path)
    if params.year:
        qs = qs.filter(published_on__year=year_of(params.year))
    if params.q:
        qs = qs.filter(Q(enterprise__name__icontains=params.q) | Q(purpose__icontains=params.q))
    qs = qs.order_by("-published_on", "-id")
    page = window(qs, offset=params.offset, limit=params.limit, after=params.after)
    return page.as_dict([_need_out(n) for n in page.items])


# Ranges below are wide on purpose: a value out of the business range (a term of 0 months,
# a negative amount) reaches the domain check, which answers with its Chinese message.
class NeedIn(Schema):
    enterprise_id: Id
    amount_wan: Decimal = Field(..., description="融资需求，万元，大于0")
    purpose: str = Field(..., max_length=400)
    term_months: int = Field(..., ge=-1000, le=1000, description="期限（月），1—360")
    published_on: dt.date
    note: str = Field("", max_length=600)


@router.post("/financing/needs", response={201: NeedOut}, summary="发布融资需求（督查室）")
def create_need(request: HttpRequest, payload: NeedIn):
    scope = scope_of(request)
    data = payload.dict(exclude={"enterprise_id", "amount_wan"})
    data |= {"enterprise": payload.enterprise_id, "amount": payload.amount_wan}
    n = financing.do_create_need(scope, data)
    return Status(201, _need_out(_NEEDS.get(pk=n.pk)))


@router.get("/financing/needs/{pk}", response=NeedOut, summary="融资需求详情（含银行对接）")
def get_need(request: HttpRequest, pk: Id):
    return _need_out(scope_of(request).get(_NEEDS.all(), pk))


class FromProblemIn(Schema):
    amount_wan: Decimal
    term_months: int = Field(..., ge=-1000, le=1000)
    published_on: dt.date | None = None


@router.post(
    "/financing/from-problem/{pk}",
    response={201: NeedOut},
    summary="把“融资”类企业问题转为融资需求（只能一次）",
)
def need_from_problem(request: HttpRequest, pk: Id, payload: FromProblemIn):
    scope = scope_of(request)
    problem = scope.get(Matter.objects.filter(kind=Kind.ENTERPRISE_PROBLEM), pk)
    data: dict[str, Any] = {"amount": payload.amount_wan, "term_months": payload.term_months}
    if payload.published_on:
        data["published_on"] = payload.published_on
    n = financing.do_need_from_problem(scope, problem, data)
    return Status(201, _need_out(_NEEDS.get(pk=n.pk)))


class ResponseIn(Schema):
    bank: str = Field(..., max_length=60, description="银行名录中的名称")
    started_on: dt.date
    note: str = Field("", max_length=600)


@router.post(
    "/financing/needs/{pk}/responses",
    response={201: ResponseOut},
    summary="登记银行对接（对接中）",
)
def add_response(request: HttpRequest, pk: Id, payload: ResponseIn):
    scope = scope_of(request)
    need = scope.get(FinancingNeed.objects.all(), pk)
    r = financing.do_add_response(scope, need, payload.dict())
    return Status(201, _response_out(r))


class AdvanceIn(Schema):
    status: str = Field(..., description="intention / granted / loaned / failed")
    date: dt.date
    amount_wan: Decimal | None = Field(None, description="意向、授信、放款金额（万元）；未成不填")
    note: str = Field("", max_length=600)
    version: Count


@router.post(
    "/financing/responses/{pk}/status",
    response=ResponseOut,
    summary="银行对接进入下一环节（达成意向 → 已授信 → 已放款，或未成）",
)
def advance_response(request: HttpRequest, pk: Id, payload: AdvanceIn):
    scope = scope_of(request)
    r = scope.get(BankResponse.objects.all(), pk)
    r = financing.do_advance_response(
        scope,
        r,
        status=payload.status,
        date=payload.date,
        amount=payload.amount_wan,
        note=payload.note,
        expected_version=payload.version,
    )
    return _response_out(r)


@dash.get("/dashboard/financing", summary="银企对接（稳定契约）")
def dashboard_financing(
    request: HttpRequest, division: str, year: Year, month: Month | None = None
):
    """needs, intentions, intention_amount_wan, granted_amount_wan (万元 as strings) and by_bank;
    a past period as of its last day."""
    scope = scope_of(request)
    d = scope.division_by_ref(division)
    return financing_contract(financing_figures(scope, d, year, month))


# Mounted by taizhang/api/api.py; route modules never import it (they are leaves).
ROUTERS = [router, dash]
