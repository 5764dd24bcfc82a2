"""Problem-ledger web pages, "my work" and the enterprise portal. Read through the scope,
write through matters.services."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from taizhang.core import params
from taizhang.core.errors import messages_of
from taizhang.core.models import Role
from taizhang.core.paging import CappedPaginator
from taizhang.core.scope import Scope, scope_of
from taizhang.matters import services, steps
from taizhang.matters.figures import FORMULAS, problem_figures
from taizhang.matters.models import (
    FINISHED,
    Kind,
    Matter,
    Notification,
    ProblemCategory,
    Status,
)
from taizhang.matters.queries import (
    ProblemFilter,
    filter_problems,
    my_work,
    page_lights,
    with_lights,
)
from taizhang.matters.timing import light_of
from taizhang.similar import figures as similar_figures
from taizhang.similar.figures import Candidate
from taizhang.web import similar as similar_web
from taizhang.web.attachments import attach_from_form, files_by_step
from taizhang.web.charts import problem_charts
from taizhang.web.common import page_division, safe_next
from taizhang.web.forms.problems import AssignForm, ProblemForm, RateForm
from taizhang.web.links import matter_url
from taizhang.web.steps import kept_step_context, step_from_form
from taizhang.web.trail import trail_page


@login_required
def problem_list(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request)
    if scope.role == Role.ENTERPRISE:
        return redirect("portal")
    f = ProblemFilter.from_params(request.GET)
    today = timezone.localdate()
    rows = with_lights(filter_problems(scope, f), f, today)
    page = CappedPaginator(rows, 30).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "matters/list.html",
        {
            "page": page,
            "rows": page_lights(page.object_list, today),
            "total": page.paginator.count_label,
            "f": f,
            "querystring": params.urlencode(),
            "statuses": Status.choices,
            "categories": ProblemCategory.objects.all(),
            "units": scope.units,
            "can_manage": scope.can_manage,
            "assign_form": AssignForm(scope) if scope.can_manage else None,
            "can_create": scope.can_manage or scope.role == Role.CADRE,
        },
    )


@login_required
@require_POST
def problem_bulk_assign(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request)
    scope.require_manage()
    form = AssignForm(scope, request.POST)
    picked: list[tuple[Matter, int]] = []
    for raw in request.POST.getlist("ids"):
        pk, _, version = raw.partition(":")
        if pk.isdigit() and version.isdigit():
            picked.append((scope.get(Matter.objects.all(), pk), int(version)))
    if not picked:
        messages.error(request, "请先勾选要交办的问题")
    elif form.is_valid():
        d = form.cleaned_data
        done, errors = services.do_bulk_assign(
            scope,
            picked,
            lead_unit=d["lead_unit"],
            co_units=list(d["co_units"]),
            deadline=d["deadline"],
            leader=d["leader"],
            note=d["note"],
        )
        if done:
            messages.success(request, f"已交办{done}个问题")
        for e in errors:
            messages.error(request, e)
    else:
        for field, errs in form.errors.items():
            for e in errs:
                messages.error(
                    request, f"{form.fields[field].label if field in form.fields else ''}：{e}"
                )
    return redirect(safe_next(request, "problem_list"))


@login_required
def problem_new(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request)
    if scope.role == Role.ENTERPRISE:
        return redirect("portal")
    if not (scope.can_manage or scope.role == Role.CADRE):
        raise PermissionDenied("只有包联干部或督查室可以登记企业问题")
    form = ProblemForm(
        scope,
        request.POST or None,
        initial={"enterprise": request.GET.get("enterprise"), "raised_on": timezone.localdate()},
    )
    duplicates: list[Candidate] = []
    if request.method == "POST" and form.is_valid():
        duplicates = [] if request.POST.get("confirm_duplicate") else _duplicates_of(scope, form)
    if request.method == "POST" and form.is_valid() and not duplicates:
        data = dict(form.cleaned_data)
        data.pop("once_token", None)
        try:
            with transaction.atomic():  # a refused file leaves no problem behind
                form.consume_once()
                m = services.do_create_problem(scope, data, accept=scope.can_manage)
                attach_from_form(request, scope, m)
            messages.success(request, f"已登记问题「{m.title}」")
            return redirect("problem_detail", pk=m.pk)
        except ValidationError as e:
            for field, msgs in messages_of(e).items():
                for msg in msgs:
                    form.add_error(field if field in form.fields else None, msg)
    return render(request, "matters/new.html", {"form": form, "duplicates": duplicates})


def _duplicates_of(scope: Scope, form: ProblemForm) -> list[Candidate]:
    """Open problems registered in the last 30 days, among those the user may see, that the
    new one may repeat: the same enterprise and title (the same problem typed twice, or sent
    twice), then any whose text is alike (docs/similar.md), best first."""
    since = timezone.now() - timedelta(days=30)
    recent = (
        scope.filter(Matter.objects.filter(kind=Kind.ENTERPRISE_PROBLEM))
        .filter(created_at__gte=since, merged_into__isnull=True)
        .exclude(status__in=FINISHED)
    )
    d = form.cleaned_data
    same = (
        recent.filter(enterprise=d["enterprise"], title__iexact=d["title"].strip())
        .select_related("enterprise")
        .order_by("-created_at")
        .first()
    )
    found = [Candidate(same, 1.0)] if same else []
    enterprise = d["enterprise"]
    for c in similar_figures.similar_to(
        scope,
        d["title"],
        d.get("description") or "",
        category_id=d["category"].pk if d.get("category") else None,
        park_id=enterprise.park_id if enterprise else None,
        exclude=same.pk if same else None,
        base=recent,
    ):
        found.append(c)
    return found


def _detail_context(scope: Scope, m: Matter, page: Any = None) -> dict[str, Any]:
    today = timezone.localdate()
    actions = services.allowed_actions(scope, m)
    labels = {a: steps.transitions(m.kind)[a].label for a in actions}
    ctx: dict[str, Any] = {
        "m": m,
        "light": light_of(m, today),
        "steps": m.steps.select_related("by", "by_unit"),
        "co_units": m.co_units.all(),
        "actions": actions,
        "labels": labels,
        "portal": scope.role == Role.ENTERPRISE,
        "trail": trail_page(m, page) if scope.reads_division else None,
        "step_files": files_by_step(m),
    }
    if "assign" in actions:
        ctx["assign_form"] = AssignForm(
            scope, initial={"deadline": services.default_deadline(m, today), "leader": m.leader_id}
        )
        ctx["default_workdays"] = m.category.default_workdays if m.category else 7
    if "rate" in actions:
        ctx["rate_form"] = RateForm()
    if {"return", "rate"} & set(actions):
        ctx["default_redo"] = services.default_redo_deadline(m, today)
    ctx.update(similar_web.problem_panel(scope, m))
    return ctx


@login_required
def problem_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scope = scope_of(request)
    # Only an enterprise problem: a task, suggestion or proposal has its own page (its
    # template names an enterprise and would fail to render without one).
    m = scope.get(
        Matter.objects.filter(kind=Kind.ENTERPRISE_PROBLEM).select_related(
            "division", "enterprise", "category", "lead_unit", "leader", "visit"
        ),
        pk,
    )
    Notification.objects.filter(user=request.user, matter=m, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    ctx = _detail_context(scope, m, request.GET.get("trail"))
    ctx.update(kept_step_context(request, m))
    return render(request, "matters/detail.html", ctx)


@login_required
@require_POST
def problem_act(request: HttpRequest, pk: int) -> HttpResponse:
    scope = scope_of(request)
    m = scope.get(
        Matter.objects.filter(kind=Kind.ENTERPRISE_PROBLEM).select_related(
            "division", "category", "enterprise"
        ),
        pk,
    )
    action = request.POST.get("action", "")
    return step_from_form(request, scope, m, action, back=matter_url(scope.role, m.kind, m.pk))


@login_required
def my_work_view(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request)
    today = timezone.localdate()
    items = list(my_work(scope).prefetch_related("co_units")[:200])
    scope.vouch(items)  # read through the scope: allowed actions cost no query per row
    notes = Notification.objects.filter(user=request.user).select_related("matter")[:50]
    rows = []
    for m, light in page_lights(items, today):
        acts = services.allowed_actions(scope, m)
        if not acts:
            continue  # nothing this person can do: not their work (a leader's read-only items)
        labels = [steps.transitions(m.kind)[a].label for a in acts]
        rows.append((m, light, labels))
    return render(
        request,
        "matters/my_work.html",
        {
            "rows": rows,
            "notifications": notes,
            "unread": Notification.objects.filter(user=request.user, read_at__isnull=True).count(),
        },
    )


@login_required
@require_POST
def notifications_read(request: HttpRequest) -> HttpResponse:
    Notification.objects.filter(user=request.user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    return redirect("my_work")


@login_required
def portal(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request)
    if scope.role != Role.ENTERPRISE or scope.enterprise is None:
        raise PermissionDenied("企业服务门户仅供企业用户使用")
    form = ProblemForm(scope, request.POST or None, portal=True)
    if request.method == "POST" and form.is_valid():
        try:
            data = {k: v for k, v in form.cleaned_data.items() if k != "once_token"}
            with transaction.atomic():
                form.consume_once()
                m = services.do_create_problem(scope, data)
                attach_from_form(request, scope, m)
            messages.success(request, f"问题「{m.title}」已提交，等待督查室受理")
            return redirect("portal_problem", pk=m.pk)
        except ValidationError as e:
            for field, msgs in messages_of(e).items():
                for msg in msgs:
                    form.add_error(field if field in form.fields else None, msg)
    today = timezone.localdate()
    problems = scope.filter(Matter.objects.all()).select_related("category", "lead_unit")
    return render(
        request,
        "matters/portal.html",
        {
            "form": form,
            "enterprise": scope.enterprise,
            "rows": [(m, light_of(m, today)) for m in problems.order_by("-raised_on", "-id")],
        },
    )


@login_required
def figures_page(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request)
    division = page_division(request, scope)
    if division is None:
        return render(
            request, "web/empty.html", {"message": "您的账号尚未分配区划或单位，请联系督查室。"}
        )
    today = timezone.localdate()
    year = params.year_param(request.GET, default=today.year)
    month = params.month_param(request.GET)
    fig = problem_figures(scope, division, year, month)
    return render(
        request,
        "matters/figures.html",
        {
            "pfig": fig,
            "charts": problem_charts(fig),
            "division": division,
            "year": year,
            "month": month,
            "divisions": scope.divisions.exclude(level="village"),
            "years": range(today.year, 2019, -1),
            "months": range(1, 13),
            "formulas": FORMULAS,
        },
    )
