"""政务服务办件 and 银企对接 pages: lists paged in the database, figures with their formulas,
detail pages with the office's forms. Read through the scope, write through the do_* functions
of taizhang.services."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from taizhang.core import params
from taizhang.core.errors import ConflictError, messages_of
from taizhang.core.models import Division, Role
from taizhang.core.paging import CappedPaginator
from taizhang.core.scope import Scope, scope_of
from taizhang.exports.http import download
from taizhang.matters.models import Kind, Matter
from taizhang.services import cases, financing
from taizhang.services.exports import case_table, need_table
from taizhang.services.figures import (
    FINANCING_FORMULAS,
    SERVICE_FORMULAS,
    as_of_for,
    financing_figures,
    period_bounds,
    service_figures,
)
from taizhang.services.models import (
    Bank,
    BankResponse,
    Evaluation,
    FinancingNeed,
    ResponseStatus,
    ServiceCase,
    ensure_default_banks,
)
from taizhang.web.common import flash_errors, page_division
from taizhang.web.forms.widgets import picked

STATES = list(cases.STATE_LABELS)
PAGE_SIZE = 30


def _empty(request: HttpRequest) -> HttpResponse:
    return render(
        request, "web/empty.html", {"message": "您的账号尚未分配区划或单位，请联系督查室。"}
    )


def _period(request: HttpRequest) -> tuple[int, int | None]:
    today = timezone.localdate()
    return params.year_param(request.GET, default=today.year), params.month_param(request.GET)


def _querystring(request: HttpRequest) -> str:
    q = request.GET.copy()
    q.pop("page", None)
    return q.urlencode()


# ---------------------------------------------------------------- 政务服务办件


def _cases(request: HttpRequest, scope: Scope, division: Division) -> tuple[QuerySet, dict]:
    year, month = _period(request)
    start, end = period_bounds(year, month)
    as_of = as_of_for(year, month)
    f = {
        "year": year,
        "month": month,
        "state": params.choice_param(request.GET, "state", STATES),
        "unit": params.ref_id("unit", request.GET.get("unit") or None),
        "q": (request.GET.get("q") or "").strip()[:60],
        "as_of": as_of,
    }
    qs = scope.filter(ServiceCase.objects.select_related("unit", "matter")).filter(
        division__path__startswith=division.path, accepted_on__gte=start, accepted_on__lte=end
    )
    if f["unit"]:
        qs = qs.filter(unit=f["unit"])
    if f["q"]:
        qs = qs.filter(Q(number__icontains=f["q"]) | Q(item__icontains=f["q"]))
    qs = cases.with_timing(qs, as_of)
    if f["state"]:
        qs = qs.filter(state=f["state"])
    return qs.order_by("-accepted_on", "-id"), f


@login_required
def service_list(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request)
    if scope.role == Role.ENTERPRISE:
        return redirect("portal")
    division = page_division(request, scope)
    if division is None:
        return _empty(request)
    qs, f = _cases(request, scope, division)
    page = CappedPaginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "services/cases.html",
        {
            "division": division,
            "page": page,
            "rows": page.object_list,
            "f": f,
            "states": cases.STATE_LABELS,
            "fig": service_figures(scope, division, f["year"], f["month"]),
            "formulas": SERVICE_FORMULAS,
            "querystring": _querystring(request),
            "can_manage": scope.can_manage,
            "months": range(1, 13),
        },
    )


@login_required
def service_export(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in {"xlsx", "csv"}:
        raise Http404("不支持的导出格式")
    scope = scope_of(request)
    if scope.role == Role.ENTERPRISE:
        raise PermissionDenied("企业用户不能导出政务服务台账")
    division = page_division(request, scope)
    if division is None:
        raise Http404("未找到区划")
    qs, f = _cases(request, scope, division)
    return download(case_table(scope, qs, f["as_of"]), fmt, "政务服务办件台账")


@login_required
def service_figures_page(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request)
    if scope.role == Role.ENTERPRISE:
        return redirect("portal")
    return _figures_page(
        request, scope, "services/case_figures.html", service_figures, SERVICE_FORMULAS
    )


def _figures_page(
    request: HttpRequest,
    scope: Scope,
    template: str,
    figures: Callable[[Scope, Division, int, int | None], dict[str, Any]],
    formulas: dict[str, str],
) -> HttpResponse:
    """A figures page: the division and period chosen, the figures and their formulas."""
    division = page_division(request, scope)
    if division is None:
        return _empty(request)
    year, month = _period(request)
    return render(
        request,
        template,
        {
            "division": division,
            "year": year,
            "month": month,
            "f": {"year": year, "month": month},
            "fig": figures(scope, division, year, month),
            "formulas": formulas,
            "years": range(timezone.localdate().year, 2019, -1),
            "months": range(1, 13),
        },
    )


def _case(request: HttpRequest, pk: int) -> ServiceCase:
    return scope_of(request).get(
        ServiceCase.objects.select_related("division", "unit", "matter"), pk
    )


@login_required
def service_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scope = scope_of(request)
    case = _case(request, pk)
    return render(
        request,
        "services/case_detail.html",
        {
            "c": cases.timing_of(case),
            "case": case,
            "states": cases.STATE_LABELS,
            "evaluations": Evaluation.choices,
            "can_manage": scope.can_manage,
        },
    )


@login_required
@require_POST
def service_edit(request: HttpRequest, pk: int) -> HttpResponse:
    scope = scope_of(request)
    case = _case(request, pk)
    if not scope.can_manage:
        raise PermissionDenied("只有督查室可以更正办件")
    p = request.POST
    data = {
        "item": p.get("item", ""),
        "unit": picked(p, "unit"),
        "accepted_on": p.get("accepted_on", ""),
        "limit_workdays": p.get("limit_workdays", ""),
        "finished_on": p.get("finished_on", ""),
        "evaluation": p.get("evaluation", ""),
        "applicant": p.get("applicant", ""),
    }
    version = params.int_param(p, "version", lo=0, hi=params.ID_MAX, default=0) or 0
    try:
        cases.do_correct_case(scope, case, data, expected_version=version)
        messages.success(request, "已更正办件")
    except ValidationError as e:
        flash_errors(request, e)
    except ConflictError as e:
        messages.error(request, e.message)
    return redirect("service_detail", pk=case.pk)


@login_required
@require_POST
def service_escalate(request: HttpRequest, pk: int) -> HttpResponse:
    scope = scope_of(request)
    case = _case(request, pk)
    if not scope.can_manage:
        raise PermissionDenied("只有督查室可以转督办")
    try:
        m = cases.do_escalate_case(scope, case)
    except ValidationError as e:
        flash_errors(request, e)
        return redirect("service_detail", pk=case.pk)
    messages.success(request, f"已转为督办任务{m.number}，交办{case.unit.name}")
    return redirect("service_detail", pk=case.pk)


# ---------------------------------------------------------------- 银企对接


def _needs(request: HttpRequest, scope: Scope, division: Division) -> tuple[QuerySet, dict]:
    year, month = _period(request)
    start, end = period_bounds(year, month)
    f = {
        "year": year,
        "month": month,
        "q": (request.GET.get("q") or "").strip()[:60],
        "as_of": as_of_for(year, month),
    }
    qs = scope.filter(FinancingNeed.objects.select_related("enterprise", "problem")).filter(
        division__path__startswith=division.path, published_on__gte=start, published_on__lte=end
    )
    if f["q"]:
        qs = qs.filter(Q(enterprise__name__icontains=f["q"]) | Q(purpose__icontains=f["q"]))
    return qs.prefetch_related("responses__bank").order_by("-published_on", "-id"), f


@login_required
def financing_list(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request)
    division = page_division(request, scope)
    if division is None:
        return _empty(request)
    qs, f = _needs(request, scope, division)
    page = CappedPaginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "services/needs.html",
        {
            "division": division,
            "page": page,
            "rows": page.object_list,
            "f": f,
            "fig": financing_figures(scope, division, f["year"], f["month"]),
            "formulas": FINANCING_FORMULAS,
            "querystring": _querystring(request),
            "can_manage": scope.can_manage,
            "months": range(1, 13),
        },
    )


@login_required
def financing_export(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in {"xlsx", "csv"}:
        raise Http404("不支持的导出格式")
    scope = scope_of(request)
    division = page_division(request, scope)
    if division is None:
        raise Http404("未找到区划")
    qs, f = _needs(request, scope, division)
    return download(need_table(scope, qs, f["as_of"]), fmt, "银企对接融资需求台账")


@login_required
def financing_figures_page(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request)
    return _figures_page(
        request, scope, "services/need_figures.html", financing_figures, FINANCING_FORMULAS
    )


def _need_data(p: Any) -> dict[str, Any]:
    return {
        "enterprise": picked(p, "enterprise"),
        "amount": p.get("amount", ""),
        "purpose": p.get("purpose", ""),
        "term_months": p.get("term_months", ""),
        "published_on": p.get("published_on", ""),
        "note": p.get("note", ""),
    }


@login_required
def financing_new(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request)
    if not scope.can_manage:
        raise PermissionDenied("只有督查室可以发布融资需求")
    errors: dict[str, list[str]] = {}
    data: dict[str, Any] = {"published_on": timezone.localdate()}
    if request.method == "POST":
        data = _need_data(request.POST)
        try:
            need = financing.do_create_need(scope, data)
            messages.success(request, f"已发布{need.enterprise.name}的融资需求")
            return redirect("financing_detail", pk=need.pk)
        except ValidationError as e:
            errors = messages_of(e)
    return render(request, "services/need_new.html", {"data": data, "errors": errors})


def _need(request: HttpRequest, pk: int) -> FinancingNeed:
    return scope_of(request).get(
        FinancingNeed.objects.select_related("division", "enterprise", "problem"), pk
    )


@login_required
def financing_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scope = scope_of(request)
    need = _need(request, pk)
    ensure_default_banks()
    responses = list(need.responses.select_related("bank"))
    for r in responses:
        r.next_choices = [
            (s, ResponseStatus(s).label) for s in financing.NEXT[ResponseStatus(r.status)]
        ]
    return render(
        request,
        "services/need_detail.html",
        {
            "need": need,
            "responses": responses,
            "banks": Bank.objects.filter(active=True),
            "can_manage": scope.can_manage,
            "today": timezone.localdate(),
        },
    )


@login_required
@require_POST
def financing_response_add(request: HttpRequest, pk: int) -> HttpResponse:
    scope = scope_of(request)
    need = _need(request, pk)
    if not scope.can_manage:
        raise PermissionDenied("只有督查室可以登记银行对接")
    p = request.POST
    try:
        r = financing.do_add_response(
            scope,
            need,
            {
                "bank": p.get("bank", ""),
                "started_on": p.get("started_on", ""),
                "note": p.get("note", ""),
            },
        )
        messages.success(request, f"已登记{r.bank.name}对接")
    except ValidationError as e:
        flash_errors(request, e)
    return redirect("financing_detail", pk=need.pk)


@login_required
@require_POST
def financing_response_advance(request: HttpRequest, pk: int) -> HttpResponse:
    scope = scope_of(request)
    r = scope.get(BankResponse.objects.select_related("need", "bank"), pk)
    if not scope.can_manage:
        raise PermissionDenied("只有督查室可以登记银行对接")
    p = request.POST
    version = params.int_param(p, "version", lo=0, hi=params.ID_MAX, default=0) or 0
    try:
        r = financing.do_advance_response(
            scope,
            r,
            status=p.get("status", ""),
            date=p.get("date", ""),
            amount=p.get("amount", ""),
            note=p.get("note", ""),
            expected_version=version,
        )
        messages.success(request, f"{r.bank.name}：{r.get_status_display()}")
    except ValidationError as e:
        flash_errors(request, e)
    except ConflictError as e:
        messages.error(request, e.message)
    return redirect("financing_detail", pk=r.need_id)


@login_required
@require_POST
def financing_from_problem(request: HttpRequest, pk: int) -> HttpResponse:
    scope = scope_of(request)
    problem = scope.get(Matter.objects.filter(kind=Kind.ENTERPRISE_PROBLEM), pk)
    if not scope.can_manage:
        raise PermissionDenied("只有督查室可以把问题转为融资需求")
    p = request.POST
    try:
        need = financing.do_need_from_problem(
            scope,
            problem,
            {
                "amount": p.get("amount", ""),
                "term_months": p.get("term_months", ""),
                "published_on": p.get("published_on") or timezone.localdate(),
            },
        )
    except ValidationError as e:
        flash_errors(request, e)
        return redirect("problem_detail", pk=problem.pk)
    messages.success(request, "已转为融资需求，请登记银行对接")
    return redirect("financing_detail", pk=need.pk)
