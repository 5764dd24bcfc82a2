"""专项债 ledger, 三个一批 events and the 驻厂专员 roster: web pages. Read through the scope,
write through projects.bond_services, count through bond_figures / matters.officers."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from taizhang.core.errors import ConflictError
from taizhang.core.paging import CappedPaginator
from taizhang.core.params import choice_param, date_param, month_param, year_param
from taizhang.core.scope import Scope, scope_of
from taizhang.exports.http import download
from taizhang.exports.render import Column, Table
from taizhang.lib.periods import cutoff, month_end
from taizhang.matters.officers import WORKLOAD_FORMULAS, officer_workload
from taizhang.projects import bond_services as services
from taizhang.projects.bond_exports import bond_table
from taizhang.projects.bond_figures import (
    BOND_FORMULAS,
    BondFilter,
    bond_figures,
    bonds_in,
    event_investment,
    events_in,
)
from taizhang.projects.bonds import (
    BOND_ORDER,
    BatchEvent,
    BatchKind,
    BondField,
    BondProject,
    BondStatus,
)
from taizhang.projects.figures import flow_between
from taizhang.projects.models import Stage
from taizhang.web.forms.base import keep_form, kept_form
from taizhang.web.forms.bonds import BatchEventForm, BondAmountsForm, BondForm, BondStatusForm


def _errors_to(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errs in error.error_dict.items():
            target = field if field in form.fields else None
            for e in errs:
                for msg in e.messages:
                    form.add_error(target, msg)
    else:
        for msg in error.messages:
            form.add_error(None, msg)


def _bond_filter(scope: Scope, params) -> BondFilter:
    division = (params.get("division") or "").strip()
    return BondFilter(
        year=year_param(params),
        status=choice_param(params, "status", BondStatus.values),
        field=choice_param(params, "field", BondField.values),
        division=scope.division_by_ref(division) if division else None,
        q=(params.get("q") or "").strip()[:60] or None,
    )


def _bond_rows(scope: Scope, f: BondFilter):
    return bonds_in(scope, f).select_related(
        "project", "project__division", "project__responsible_unit"
    )


@login_required
def bond_list(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request)
    f = _bond_filter(scope, request.GET)
    fig = bond_figures(scope, f)
    page = CappedPaginator(_bond_rows(scope, f), 30).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "projects/bonds.html",
        {
            "page": page,
            "f": f,
            "fig": fig,
            "formulas": BOND_FORMULAS.values(),
            "division_code": f.division.code if f.division else "",
            "querystring": params.urlencode(),
            "statuses": BondStatus.choices,
            "fields": BondField.choices,
            "divisions": scope.divisions.exclude(level="village"),
            "can_manage": scope.can_manage,
        },
    )


@login_required
def bond_export(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in {"xlsx", "csv"}:
        raise Http404("不支持的导出格式")
    scope = scope_of(request)
    f = _bond_filter(scope, request.GET)
    table = bond_table(scope, _bond_rows(scope, f), bond_figures(scope, f), timezone.localdate())
    return download(table, fmt, "专项债项目台账")


@login_required
def bond_new(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request)
    scope.require_manage()
    today = timezone.localdate()
    if request.method == "POST":
        form = BondForm(scope, request.POST)
        if form.is_valid():
            d = form.cleaned_data
            try:
                with transaction.atomic():  # the token is used only if the row is made
                    form.consume_once()
                    bond = services.do_create_bond(
                        scope,
                        d["project"],
                        year=d["year"],
                        field=d["field"],
                        status=d["status"],
                        date=d["date"],
                        amounts={"applied": d["applied"]},
                        note=d["note"],
                    )
                messages.success(request, f"已把「{bond.project.name}」列入{bond.year}年专项债台账")
                return redirect("bond_detail", pk=bond.pk)
            except ValidationError as e:
                _errors_to(form, e)
    else:
        initial = {"year": today.year, "date": today, "status": BondStatus.PLANNING}
        # From a project's page: 列入专项债 names the project (the picker still checks scope).
        project_id = request.GET.get("project", "")
        if project_id.isdigit() and len(project_id) < 12:
            initial["project"] = int(project_id)
        form = BondForm(scope, initial=initial)
    return render(request, "projects/bond_new.html", {"form": form})


def _next_status(status: str) -> str:
    """The form offers the next status: the usual move is one step forward."""
    i = BOND_ORDER.index(status)
    return BOND_ORDER[min(i + 1, len(BOND_ORDER) - 1)]


@login_required
def bond_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scope = scope_of(request)
    bond = scope.get(
        BondProject.objects.select_related(
            "project", "project__division", "project__responsible_unit"
        ),
        pk,
    )
    key = f"bond-{bond.pk}-"
    amounts_initial = {
        k: getattr(bond, k) for k in ("field", "applied", "approved", "issued", "received", "note")
    }
    return render(
        request,
        "projects/bond_detail.html",
        {
            "bond": bond,
            "changes": bond.changes.select_related("by").order_by("-date", "-id"),
            "can_manage": scope.can_manage,
            "status_form": kept_form(request, key + "status", BondStatusForm)
            or BondStatusForm(
                initial={
                    "to_status": _next_status(bond.status),
                    "date": timezone.localdate(),
                    "version": bond.version,
                }
            ),
            "amounts_form": kept_form(request, key + "amounts", BondAmountsForm)
            or BondAmountsForm(initial=amounts_initial | {"version": bond.version}),
        },
    )


def _bond_post(request: HttpRequest, pk: int, form_class, key: str, action) -> HttpResponse:
    scope = scope_of(request)
    bond = scope.get(BondProject.objects.all(), pk)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            messages.success(request, action(scope, bond, form.cleaned_data))
        except ValidationError as e:
            _errors_to(form, e)
        except ConflictError as e:
            messages.error(request, e.message)
    if form.errors:
        for field, errs in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for msg in errs:
                messages.error(request, f"{label}：{msg}" if label else msg)
        keep_form(request, f"bond-{bond.pk}-{key}", form)
    return redirect("bond_detail", pk=bond.pk)


@login_required
@require_POST
def bond_status(request: HttpRequest, pk: int) -> HttpResponse:
    def act(scope, bond, d):
        change = services.do_change_bond_status(
            scope,
            bond,
            d["to_status"],
            date=d["date"],
            reason=d["reason"],
            expected_version=d.get("version"),
        )
        return f"状态已变更为「{change.get_to_status_display()}」"

    return _bond_post(request, pk, BondStatusForm, "status", act)


@login_required
@require_POST
def bond_update(request: HttpRequest, pk: int) -> HttpResponse:
    def act(scope, bond, d):
        data = {k: v for k, v in d.items() if k != "version"}
        services.do_update_bond(scope, bond, data, expected_version=d.get("version"))
        return "已保存专项债金额"

    return _bond_post(request, pk, BondAmountsForm, "amounts", act)


# 三个一批 ---------------------------------------------------------------------

FLOW_STAGES = [
    (Stage.SIGNED, "新签约"),
    (Stage.LANDED, "新落地"),
    (Stage.STARTED, "新开工"),
    (Stage.PRODUCING, "新投产"),
]


@login_required
def batch_list(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request)
    today = timezone.localdate()
    code = (request.GET.get("division") or "").strip()
    division = scope.division_by_ref(code) if code else None
    start = date_param(request.GET, "start", dt.date(today.year, 1, 1))
    end = date_param(request.GET, "end", today)
    events = events_in(scope, division, start, end).select_related("division")
    page = CappedPaginator(events, 30).get_page(request.GET.get("page"))
    sums = event_investment([e.pk for e in page.object_list])
    # 新签约/新落地/新开工/新投产 in the period, from the projects' stage history.
    flows = []
    where = division or (scope.division if scope.division is not None else None)
    if where is not None:
        for stage, label in FLOW_STAGES:
            n, total = flow_between(scope, where, start, end, stage)
            flows.append((label, n, total))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "projects/batches.html",
        {
            "page": page,
            "rows": [(e, *sums.get(e.pk, (0, 0))) for e in page.object_list],
            "flows": flows,
            "flow_division": where,
            "start": start,
            "end": end,
            "division_code": code,
            "divisions": scope.divisions.exclude(level="village"),
            "querystring": params.urlencode(),
            "can_manage": scope.can_manage,
        },
    )


@login_required
def batch_new(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request)
    scope.require_manage()
    if request.method == "POST":
        form = BatchEventForm(scope, request.POST)
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if k != "once_token"}
            data["projects"] = list(data["projects"])
            advance = bool(data.pop("advance_stages", False))
            try:
                with transaction.atomic():
                    form.consume_once()
                    event = services.do_create_batch_event(scope, data, advance_stages=advance)
                messages.success(request, f"已登记「{event.title}」")
                return redirect("batch_detail", pk=event.pk)
            except ValidationError as e:
                _errors_to(form, e)
    else:
        initial = {"date": timezone.localdate(), "kind": BatchKind.START}
        if scope.division is not None:
            initial["division"] = scope.division.pk
        form = BatchEventForm(scope, initial=initial)
    return render(request, "projects/batch_new.html", {"form": form})


@login_required
def batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scope = scope_of(request)
    event = scope.get(BatchEvent.objects.select_related("division"), pk)
    count, total = event_investment([event.pk]).get(event.pk, (0, 0))
    # Only the projects the reader may see are listed; the total is the event's own.
    projects = scope.filter(event.projects.all()).select_related("responsible_unit")
    return render(
        request,
        "projects/batch_detail.html",
        {"event": event, "projects": projects, "count": count, "total": total},
    )


# 驻厂专员 ---------------------------------------------------------------------

WORKLOAD_COLUMNS = [
    Column("姓名", "text", 16),
    Column("所在单位", "text", 20),
    Column("派驻企业", "int", 10),
    Column("派驻项目", "int", 10),
    Column("走访次数", "int", 10),
    Column("提出问题", "int", 10),
    Column("已解决", "int", 10),
    Column("逾期未办结", "int", 10),
]


def _workload(request: HttpRequest):
    scope = scope_of(request)
    today = timezone.localdate()
    code = (request.GET.get("division") or "").strip()
    if code:
        division = scope.division_by_ref(code)
    elif scope.division is not None:
        division = scope.division
    else:
        division = scope.divisions.filter(level="district").first()
        if division is None:
            raise Http404("没有可查看的区划")
    year = year_param(request.GET, default=today.year)
    month = month_param(request.GET)
    assert year is not None
    start, end = dt.date(year, 1, 1), month_end(year, month or 12)
    as_of = cutoff(year, month, today)
    return scope, division, year, month, officer_workload(scope, division, start, end, as_of)


@login_required
def officer_roster(request: HttpRequest) -> HttpResponse:
    scope, division, year, month, rows = _workload(request)
    page = CappedPaginator(rows, 50).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "projects/officers.html",
        {
            "page": page,
            "total": len(rows),
            "division": division,
            "year": year,
            "month": month,
            "months": range(1, 13),
            "formulas": WORKLOAD_FORMULAS,
            "divisions": scope.divisions.filter(level__in=["district", "city", "province"]),
            "querystring": params.urlencode(),
        },
    )


@login_required
def officer_export(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in {"xlsx", "csv"}:
        raise Http404("不支持的导出格式")
    scope, division, year, month, rows = _workload(request)
    table = Table(
        title=f"{division.name}{year}年{f'1—{month}月' if month else ''}驻厂专员工作量",
        columns=WORKLOAD_COLUMNS,
        rows=[
            [
                r.person.name,
                r.person.unit.name if r.person.unit_id else "",
                r.enterprises,
                r.projects,
                r.visits,
                r.raised,
                r.resolved,
                r.overdue,
            ]
            for r in rows
        ],
        unit_name=scope.filler_name,
        as_of=timezone.localdate(),
        notes=["注：" + "；".join(WORKLOAD_FORMULAS)],
        sheet_name="驻厂专员",
    )
    return download(table, fmt, "驻厂专员工作量")
