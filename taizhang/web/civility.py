"""创文 pages: the figures and boards, the 测评体系 tree, points, the inspection form (phone),
rectifications with lights and their steps, exports and the bulletin. Read through the
scope, write through the civility do_* functions and the one step table."""

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

from taizhang.attachments import services as attachments
from taizhang.civility import bulletin, figures, queries, services, tree
from taizhang.civility.exports import point_table, rectification_table
from taizhang.civility.models import Content, LeaderLevel, Point, PointType, Section, Standard
from taizhang.core import params
from taizhang.core.errors import messages_of
from taizhang.core.models import Role
from taizhang.core.paging import CappedPaginator
from taizhang.core.scope import Scope, scope_of
from taizhang.exports.http import download
from taizhang.matters.models import Kind, Matter, Status
from taizhang.matters.services import allowed_actions
from taizhang.matters.timing import timing_of
from taizhang.web.attachments import files_by_step
from taizhang.web.common import flash_errors, page_division
from taizhang.web.forms.widgets import picked
from taizhang.web.links import register_detail_route
from taizhang.web.steps import kept_step_context, step_from_form

register_detail_route(Kind.RECTIFICATION, "civility_rectification")


def _staff(request: HttpRequest) -> Scope:
    scope = scope_of(request)
    if scope.role == Role.ENTERPRISE or scope.role is None:
        raise PermissionDenied("创文督查页面仅供机关工作人员使用")
    return scope


def _place(request: HttpRequest, scope: Scope):
    division = page_division(request, scope)
    year = params.year_param(request.GET, default=timezone.localdate().year)
    return division, year


# Figures and boards ------------------------------------------------------------------


@login_required
def home(request: HttpRequest) -> HttpResponse:
    scope = _staff(request)
    division, year = _place(request, scope)
    ctx: dict[str, Any] = {"division": division, "year": year, "can_manage": scope.can_manage}
    if division is not None:
        units = figures.unit_board(scope, division, year)
        ctx.update(
            fig=figures.civility_figures(scope, division, year),
            formulas=figures.FORMULAS,
            units=units,
            points=figures.point_board(scope, division, year),
            honours=figures.honours(units),
        )
    return render(request, "civility/home.html", ctx)


@login_required
def bulletin_download(request: HttpRequest) -> HttpResponse:
    scope = _staff(request)
    division, year = _place(request, scope)
    if division is None:
        raise Http404("请选择区划")
    body = bulletin.civility_docx(scope, division, year)
    response = HttpResponse(
        body,
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
    name = f"civility_{division.code}_{year}.docx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# The tree --------------------------------------------------------------------------


@login_required
def tree_page(request: HttpRequest) -> HttpResponse:
    scope = _staff(request)
    division, year = _place(request, scope)
    if request.method == "POST":
        scope.require_manage()
        if division is None:
            raise Http404("请选择区划")
        _tree_post(request, scope, division, year)
        return redirect(f"{reverse('civility_tree')}?division={division.code}&year={year}")
    sections = queries.tree(scope, division, year) if division is not None else []
    return render(
        request,
        "civility/tree.html",
        {
            "division": division,
            "year": year,
            "sections": sections,
            "can_manage": scope.can_manage,
            "point_types": PointType.choices,
        },
    )


def _tree_post(request: HttpRequest, scope: Scope, division, year: int) -> None:
    p = request.POST
    what = p.get("what")
    try:
        if what == "section":
            tree.do_save_section(scope, division, year, p.get("name", ""))
        elif what == "content":
            section = scope.get(
                Section.objects.filter(division=division, year=year), p.get("section")
            )
            tree.do_save_content(scope, section, p.get("name", ""))
        elif what == "standard":
            content = scope.get(
                Content.objects.filter(section__division=division, section__year=year),
                p.get("content"),
            )
            tree.do_save_standard(scope, content, _standard_data(request))
        else:
            raise ValidationError("未知的操作")
    except ValidationError as e:
        flash_errors(request, e)
    else:
        messages.success(request, "已保存")


def _standard_data(request: HttpRequest) -> dict[str, Any]:
    p = request.POST
    return {
        "text": p.get("text", ""),
        "score": p.get("score", ""),
        "unit": picked(p, "unit"),
        "point_types": p.getlist("point_types"),
        "workdays": p.get("workdays", ""),
    }


@login_required
def standard_edit(request: HttpRequest, pk: int) -> HttpResponse:
    scope = _staff(request)
    s = scope.get(Standard.objects.select_related("content__section__division", "unit"), pk)
    if request.method == "POST":
        scope.require_manage()
        try:
            tree.do_save_standard(scope, s.content, _standard_data(request), standard=s)
        except ValidationError as e:
            flash_errors(request, e)
        else:
            messages.success(request, "测评标准已保存")
            sec = s.content.section
            return redirect(
                f"{reverse('civility_tree')}?division={sec.division.code}&year={sec.year}"
            )
    return render(
        request,
        "civility/standard.html",
        {"s": s, "point_types": PointType.choices, "can_manage": scope.can_manage},
    )


# Points ---------------------------------------------------------------------------


def _point_rows(request: HttpRequest):
    scope = _staff(request)
    division = page_division(request, scope)
    f = queries.point_params(request.GET)
    return scope, division, f, queries.points(scope, division, **f)


@login_required
def point_list(request: HttpRequest) -> HttpResponse:
    scope, division, f, qs = _point_rows(request)
    page = CappedPaginator(qs, 50).get_page(request.GET.get("page"))
    qd = request.GET.copy()
    qd.pop("page", None)
    return render(
        request,
        "civility/points.html",
        {
            "page": page,
            "f": f,
            "division": division,
            "types": PointType.choices,
            "levels": LeaderLevel.choices,
            "can_manage": scope.can_manage,
            "querystring": qd.urlencode(),
        },
    )


@login_required
def point_export(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in {"xlsx", "csv"}:
        raise Http404("不支持的导出格式")
    scope, _, _, qs = _point_rows(request)
    return download(point_table(scope, qs, timezone.localdate()), fmt, "创文测评点位台账")


def _point_data(request: HttpRequest) -> dict[str, Any]:
    p = request.POST
    return {
        "division": picked(p, "division"),
        "name": p.get("name", ""),
        "type": p.get("type", ""),
        "unit": picked(p, "unit"),
        "leader": picked(p, "leader"),
        "leader_level": p.get("leader_level", ""),
        "position": p.get("position", ""),
        "active": p.get("active", "on") == "on",
    }


@login_required
def point_new(request: HttpRequest) -> HttpResponse:
    scope = _staff(request)
    scope.require_manage()
    errors: dict[str, list[str]] = {}
    data: dict[str, Any] = {}
    if request.method == "POST":
        data = _point_data(request)
        try:
            p = services.do_save_point(scope, data)
        except ValidationError as e:
            errors = messages_of(e)
        else:
            messages.success(request, f"已新增点位「{p.name}」")
            return redirect("civility_point", pk=p.pk)
    return render(
        request,
        "civility/point_form.html",
        {
            "data": data,
            "errors": errors,
            "types": PointType.choices,
            "levels": LeaderLevel.choices,
            "point": None,
        },
    )


@login_required
def point_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scope = _staff(request)
    p = scope.get(Point.objects.select_related("division", "unit", "leader"), pk)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        scope.require_manage()
        try:
            services.do_save_point(scope, _point_data(request), point=p)
        except ValidationError as e:
            errors = messages_of(e)
        else:
            messages.success(request, "点位已保存")
            return redirect("civility_point", pk=p.pk)
    inspections = scope.filter(p.inspections.all()).prefetch_related(
        "failures__matter", "failures__standard"
    )[:50]
    return render(
        request,
        "civility/point.html",
        {
            "p": p,
            "data": {
                "name": p.name,
                "type": p.type,
                "division": p.division_id,
                "unit": p.unit_id,
                "leader": p.leader_id or "",
                "leader_level": p.leader_level,
                "position": p.position,
            },
            "inspections": inspections,
            "errors": errors,
            "types": PointType.choices,
            "levels": LeaderLevel.choices,
            "can_manage": scope.can_manage,
        },
    )


@login_required
def inspect(request: HttpRequest, pk: int) -> HttpResponse:
    """The phone inspection form: every standard of the point's type, ticked when not met,
    with a note and photos; one submit saves the inspection and its rectifications."""
    scope = _staff(request)
    p = scope.get(Point.objects.select_related("division", "unit", "leader"), pk)
    scope.require_manage()
    today = timezone.localdate()
    errors: list[str] = []
    post = request.POST if request.method == "POST" else None
    if post is not None:
        found = [
            services.FoundFailure(
                int(sid) if sid.isdigit() else sid,
                post.get(f"note_{sid}", ""),
                request.FILES.getlist(f"photo_{sid}"),
            )
            for sid in post.getlist("failed")
        ]
        try:
            with transaction.atomic():
                ins, made = services.do_inspect(
                    scope,
                    p,
                    date=post.get("date") or None,
                    failures=found,
                    note=post.get("note", ""),
                )
        except ValidationError as e:
            errors = [m for msgs in messages_of(e).values() for m in msgs]
        else:
            messages.success(
                request,
                f"检查已保存：发现问题 {len(made)} 个，已交办{p.unit.name}限时整改"
                if made
                else "检查已保存：全部达标",
            )
            return redirect("civility_point", pk=p.pk)
    day = params.date_param(request.GET, "date", today) or today
    standards = services.standards_for(p, day.year)
    return render(
        request,
        "civility/inspect.html",
        {
            "p": p,
            "standards": standards,
            "errors": errors,
            "post": post,
            "failed": set(post.getlist("failed")) if post is not None else set(),
            "today": today,
            "day": day,
        },
    )


# Rectifications ---------------------------------------------------------------------


def _rect_rows(request: HttpRequest):
    scope = _staff(request)
    division = page_division(request, scope)
    f = queries.RectFilter.from_params(request.GET)
    today = timezone.localdate()
    return scope, division, f, today, queries.rectifications(scope, division, f, today)


@login_required
def rectification_list(request: HttpRequest) -> HttpResponse:
    scope, division, f, today, qs = _rect_rows(request)
    page = CappedPaginator(qs, 50).get_page(request.GET.get("page"))
    qd = request.GET.copy()
    qd.pop("page", None)
    return render(
        request,
        "civility/rectifications.html",
        {
            "page": page,
            "f": f,
            "division": division,
            "statuses": Status.choices,
            "querystring": qd.urlencode(),
        },
    )


@login_required
def rectification_export(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in {"xlsx", "csv"}:
        raise Http404("不支持的导出格式")
    scope, _, _, today, qs = _rect_rows(request)
    return download(rectification_table(scope, qs, today), fmt, "创文问题整改台账")


def _rect(scope: Scope, pk: int) -> Matter:
    return scope.get(
        Matter.objects.filter(kind=Kind.RECTIFICATION).select_related(
            "division",
            "lead_unit",
            "leader",
            "civility_failure__standard",
            "civility_failure__inspection__point",
        ),
        pk,
    )


@login_required
def rectification_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scope = _staff(request)
    m = _rect(scope, pk)
    return render(
        request,
        "civility/rectification.html",
        {
            "m": m,
            "f": m.civility_failure,
            "timing": timing_of(m),
            "history": list(m.steps.order_by("date", "at", "id")),
            "files": files_by_step(m),
            "all_files": attachments.visible_attachments(scope, m),
            "actions": allowed_actions(scope, m),
            **kept_step_context(request, m),
        },
    )


@login_required
@require_POST
def rectification_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """A step of a rectification, through the one web step dispatch (整改报送 names its
    after-photos, uploaded in the step's transaction: a refused step keeps no photo)."""
    scope = _staff(request)
    m = _rect(scope, pk)
    return step_from_form(
        request, scope, m, action, back=reverse("civility_rectification", args=[m.pk])
    )
