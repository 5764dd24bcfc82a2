"""Key-project web pages. Thin: read through the scope, write through services."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from taizhang.attachments import services as attachments
from taizhang.core.errors import ConflictError
from taizhang.core.paging import CappedPaginator
from taizhang.core.scope import Scope, scope_of
from taizhang.exports.http import download
from taizhang.lib.svgcharts import Chart
from taizhang.projects import services
from taizhang.projects.exports import project_table
from taizhang.projects.figures import parse_levels, project_statuses
from taizhang.projects.forecast import ForecastFigures, forecast_figures
from taizhang.projects.models import (
    IndustryChain,
    Level,
    Milestone,
    MonthlyReport,
    Project,
    ProjectYear,
    Stage,
)
from taizhang.projects.queries import (
    ProjectFilter,
    filter_projects,
    lit,
    statuses_of,
)
from taizhang.web.attachments import attach_from_form
from taizhang.web.charts import investment_trend
from taizhang.web.common import page_division
from taizhang.web.forms.base import ClerkForm, keep_form, kept_form
from taizhang.web.forms.enterprises import LiaisonForm
from taizhang.web.forms.projects import (
    MilestoneForm,
    MonthlyReportForm,
    ProjectForm,
    StageForm,
    YearForm,
)
from taizhang.web.trail import trail_page


def _apply_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errs in error.error_dict.items():
            target = field if field in form.fields else None
            for e in errs:
                for msg in e.messages:
                    form.add_error(target, msg)
    else:
        for msg in error.messages:
            form.add_error(None, msg)


@login_required
def project_list(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request)
    f = ProjectFilter.from_params(request.GET)
    today = timezone.localdate()
    page = CappedPaginator(lit(filter_projects(scope, f), f, today), 20).get_page(
        request.GET.get("page")
    )
    shown = list(page.object_list)
    statuses = statuses_of(shown, f, today)
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "projects/list.html",
        {
            "page": page,
            "rows": [(p, statuses[p.pk]) for p in shown],
            "total": page.paginator.count_label,
            "f": f,
            "querystring": params.urlencode(),
            "stages": Stage.choices,
            "levels": Level.choices,
            "industries": IndustryChain.objects.all(),
            "units": scope.units,
            "can_manage": scope.can_manage,
            "forecast": _list_forecast(request, scope, f),
        },
    )


def _list_forecast(request: HttpRequest, scope: Scope, f: ProjectFilter) -> ForecastFigures | None:
    """A year's list shows each unit's year-end forecast (the dashboard's, same function)."""
    division = page_division(request, scope) if f.year else None
    if division is None or f.year is None:
        return None
    today = timezone.localdate()
    month = f.month or (max(today.month - 1, 1) if f.year == today.year else 12)
    if f.year > today.year:
        return None
    try:
        levels = parse_levels(f.level)
    except ValueError:
        levels = None
    return forecast_figures(scope, division, f.year, month, levels)


@login_required
def project_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The rows the list shows, with the same filters and scope, as a printable ledger."""
    if fmt not in {"xlsx", "csv"}:
        raise Http404("不支持的导出格式")
    scope = scope_of(request)
    f = ProjectFilter.from_params(request.GET)
    today = timezone.localdate()
    return download(project_table(scope, f, today), fmt, "重点项目台账")


def _project_trend(
    project: Project, years: list[ProjectYear], reports: list[MonthlyReport], today: date
) -> Chart | None:
    """The investment chart of the latest year the project has a plan or a report for
    (this year while it has either), from the rows the page has already read."""
    known = {y.year for y in years} | {r.year for r in reports}
    candidates = [y for y in known if y <= today.year]
    if not candidates:
        return None
    year = max(candidates)
    plan = next((y.annual_plan for y in years if y.year == year), None)
    monthly = {r.month: r.amount for r in reports if r.year == year}
    last = today.month if year == today.year else 12
    return investment_trend(f"{year}年累计完成投资与计划", year, monthly, plan, last)


@login_required
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scope = scope_of(request)
    project = scope.get(Project.objects.select_related("division", "responsible_unit"), pk)
    today = timezone.localdate()
    status = project_statuses([project], today)[project.pk]
    reports = list(project.reports.order_by("year", "month"))
    running: dict[int, Decimal] = {}
    report_rows = []
    for r in reports:
        running[r.year] = running.get(r.year, Decimal(0)) + r.amount
        report_rows.append((r, running[r.year]))
    can_report = services.can_report(scope, project)
    milestones = list(project.milestones.all())
    years = list(project.years.all())
    trend = _project_trend(project, years, reports, today)
    key = f"project-{project.pk}-"
    return render(
        request,
        "projects/detail.html",
        {
            "project": project,
            "status": status,
            "years": years,
            "bonds": list(project.bonds.order_by("-year")),
            "trend": trend,
            "milestones": [(m, status.milestone_lights[m.pk]) for m in milestones],
            "milestone_files": attachments.by_owner(Milestone, [m.pk for m in milestones]),
            "report_files": attachments.by_owner(MonthlyReport, [r.pk for r in reports]),
            "report_rows": list(reversed(report_rows)),
            "stage_changes": project.stage_changes.select_related("by").order_by("-date", "-id"),
            "trail": trail_page(project, request.GET.get("trail"))
            if scope.can_manage or scope.reads_division
            else None,
            "can_manage": scope.can_manage,
            "can_report": can_report,
            "stage_form": kept_form(request, key + "StageForm", StageForm)
            or StageForm(initial={"date": today}),
            "year_form": kept_form(request, key + "YearForm", YearForm)
            or YearForm(initial={"year": today.year}),
            "milestone_form": kept_form(request, key + "MilestoneForm", MilestoneForm)
            or MilestoneForm(),
            "liaisons": project.liaisons.select_related("person").order_by("-start"),
            "liaison_form": LiaisonForm(scope, initial={"start": today})
            if scope.can_manage
            else None,
            "today": today,
            "report_form": kept_form(request, key + "MonthlyReportForm", MonthlyReportForm)
            or MonthlyReportForm(initial={"year": today.year, "month": today.month}),
        },
    )


@login_required
def project_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    scope = scope_of(request)
    # Look the row up first: an outsider must get 404, not learn that it exists.
    project = scope.get(Project.objects.all(), pk) if pk else None
    scope.require_manage()
    conflict: ConflictError | None = None
    if request.method == "POST":
        form = ProjectForm(scope, request.POST)
        if form.is_valid():
            data = dict(form.cleaned_data)
            data.pop("once_token", None)
            version = data.pop("version") or 0
            try:
                if project is None:
                    with transaction.atomic():  # the token is used only if the project is made
                        form.consume_once()
                        project = services.do_create_project(scope, data)
                    messages.success(request, f"已新增项目「{project.name}」")
                else:
                    project = services.do_update_project(
                        scope, project, data, expected_version=version
                    )
                    messages.success(request, "已保存")
                return redirect("project_detail", pk=project.pk)
            except ValidationError as e:
                _apply_errors(form, e)
            except ConflictError as e:
                conflict = e
    else:
        initial = {}
        if project is not None:
            initial = {f: getattr(project, f) for f in services.PROJECT_FIELDS}
            initial["version"] = project.version
        form = ProjectForm(scope, initial=initial)
    status = 409 if conflict else 200
    return render(
        request,
        "projects/edit.html",
        {"form": form, "project": project, "conflict": conflict},
        status=status,
    )


def _post_action(request: HttpRequest, pk: int, form_class, action) -> HttpResponse:
    scope = scope_of(request)
    project = scope.get(Project.objects.select_related("division"), pk)
    form = form_class(request.POST)
    if form.is_valid():
        try:
            with transaction.atomic():  # with the files of the form, all or nothing
                if isinstance(form, ClerkForm):
                    form.consume_once()
                message = action(
                    scope,
                    project,
                    {k: v for k, v in form.cleaned_data.items() if k != "once_token"},
                )
            messages.success(request, message)
        except ValidationError as e:
            _apply_errors(form, e)
        except ConflictError as e:
            messages.error(request, e.message)
    if form.errors:
        for field, errs in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for msg in errs:
                messages.error(request, f"{label}：{msg}" if label else msg)
        # The page shows the form again with what was typed and the errors beside it.
        keep_form(request, f"project-{project.pk}-{form_class.__name__}", form)
    return redirect("project_detail", pk=project.pk)


@login_required
@require_POST
def project_stage(request: HttpRequest, pk: int) -> HttpResponse:
    def act(scope, project, d):
        change = services.do_change_stage(
            scope, project, d["to_stage"], date=d["date"], reason=d["reason"]
        )
        return f"阶段已变更为「{change.get_to_stage_display()}」"

    return _post_action(request, pk, StageForm, act)


@login_required
@require_POST
def project_year(request: HttpRequest, pk: int) -> HttpResponse:
    def act(scope, project, d):
        entry = services.do_set_project_year(scope, project, **d)
        return f"已保存{entry.year}年度清单"

    return _post_action(request, pk, YearForm, act)


@login_required
@require_POST
def project_milestone(request: HttpRequest, pk: int) -> HttpResponse:
    def act(scope, project, d):
        services.do_add_milestone(scope, project, d)
        return "已新增时间节点"

    return _post_action(request, pk, MilestoneForm, act)


@login_required
@require_POST
def milestone_update(request: HttpRequest, pk: int, mid: int) -> HttpResponse:
    scope = scope_of(request)
    project = scope.get(Project.objects.all(), pk)
    milestone = scope.get(Milestone.objects.filter(project=project), mid)
    try:
        version = int(request.POST.get("version", "0"))
    except ValueError:
        version = 0
    data = {k: request.POST.get(k) for k in ("actual_date", "evidence") if k in request.POST}
    if request.POST.get("delete") and scope.can_manage:
        services.do_delete_milestone(scope, milestone)
        messages.success(request, "已删除时间节点")
        return redirect("project_detail", pk=project.pk)
    try:
        with transaction.atomic():
            services.do_update_milestone(scope, milestone, data, expected_version=version)
            attach_from_form(request, scope, milestone)
        messages.success(request, "节点已更新")
    except ValidationError as e:
        for errs in e.message_dict.values():
            for msg in errs:
                messages.error(request, msg)
    except ConflictError as e:
        messages.error(request, e.message)
    return redirect("project_detail", pk=project.pk)


@login_required
@require_POST
def project_report(request: HttpRequest, pk: int) -> HttpResponse:
    def act(scope, project, d):
        report, corrected = services.do_submit_monthly_report(scope, project, **d)
        attach_from_form(request, scope, report)
        verb = "已更正" if corrected else "已报送"
        return f"{verb}{report.year}年{report.month}月完成投资{report.amount}万元"

    return _post_action(request, pk, MonthlyReportForm, act)
