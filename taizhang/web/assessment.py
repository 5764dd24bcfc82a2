"""Assessment web pages: scores and rankings, drill-down, scheme editor, adjustments,
publishing and the bulletin. Read through the scope, write through service/bulletin do_*."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from taizhang.assessment import bulletin as bulletin_mod
from taizhang.assessment import exports, service
from taizhang.assessment.models import Adjustment, Scheme, ScorePeriod
from taizhang.bulletins.charts import render_bar_chart
from taizhang.bulletins.docx import (
    OutlineEntry,
    chart_caption,
    chart_notes,
    outline,
    section_from_json,
)
from taizhang.core import params as qparams
from taizhang.core.models import Division, Person, Unit
from taizhang.core.periods import default_period
from taizhang.core.scope import Scope, scope_of
from taizhang.exports.http import download
from taizhang.lib.periods import quarter_code, quarter_of
from taizhang.lib.scoring import FORMULAS, PeriodError, parse_period
from taizhang.web.charts import score_history
from taizhang.web.common import flash_errors, page_division


def _district(request: HttpRequest, scope: Scope) -> Division:
    division = page_division(request, scope)
    if division is None:
        raise Http404("您的账号尚未分配区划或单位")
    return division.district() or division


def _period_code(request: HttpRequest, district: Division) -> str:
    raw = (request.GET.get("period") or request.POST.get("period") or "").strip()
    if raw:
        try:
            return parse_period(raw).code
        except PeriodError as e:
            raise Http404(str(e)) from None
    latest = ScorePeriod.objects.filter(division=district).order_by("-end").first()
    if latest is not None:
        return latest.code
    year, month = default_period(district)
    return quarter_code(year, quarter_of(month))


def _back(name: str, district: Division, **params: Any) -> HttpResponse:
    q = "&".join(f"{k}={quote(str(v))}" for k, v in {"division": district.code, **params}.items())
    return redirect(f"{reverse(name)}?{q}")


def _period_choices(district: Division, code: str) -> list[str]:
    year = parse_period(code).start.year
    out = [quarter_code(y, q) for y in (year, year - 1) for q in (4, 3, 2, 1)]
    out = [str(year), *out[:4], str(year - 1), *out[4:]]
    published = list(ScorePeriod.objects.filter(division=district).values_list("code", flat=True))
    return list(dict.fromkeys([code, *published, *out]))


# --------------------------------------------------------------------------- scores


@login_required
def scores(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request)
    district = _district(request, scope)
    code = _period_code(request, district)
    live = request.GET.get("live") == "1"
    result = service.result_for(scope, district, code, live=live)
    published = list(scope.filter(ScorePeriod.objects.filter(division=district)).order_by("-end"))
    query = f"division={quote(district.code)}&period={code}" + ("&live=1" if live else "")
    return render(
        request,
        "assessment/scores.html",
        {
            "r": result,
            "district": district,
            "code": code,
            "live": live,
            "query": query,
            "published_periods": published,
            "periods": _period_choices(district, code),
            "divisions": scope.divisions.filter(level=Division.Level.DISTRICT),
            "can_manage": scope.can_manage and scope.reads_division,
            "can_publish": scope.can_manage
            and result.published is None
            and result.scheme is not None
            and result.period.end < timezone.localdate(),
        },
    )


@login_required
def card(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    scope = scope_of(request)
    district = _district(request, scope)
    code = _period_code(request, district)
    if kind not in {"unit", "person"}:
        raise Http404("未找到")
    result = service.result_for(scope, district, code, live=request.GET.get("live") == "1")
    row = result.row(kind, pk)
    if row is None:
        raise Http404("未找到该考评对象，或您无权查看")
    return render(
        request,
        "assessment/card.html",
        {
            "r": result,
            "row": row,
            "history": score_history(district, kind, pk, row.name),
            "district": district,
            "code": code,
            "live": request.GET.get("live") == "1",
        },
    )


@login_required
def scores_export(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in {"xlsx", "csv"}:
        raise Http404("不支持的导出格式")
    scope = scope_of(request)
    district = _district(request, scope)
    code = _period_code(request, district)
    result = service.result_for(scope, district, code, live=request.GET.get("live") == "1")
    table = exports.scores_table(scope, result)
    return download(table, fmt, f"{district.name}{result.period.label}考评排名")


@login_required
@require_POST
def publish(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request)
    district = _district(request, scope)
    code = _period_code(request, district)
    try:
        sp = service.do_publish(scope, district, code)
        messages.success(request, f"已发布{sp.label}考评结果，此后台账修改不影响已发布得分")
    except ValidationError as e:
        flash_errors(request, e)
    return _back("assessment_scores", district, period=code)


# --------------------------------------------------------------------------- scheme


def _scheme_rows(scheme: Scheme | None) -> list[dict[str, Any]]:
    current = {
        i["formula"]: i for i in (scheme.indicators if scheme else service.DEFAULT_INDICATORS)
    }
    rows = []
    for formula, (name, how) in FORMULAS.items():
        i = current.get(formula)
        params = (i or {}).get("params") or {}
        rows.append(
            {
                "formula": formula,
                "how": how,
                "on": i is not None,
                "code": (i or {}).get("code", formula),
                "name": (i or {}).get("name", name),
                "weight": (i or {}).get("weight", ""),
                "cap": params.get("cap", ""),
                "pace": params.get("pace", ""),
                "per": params.get("per", ""),
                "penalty": formula == "reminder_penalty",
                "has_pace": formula == "investment_vs_pace",
            }
        )
    return rows


@login_required
def scheme_edit(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request)
    district = _district(request, scope)  # first: another district is 404, not 403
    if not scope.reads_division:
        raise PermissionDenied("只有督查室和区领导可以查看考评方案")
    year = qparams.year_param(
        request.POST if request.POST.get("year") else request.GET,
        default=default_period(district)[0],
    )
    if request.method == "POST":
        p = request.POST
        indicators = []
        for formula in FORMULAS:
            if not p.get(f"{formula}-on"):
                continue
            params = {k: p.get(f"{formula}-{k}", "") for k in ("cap", "pace", "per")}
            indicators.append(
                {
                    "formula": formula,
                    "code": p.get(f"{formula}-code", formula),
                    "name": p.get(f"{formula}-name", ""),
                    "weight": p.get(f"{formula}-weight", ""),
                    "params": {k: v for k, v in params.items() if v.strip()},
                }
            )
        data = {
            k: p.get(k, "")
            for k in (
                "name",
                "lead_weight",
                "co_weight",
                "empty",
                "bonus_cap",
                "penalty_cap",
                "board_size",
                "note",
            )
        }
        data["indicators"] = indicators
        try:
            s = service.do_save_scheme(scope, district, year, data)
            messages.success(request, f"已保存为第{s.version}版；已发布的考评期仍按原版本计分")
            return _back("assessment_scheme", district, year=year)
        except ValidationError as e:
            flash_errors(request, e)
    versions = list(
        scope.filter(Scheme.objects.filter(division=district, year=year)).order_by("-version")
    )
    current = versions[0] if versions else None
    used = {
        sp.scheme_id: sp.label
        for sp in ScorePeriod.objects.filter(division=district, scheme__year=year)
    }
    return render(
        request,
        "assessment/scheme.html",
        {
            "district": district,
            "year": year,
            "scheme": current,
            "rows": _scheme_rows(current),
            "versions": [(v, used.get(v.pk)) for v in versions],
            "empty_choices": Scheme.Empty.choices,
            "can_manage": scope.can_manage,
            "years": range(timezone.localdate().year + 1, 2019, -1),
        },
    )


# --------------------------------------------------------------------------- adjustments


def _adjustments(scope: Scope, district: Division, year: int):
    return (
        scope.filter(Adjustment.objects.filter(division=district, on__year=year))
        .select_related("unit", "person", "created_by")
        .order_by("-on", "-id")
    )


@login_required
def adjustments(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request)
    district = _district(request, scope)
    year = qparams.year_param(
        request.POST if request.POST.get("year") else request.GET,
        default=default_period(district)[0],
    )
    if request.method == "POST":
        p = request.POST
        target = p.get("target", "")
        unit = person = None
        kind, _, pk = target.partition("-")
        if kind == "unit" and pk.isdigit():
            unit = scope.get(Unit.objects.all(), pk)
        elif kind == "person" and pk.isdigit():
            person = scope.get(Person.objects.all(), pk)
        try:
            service.do_add_adjustment(
                scope,
                district,
                unit=unit,
                person=person,
                points=p.get("points"),
                reason=p.get("reason", ""),
                on=p.get("on", ""),
            )
            messages.success(request, "已登记加减分")
            return _back("assessment_adjustments", district, year=year)
        except ValidationError as e:
            flash_errors(request, e)
    units = Unit.objects.filter(division__path__startswith=district.path).order_by("kind", "name")
    people = Person.objects.filter(division__path__startswith=district.path).order_by(
        "-is_leader", "name"
    )
    return render(
        request,
        "assessment/adjustments.html",
        {
            "district": district,
            "year": year,
            "rows": _adjustments(scope, district, year),
            "units": units if scope.can_manage else [],
            "people": people if scope.can_manage else [],
            "can_manage": scope.can_manage and scope.reads_division,
            "today": timezone.localdate(),
        },
    )


@login_required
def adjustments_export(request: HttpRequest, fmt: str) -> HttpResponse:
    if fmt not in {"xlsx", "csv"}:
        raise Http404("不支持的导出格式")
    scope = scope_of(request)
    district = _district(request, scope)
    year = qparams.year_param(request.GET, default=default_period(district)[0])
    rows = list(_adjustments(scope, district, year))
    return download(
        exports.adjustments_table(scope, district, year, rows),
        fmt,
        f"{district.name}{year}年加减分",
    )


@login_required
@require_POST
def adjustment_delete(request: HttpRequest, pk: int) -> HttpResponse:
    scope = scope_of(request)
    a = scope.get(Adjustment.objects.select_related("division"), pk)
    service.do_delete_adjustment(scope, a)
    messages.success(request, "已删除加减分")
    return _back("assessment_adjustments", a.division, year=a.on.year)


# --------------------------------------------------------------------------- bulletin


def _require_reader(scope: Scope) -> None:
    if not scope.reads_division:
        raise PermissionDenied("只有督查室和区领导可以查看和下载通报")


@dataclass(frozen=True)
class _PreviewChart:
    caption: str
    image: str  # a data: URI of the same PNG the .docx embeds; "" without matplotlib
    notes: list[str]


def _preview_outline(content) -> list[tuple[OutlineEntry, list[_PreviewChart]]]:
    """The bulletin's sections numbered as the .docx numbers them, with its charts."""
    sections = content.sections if hasattr(content, "sections") else None
    if sections is None:  # an issued bulletin: its stored JSON
        sections = [section_from_json(d) for d in content.get("sections") or ()]
    out = []
    for entry in outline(sections):
        shown = []
        for ch in entry.section.charts:
            image = render_bar_chart(ch)
            uri = "data:image/png;base64," + base64.b64encode(image.png).decode() if image else ""
            shown.append(_PreviewChart(chart_caption(ch), uri, chart_notes(ch, image)))
        out.append((entry, shown))
    return out


@login_required
def bulletin_page(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request)
    district = _district(request, scope)  # first: another district is 404, not 403
    _require_reader(scope)
    code = _period_code(request, district)
    g = bulletin_mod.gather(scope, district, code)
    issued = bulletin_mod.issued_for(district, code)
    diffs: list[bulletin_mod.FigureDiff] = []
    if issued is not None:
        issued = bulletin_mod.ensure_document(scope, issued)
        diffs = bulletin_mod.figure_diff(issued.figures or [], bulletin_mod.figures_of(g))
    query = f"division={quote(district.code)}&period={code}"
    # The issued text is shown as stored; the recompute only beside it.
    content = bulletin_mod.content_from_json(issued.content) if issued else g.content
    return render(
        request,
        "assessment/bulletin.html",
        {
            "g": g,
            "c": content,
            "outline": _preview_outline(content),
            "issued": issued,
            "diffs": diffs[:20],
            "more_diffs": max(0, len(diffs) - 20),
            "district": district,
            "code": code,
            "periods": _period_choices(district, code),
            "settings": bulletin_mod.settings_for(district),
            "next_number": bulletin_mod.next_number(district, timezone.localdate().year),
            "can_manage": scope.can_manage,
            "can_issue": scope.can_manage
            and issued is None
            and ScorePeriod.objects.filter(division=district, code=code).exists(),
            "query": query,
        },
    )


@login_required
def bulletin_download(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request)
    district = _district(request, scope)  # first: another district is 404, not 403
    _require_reader(scope)
    code = _period_code(request, district)
    f = bulletin_mod.bulletin_file(
        scope, district, code, recompute=request.GET.get("recompute") == "1"
    )
    response = HttpResponse(
        f.body,
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(f.filename)}"
    return response


@login_required
@require_POST
def bulletin_issue(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request)
    district = _district(request, scope)
    code = _period_code(request, district)
    try:
        ib = bulletin_mod.do_issue(scope, district, code)
        messages.success(request, f"已印发，发文字号 {ib.doc_number}")
    except ValidationError as e:
        flash_errors(request, e)
    return _back("assessment_bulletin", district, period=code)


@login_required
@require_POST
def bulletin_settings(request: HttpRequest) -> HttpResponse:
    scope = scope_of(request)
    district = _district(request, scope)
    code = _period_code(request, district)
    try:
        bulletin_mod.do_save_settings(scope, district, request.POST.dict())
        messages.success(request, "已保存通报设置")
    except ValidationError as e:
        flash_errors(request, e)
    return _back("assessment_bulletin", district, period=code)
