"""Supervision-task web pages: lists with filters and exports, detail with reports and steps,
suggestions/proposals figures. Read through the scope, write through the do_* functions."""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from taizhang.core import params
from taizhang.core.errors import messages_of
from taizhang.core.models import Person, Role
from taizhang.core.paging import CappedPaginator
from taizhang.core.scope import Scope, scope_of
from taizhang.exports.http import download
from taizhang.matters import services as ms
from taizhang.matters import steps
from taizhang.matters.models import Matter, NoticeLevel, Notification, Rating, Reminder, Status
from taizhang.tasks import services
from taizhang.tasks.exports import task_table
from taizhang.tasks.models import Comparator, Cycle, TaskSource
from taizhang.tasks.queries import (
    FORMULAS,
    KINDS,
    TaskFilter,
    answer_figures,
    filter_tasks,
    statuses,
    task_figures,
    with_status,
)
from taizhang.tasks.status import task_status
from taizhang.web.attachments import attach_from_form, files_by_step
from taizhang.web.common import page_division
from taizhang.web.forms.base import check_business_dates, consume_token
from taizhang.web.forms.widgets import picked
from taizhang.web.measures import task_context as measure_task_context
from taizhang.web.steps import kept_step_context, step_from_form
from taizhang.web.trail import trail_page

MODES = {"list": "督查任务", "targets": "目标任务完成情况", "overdue": "逾期任务"}
KIND_TITLES = {"task": "督查任务", "suggestion": "人大代表建议", "proposal": "政协提案"}


def _filter(request: HttpRequest, mode: str) -> TaskFilter:
    f = TaskFilter.from_params(request.GET)
    if mode == "targets":
        f.quantitative = True
    if mode == "overdue":
        f.overdue = True
    return f


@login_required
def task_list(request: HttpRequest, mode: str = "list") -> HttpResponse:
    if mode not in MODES:
        raise Http404("未知的列表")
    scope = scope_of(request)
    if scope.role == Role.ENTERPRISE:
        return redirect("portal")
    f = _filter(request, mode)
    today = timezone.localdate()
    # Filtered, counted and paged in the database; only the page's rows are judged.
    qs = with_status(filter_tasks(scope, f), f, today)
    page = CappedPaginator(qs, 30).get_page(request.GET.get("page"))
    sts = statuses(list(page.object_list), today)
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "tasks/list.html",
        {
            "mode": mode,
            "mode_title": MODES[mode] if f.kind == "task" else KIND_TITLES[f.kind],
            "f": f,
            "page": page,
            "rows": [(m, sts[m.pk]) for m in page.object_list],
            "fig": task_figures(qs, today),
            "querystring": params.urlencode(),
            "sources": TaskSource.choices,
            "statuses": Status.choices,
            "units": scope.units,
            "kinds": KIND_TITLES,
            "can_manage": scope.can_manage,
            "formulas": FORMULAS,
        },
    )


@login_required
def task_export(request: HttpRequest, fmt: str, mode: str = "list") -> HttpResponse:
    if fmt not in {"xlsx", "csv"} or mode not in MODES:
        raise Http404("不支持的导出格式")
    scope, f, today = scope_of(request), _filter(request, mode), timezone.localdate()
    name = "督办任务台账" if f.kind == "task" else f"{KIND_TITLES[f.kind]}台账"
    export_mode = f.kind if f.kind != "task" else mode
    table = task_table(scope, filter_tasks(scope, f), f, today, export_mode)
    return download(table, fmt, name)


def _new_data(p) -> dict[str, Any]:
    return {
        "title": p.get("title", ""),
        "description": p.get("description", ""),
        "task_source": p.get("task_source", ""),
        "year": p.get("year", ""),
        "lead_unit": picked(p, "lead_unit"),
        "co_units": picked(p, "co_units", multiple=True),
        "leader": picked(p, "leader"),
        "deadline": p.get("deadline", ""),
        "cycle": p.get("cycle", ""),
        "due_day": p.get("due_day", ""),
        "target_value": p.get("target_value", ""),
        "target_unit": p.get("target_unit", ""),
        "comparator": p.get("comparator", ""),
        "proposer": p.get("proposer", ""),
        "serial": p.get("serial", ""),
    }


def leaders_of(scope: Scope):
    return Person.objects.filter(division__in=scope.divisions, is_leader=True)


@login_required
def task_new(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request)
    if not scope.can_manage:
        raise PermissionDenied("只有督查室可以发布督办任务")
    kind_key = request.GET.get("kind") or request.POST.get("kind") or "task"
    if kind_key not in KINDS:
        kind_key = "task"
    errors: dict[str, list[str]] = {}
    data: dict[str, Any] = {"year": timezone.localdate().year, "due_day": 25}
    # The page's one-time token: a second send of the same page (Back, then submit) is refused.
    once = request.POST.get("once_token") or secrets.token_urlsafe(16)
    if request.method == "POST":
        data = _new_data(request.POST)
        try:
            check_business_dates(request.POST)
            with transaction.atomic():  # the task and its documents, all or nothing
                consume_token(request.POST.get("once_token") or "")
                m = services.do_create_task(scope, data, kind=KINDS[kind_key])
                attach_from_form(request, scope, m)
            messages.success(request, f"已发布「{m.title}」，已交办{m.lead_unit.name}")
            return redirect("task_detail", pk=m.pk)
        except ValidationError as e:
            errors = messages_of(e)
    return render(
        request,
        "tasks/new.html",
        {
            "kind": kind_key,
            "kind_title": KIND_TITLES[kind_key],
            "data": data,
            "errors": errors,
            "once_token": once,
            "sources": TaskSource.choices,
            "cycles": Cycle.choices,
            "comparators": Comparator.choices,
            "units": scope.units,
            "leaders": leaders_of(scope),
        },
    )


def detail_context(scope: Scope, m: Matter, page: Any = None) -> dict[str, Any]:
    today = timezone.localdate()
    st = task_status(m, today)
    actions = ms.allowed_actions(scope, m)
    table = steps.transitions(m.kind)
    reportable = services.reportable_periods(m, today) if "submit_report" in actions else []
    submitted = {r.period for r in st.reports}
    pending = [p for p in reportable if p.label not in submitted]
    return {
        "m": m,
        "d": m.task,
        "st": st,
        "light": st.light,
        "steps": m.steps.select_related("by", "by_unit"),
        "co_units": m.co_units.all(),
        "actions": actions,
        "labels": {a: table[a].label for a in actions},
        "reportable": reportable,
        "default_period": (pending[0] if pending else (reportable[-1] if reportable else None)),
        "notices": Reminder.objects.filter(matter=m).exclude(level="").order_by("-at"),
        "levels": NoticeLevel.choices,
        "ratings": Rating.choices,
        "trail": trail_page(m, page) if scope.reads_division else None,
        "step_files": files_by_step(m),
        "default_redo": ms.default_redo_deadline(m, today),
    }


@login_required
def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scope = scope_of(request)
    m = scope.get(
        Matter.objects.filter(task__isnull=False).select_related(
            "division", "lead_unit", "leader", "task"
        ),
        pk,
    )
    Notification.objects.filter(user=request.user, matter=m, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    ctx = detail_context(scope, m, request.GET.get("trail"))
    ctx.update(kept_step_context(request, m))
    # measures: the bound ledger measure, its value, flags and the report pre-fill.
    ctx.update(measure_task_context(scope, m, ctx["default_period"], ctx["reportable"]))
    return render(request, "tasks/detail.html", ctx)


@login_required
@require_POST
def task_act(request: HttpRequest, pk: int) -> HttpResponse:
    scope = scope_of(request)
    m = scope.get(Matter.objects.filter(task__isnull=False).select_related("division"), pk)
    action = request.POST.get("action", "")
    return step_from_form(request, scope, m, action, back=reverse("task_detail", args=[m.pk]))


@login_required
def answers_page(request: HttpRequest) -> HttpResponse:
    """人大代表建议、政协提案: 办结率 and 满意率 per year."""
    scope = scope_of(request)
    division = page_division(request, scope)
    if division is None:
        return render(
            request, "web/empty.html", {"message": "您的账号尚未分配区划或单位，请联系督查室。"}
        )
    today = timezone.localdate()
    year = params.year_param(request.GET, default=today.year)
    years = list(range(today.year, 2019, -1))
    figs = {y: answer_figures(scope, division, y) for y in years}
    return render(
        request,
        "tasks/answers.html",
        {
            "division": division,
            "year": year,
            "figures": answer_figures(scope, division, year),
            "by_year": [(y, f) for y, f in figs.items() if any(x["total"] for x in f)],
            "years": years,
            "formulas": FORMULAS,
            "can_manage": scope.can_manage,
        },
    )
