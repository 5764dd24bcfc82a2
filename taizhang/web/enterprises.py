"""Enterprise list/detail, liaison and visits. Thin: read through the scope, write through services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from taizhang.attachments import services as attachments
from taizhang.core import audit
from taizhang.core import params as qparams
from taizhang.core.errors import ConflictError, messages_of
from taizhang.core.models import Role, UnitKind
from taizhang.core.paging import CappedPaginator
from taizhang.core.scope import scope_of
from taizhang.enterprises import accounts, services
from taizhang.enterprises.models import Category, Enterprise, Liaison, Visit, VisitKind, active_on
from taizhang.enterprises.queries import EnterpriseFilter, filter_enterprises
from taizhang.matters.models import Matter
from taizhang.matters.services import do_record_visit_with_problems
from taizhang.matters.timing import light_of
from taizhang.projects.models import IndustryChain, Project
from taizhang.web.attachments import attach_from_form
from taizhang.web.exports.enterprises import visits_filtered
from taizhang.web.forms.enterprises import (
    EnterpriseForm,
    LiaisonForm,
    RaisedProblemFormSet,
    VisitForm,
)


def _form_errors(form, error: ValidationError) -> None:
    for field, msgs in messages_of(error).items():
        for msg in msgs:
            form.add_error(field if field in form.fields else None, msg)


@login_required
def enterprise_list(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request)
    if scope.role == Role.ENTERPRISE:
        return redirect("portal")
    f = EnterpriseFilter.from_params(request.GET)
    today = timezone.localdate()
    qs = filter_enterprises(scope, f, today)
    page = CappedPaginator(qs, 30).get_page(request.GET.get("page"))
    ids = [e.pk for e in page.object_list]
    liaisons: dict[int, list[Liaison]] = {}
    for lia in Liaison.objects.filter(active_on(today), enterprise_id__in=ids).select_related(
        "person"
    ):
        liaisons.setdefault(lia.enterprise_id, []).append(lia)
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "enterprises/list.html",
        {
            "page": page,
            "rows": [(e, liaisons.get(e.pk, [])) for e in page.object_list],
            "total": page.paginator.count_label,
            "f": f,
            "querystring": params.urlencode(),
            "categories": Category.choices,
            "parks": scope.units.filter(kind=UnitKind.PARK),
            "industries": IndustryChain.objects.all(),
            "can_manage": scope.can_manage,
        },
    )


@login_required
def enterprise_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scope = scope_of(request)
    e = scope.get(Enterprise.objects.select_related("division", "park", "industry_chain"), pk)
    today = timezone.localdate()
    problems = (
        scope.filter(Matter.objects.filter(enterprise=e))
        .select_related("category", "lead_unit")
        .order_by("-raised_on", "-id")
    )
    visits = scope.filter(Visit.objects.filter(enterprises=e)).prefetch_related("persons")
    return render(
        request,
        "enterprises/detail.html",
        {
            "e": e,
            "liaisons": e.liaisons.select_related("person").order_by("-start"),
            "visits": visits[:50],
            "problems": [(m, light_of(m, today)) for m in problems],
            "can_manage": scope.can_manage,
            "can_raise": scope.can_manage or scope.role == Role.CADRE,
            "liaison_form": LiaisonForm(scope, initial={"start": today})
            if scope.can_manage
            else None,
            "history": audit.history(e)[:30] if scope.reads_division else [],
            "accounts": accounts.enterprise_users(e) if scope.can_manage else None,
            "today": today,
        },
    )


@login_required
def enterprise_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    scope = scope_of(request)
    e = scope.get(Enterprise.objects.all(), pk) if pk else None
    scope.require_manage()
    if request.method == "POST":
        form = EnterpriseForm(scope, request.POST)
        if form.is_valid():
            data = dict(form.cleaned_data)
            data.pop("once_token", None)
            version = data.pop("version") or 0
            try:
                if e is None:
                    with transaction.atomic():  # the token is used only if the enterprise is made
                        form.consume_once()
                        e = services.do_create_enterprise(scope, data)
                    messages.success(request, f"已新增企业「{e.name}」")
                else:
                    e = services.do_update_enterprise(scope, e, data, expected_version=version)
                    messages.success(request, "已保存")
                return redirect("enterprise_detail", pk=e.pk)
            except ValidationError as err:
                _form_errors(form, err)
            except ConflictError as err:
                form.add_error(None, err.message)
    else:
        initial = {}
        if e is not None:
            initial = {k: getattr(e, k) for k in services.ENTERPRISE_FIELDS} | {
                "version": e.version
            }
        form = EnterpriseForm(scope, initial=initial)
    return render(request, "enterprises/edit.html", {"form": form, "e": e})


def _post_liaison(request: HttpRequest, scope, **target) -> None:
    form = LiaisonForm(scope, request.POST)
    if not form.is_valid():
        for field, errs in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for msg in errs:
                messages.error(request, f"{label}：{msg}" if label else msg)
        return
    try:
        services.do_add_liaison(scope, **target, **form.cleaned_data)
        messages.success(request, "已新增包联")
    except ValidationError as err:
        for msgs in messages_of(err).values():
            for msg in msgs:
                messages.error(request, msg)


@login_required
@require_POST
def liaison_add(request: HttpRequest, pk: int) -> HttpResponse:
    scope = scope_of(request)
    e = scope.get(Enterprise.objects.all(), pk)
    scope.require_manage()
    _post_liaison(request, scope, enterprise=e)
    return redirect("enterprise_detail", pk=e.pk)


@login_required
@require_POST
def enterprise_account(request: HttpRequest, pk: int) -> HttpResponse:
    """Create an enterprise login, or switch one on or off; the password is shown once."""
    scope = scope_of(request)
    e = scope.get(Enterprise.objects.select_related("division"), pk)
    scope.require_manage()
    try:
        if request.POST.get("user_id"):
            active = request.POST.get("active") == "1"
            accounts.do_set_enterprise_user_active(
                scope,
                e,
                qparams.int_param(request.POST, "user_id", lo=1, hi=qparams.ID_MAX),
                active=active,
            )
            messages.success(request, "已启用账号" if active else "已停用账号")
        else:
            user, password = accounts.do_create_enterprise_user(
                scope,
                e,
                username=request.POST.get("username", ""),
                full_name=request.POST.get("full_name", ""),
            )
            messages.success(
                request,
                f"已为{e.name}创建账号「{user.username}」，初始密码：{password}"
                "（只显示这一次，请当面或电话告知企业，并提醒首次登录后修改）",
            )
    except (ValidationError, ValueError) as err:
        msgs = messages_of(err).values() if isinstance(err, ValidationError) else [["账号无效"]]
        for group in msgs:
            for msg in group:
                messages.error(request, msg)
    return redirect("enterprise_detail", pk=e.pk)


@login_required
@require_POST
def project_liaison_add(request: HttpRequest, pk: int) -> HttpResponse:
    scope = scope_of(request)
    project = scope.get(Project.objects.all(), pk)
    scope.require_manage()
    _post_liaison(request, scope, project=project)
    return redirect("project_detail", pk=project.pk)


@login_required
@require_POST
def liaison_end(request: HttpRequest, lid: int) -> HttpResponse:
    scope = scope_of(request)
    liaison = scope.get(Liaison.objects.all(), lid)
    scope.require_manage()
    try:
        services.do_end_liaison(scope, liaison, end=request.POST.get("end") or timezone.localdate())
        messages.success(request, "已结束包联")
    except ValidationError as err:
        for msgs in messages_of(err).values():
            for msg in msgs:
                messages.error(request, msg)
    if liaison.project_id:
        return redirect("project_detail", pk=liaison.project_id)
    return redirect("enterprise_detail", pk=liaison.enterprise_id)


@login_required
def visit_list(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request)
    if scope.role == Role.ENTERPRISE:
        return redirect("portal")
    can_record = scope.can_manage or scope.role == Role.CADRE
    data = request.POST if request.method == "POST" else None
    initial: dict = {"date": timezone.localdate()}
    # "登记走访" on an enterprise's page opens the form with that enterprise chosen; the
    # widget shows it only if it is in the user's scope.
    start_for = request.GET.get("for", "")
    if start_for.isdigit():
        initial["enterprises"] = [start_for]
    form = VisitForm(scope, data, initial=initial)
    # A post without the problems' management form (a script, an older page) raises none.
    with_problems = data is not None and "problems-TOTAL_FORMS" in data
    raised = RaisedProblemFormSet(
        data if with_problems else None, prefix="problems", form_kwargs={"scope": scope}
    )
    if request.method == "POST":
        if not can_record:
            raise PermissionDenied("只有督查室或包联干部可以登记走访、座谈")
        # Both validated before either reports, so every error shows at once.
        if all([form.is_valid(), not with_problems or raised.is_valid()]):
            rows = [
                f.cleaned_data
                for f in (raised.forms if with_problems else [])
                if f.has_changed() and f.cleaned_data
            ]
            try:
                with transaction.atomic():  # the visit, its problems and photos: all or nothing
                    form.consume_once()
                    visit = {k: v for k, v in form.cleaned_data.items() if k != "once_token"}
                    v, matters = do_record_visit_with_problems(scope, visit, rows)
                    attach_from_form(request, scope, v)
                note = f"，现场收集问题{len(matters)}个" if matters else ""
                messages.success(request, f"已登记{v.get_kind_display()}{note}")
                return redirect("visit_detail", pk=v.pk)
            except ValidationError as err:
                _form_errors(form, err)
    qs = visits_filtered(scope, request.GET)
    kind = request.GET.get("kind") or ""
    year = request.GET.get("year") or ""
    page = CappedPaginator(qs, 30).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "enterprises/visits.html",
        {
            "page": page,
            # A cadre may have joined a visit to an enterprise outside their own liaison:
            # name it, but link only what they may open.
            "visible_ids": set(
                scope.filter(Enterprise.objects.all())
                .filter(visits__in=list(page.object_list))
                .values_list("pk", flat=True)
            ),
            "form": form if can_record else None,
            "visit_files": attachments.by_owner(Visit, [v.pk for v in page.object_list]),
            "raised": raised if can_record else None,
            "open_form": bool(start_for),
            "kinds": VisitKind.choices,
            "kind": kind,
            "year": year,
            "querystring": params.urlencode(),
        },
    )


@login_required
def visit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One visit: who went where, the notes, the position if recorded, the problems raised."""
    scope = scope_of(request)
    v = scope.get(Visit.objects.select_related("division", "created_by"), pk)
    if scope.role == Role.ENTERPRISE:
        # The notes are the office's own; the enterprise follows its problems in the portal.
        return redirect("portal")
    enterprises = list(v.enterprises.all())
    today = timezone.localdate()
    problems = (
        scope.filter(Matter.objects.filter(visit=v))
        .select_related("enterprise", "category")
        .order_by("id")
    )
    return render(
        request,
        "enterprises/visit_detail.html",
        {
            "v": v,
            "enterprises": enterprises,
            "visible_ids": set(
                scope.filter(
                    Enterprise.objects.filter(pk__in=[e.pk for e in enterprises])
                ).values_list("pk", flat=True)
            ),
            "persons": v.persons.all(),
            "problems": [(m, light_of(m, today)) for m in problems],
        },
    )
