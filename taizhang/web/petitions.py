"""信访 (petitions) web pages: the ledger with filters, figures and exports, the register
form, the case page (steps through the one step dispatch, 带案下访, mediation) and the
audited page of the petitioner's personal data. Read through the scope, write through the
petitions do_* functions."""

from __future__ import annotations

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
from taizhang.matters.models import Kind, Matter, Notification, Rating, Status
from taizhang.matters.timing import light_of
from taizhang.petitions import services
from taizhang.petitions.exports import petition_table
from taizhang.petitions.figures import FORMULAS, petition_figures
from taizhang.petitions.models import Category, Channel, Mediation
from taizhang.petitions.queries import FLAGS, PetitionFilter, filter_petitions
from taizhang.petitions.rules import DEADLINES
from taizhang.web.attachments import attach_from_form, files_by_step
from taizhang.web.common import flash_errors, page_division
from taizhang.web.forms.widgets import picked
from taizhang.web.links import register_detail_route
from taizhang.web.steps import kept_step_context
from taizhang.web.trail import trail_page

PER_PAGE = 30
register_detail_route(Kind.PETITION, "petition_detail")


def _no_enterprise(scope: Scope) -> None:
    if scope.role == Role.ENTERPRISE:
        raise PermissionDenied("企业用户不能查看信访台账")


@login_required
def petition_list(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request)
    if scope.role == Role.ENTERPRISE:
        return redirect("portal")
    today = timezone.localdate()
    f = PetitionFilter.from_params(request.GET)
    division = page_division(request, scope)
    year = f.year or today.year
    qs = filter_petitions(scope, f, today)
    page = CappedPaginator(qs, PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    fig = petition_figures(scope, division, year) if division is not None else None
    leaders = Person.objects.filter(
        pk__in=scope.filter(Matter.objects.filter(kind=Kind.PETITION)).values("leader")
    ).order_by("name")
    return render(
        request,
        "petitions/list.html",
        {
            "f": f,
            "page": page,
            "rows": [(m, m.petition.masked) for m in page.object_list],
            "querystring": query.urlencode(),
            "fig": fig,
            "fig_year": year,
            "formulas": FORMULAS,
            "statuses": Status.choices,
            "channels": Channel.choices,
            "flags": [(k, v[0]) for k, v in FLAGS.items()],
            "leaders": leaders,
            "can_manage": scope.can_manage,
        },
    )


@login_required
def petition_export(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in {"xlsx", "csv"}:
        raise Http404("不支持的导出格式")
    scope = scope_of(request)
    _no_enterprise(scope)
    personal = request.GET.get("personal") == "1"
    if personal and not scope.can_manage:
        raise PermissionDenied("只有督查室可以导出含个人信息的信访台账")
    today = timezone.localdate()
    rows = filter_petitions(scope, PetitionFilter.from_params(request.GET), today)
    if personal:
        # Counted in the database: the rows themselves are read as they are sent.
        services.record_personal_export(scope, scope.division, rows.count())
    table = petition_table(scope, rows, today, personal=personal)
    return download(table, fmt, "信访件台账（含个人信息）" if personal else "信访件台账")


def _form_data(p: Any) -> dict[str, Any]:
    data = {
        k: p.get(k, "")
        for k in (
            "title",
            "content",
            "raised_on",
            "channel",
            "category",
            "petitioner_name",
            "petitioner_phone",
            "petitioner_id_number",
            "people_count",
            "accept_deadline",
        )
    }
    for flag in ("is_repeat", "is_collective", "is_skip_level", "is_key"):
        data[flag] = p.get(flag) == "1"
    division = picked(p, "division")
    if division:
        data["division"] = division
    return data


@login_required
def petition_new(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request)
    scope.require_manage()
    errors: dict[str, list[str]] = {}
    data: dict[str, Any] = {"raised_on": timezone.localdate().isoformat(), "people_count": 1}
    if request.method == "POST":
        data = _form_data(request.POST)
        try:
            m = services.do_register_petition(scope, data)
        except ValidationError as e:
            errors = {k.replace("__all__", "all"): v for k, v in messages_of(e).items()}
        else:
            messages.success(request, f"已登记信访件 {m.number}，受理时限 {m.deadline:%Y-%m-%d}")
            return redirect("petition_detail", m.pk)
    return render(
        request,
        "petitions/new.html",
        {
            "data": data,
            "errors": errors,
            "channels": Channel.choices,
            "categories": Category.choices,
            "deadlines": DEADLINES,
        },
    )


def _get(scope: Scope, pk: int) -> Matter:
    return scope.get(
        Matter.objects.filter(kind=Kind.PETITION).select_related(
            "division", "lead_unit", "leader", "petition", "raised_by"
        ),
        pk,
    )


@login_required
def petition_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scope = scope_of(request)
    m = _get(scope, pk)  # an enterprise never reaches a petition: 404 like any outsider
    Notification.objects.filter(user=request.user, matter=m, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    actions = ms.allowed_actions(scope, m)
    table = steps.transitions(m.kind)
    handler = services.is_handler(scope, m)
    visits = list(m.petition_visits.select_related("leader"))
    from taizhang.attachments.services import by_owner

    photos = by_owner(type(visits[0]), [v.pk for v in visits]) if visits else {}
    ctx: dict[str, Any] = {
        "m": m,
        "d": m.petition,
        "masked": m.petition.masked,
        "light": light_of(m, timezone.localdate()),
        "steps": m.steps.select_related("by", "by_unit"),
        "actions": actions,
        "labels": {a: table[a].label for a in actions},
        "ratings": Rating.choices,
        "handler": handler,
        "visits": [(v, photos.get(v.pk, [])) for v in visits],
        "may_visit": handler and m.leader_id is not None and m.status != Status.CLOSED,
        "may_mediate": scope.can_manage
        or (scope.role == Role.UNIT and m.lead_unit_id == getattr(scope.unit, "pk", None)),
        "mediations": Mediation.choices,
        "trail": trail_page(m, request.GET.get("trail")) if scope.reads_division else None,
        "step_files": files_by_step(m),
        "next": reverse("petition_detail", args=[m.pk]),
        "today": timezone.localdate(),
    }
    ctx.update(kept_step_context(request, m))
    return render(request, "petitions/detail.html", ctx)


@login_required
def petition_personal(request: HttpRequest, pk: int) -> HttpResponse:
    """The petitioner's unmasked data: handlers only (403 for others in scope), audited."""
    scope = scope_of(request)
    m = _get(scope, pk)  # an enterprise never reaches a petition: 404 like any outsider
    data = services.personal_data(scope, m, request=request)
    return render(request, "petitions/personal.html", {"m": m, "p": data})


@login_required
@require_POST
def petition_visit(request: HttpRequest, pk: int) -> HttpResponse:
    scope = scope_of(request)
    m = _get(scope, pk)  # an enterprise never reaches a petition: 404 like any outsider
    try:
        with transaction.atomic():
            v = services.do_record_visit(
                scope,
                m,
                date=request.POST.get("date") or None,
                place=request.POST.get("place", ""),
                met=request.POST.get("met", ""),
                note=request.POST.get("note", ""),
            )
            attach_from_form(request, scope, v)
    except ValidationError as e:
        flash_errors(request, e)
    else:
        messages.success(request, f"已登记带案下访（{v.date:%Y-%m-%d}，{v.place}）")
    return redirect("petition_detail", m.pk)


@login_required
@require_POST
def petition_mediation(request: HttpRequest, pk: int) -> HttpResponse:
    scope = scope_of(request)
    m = _get(scope, pk)  # an enterprise never reaches a petition: 404 like any outsider
    try:
        d = services.do_record_mediation(
            scope,
            m,
            outcome=request.POST.get("outcome", ""),
            agreement=request.POST.get("agreement", ""),
            date=request.POST.get("date") or None,
        )
    except ValidationError as e:
        flash_errors(request, e)
    else:
        messages.success(request, f"已登记调解结果：{d.get_mediation_outcome_display()}")
    return redirect("petition_detail", m.pk)


__all__ = [
    "params",
    "petition_detail",
    "petition_export",
    "petition_list",
    "petition_mediation",
    "petition_new",
    "petition_personal",
    "petition_visit",
]
