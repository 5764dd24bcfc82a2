"""Pages of the ledger measures: the measure list with the office's flagged tasks, the
fact-check page, and the binding forms on the task and draft-row pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from taizhang.core import params
from taizhang.core.errors import messages_of
from taizhang.core.scope import Scope, scope_of
from taizhang.lib.numbers import fmt_value
from taizhang.lib.svgcharts import Chart, Series
from taizhang.matters.models import Matter
from taizhang.measures import services
from taizhang.measures.builtin import LEVEL, THRESHOLD
from taizhang.measures.factcheck import STATUS_LABELS
from taizhang.measures.figures import monthly_values
from taizhang.measures.models import Binding
from taizhang.measures.registry import all_measures, get_measure, unit_factor
from taizhang.tasks.drafts import read_upload
from taizhang.tasks.models import DraftRow
from taizhang.web.common import flash_errors, page_division


def _readers_only(scope: Scope) -> None:
    if not scope.reads_division:
        raise PermissionDenied("只有督查室和区领导可以查看台账指标核对")


def _params_from(post: Any, code: str) -> dict[str, str]:
    """The measure's parameters from a form: fields named ``param_<name>``."""
    try:
        m = get_measure(code)
    except ValueError:
        return {}
    return {p.name: post.get(f"param_{p.name}", "") for p in m.params}


@login_required
def measures_page(request: HttpRequest) -> HttpResponse:
    """台账指标: every measure with its formula, and the bound tasks whose self-reported figure
    differs from the ledger (the office's list of flags)."""
    scope = scope_of(request)
    division = page_division(request, scope)  # another district's: 404 before any refusal
    _readers_only(scope)
    rows = []
    if division is not None:
        bindings = scope.filter(Binding.objects.filter(matter__isnull=False)).filter(
            division__path__startswith=division.path
        )
        for b in bindings.select_related(
            "matter", "matter__task", "matter__division", "matter__lead_unit"
        ):
            readings = services.readings(b.matter, b)
            latest = readings[-1] if readings else None
            rows.append(
                {
                    "b": b,
                    "m": b.matter,
                    "measure": get_measure(b.code).describe(b.params),
                    "latest": latest,
                }
            )
    rows.sort(key=lambda r: (not (r["latest"] and r["latest"].flagged), r["m"].pk))
    return render(
        request,
        "measures/list.html",
        {
            "measures": all_measures(),
            "rows": rows,
            "flagged": sum(1 for r in rows if r["latest"] and r["latest"].flagged),
            "division": division,
            "tolerance": services.tolerance(),
        },
    )


@login_required
def factcheck_page(request: HttpRequest) -> HttpResponse:
    """核对文稿数字: paste or upload; each figure beside the ledger, green, red or 未核对."""
    scope = scope_of(request)
    division = page_division(request, scope)
    _readers_only(scope)
    ctx: dict[str, Any] = {
        "division": division,
        "divisions": scope.divisions.order_by("path"),
        "today": timezone.localdate(),
        "labels": STATUS_LABELS,
    }
    if request.method == "POST" and division is not None:
        text = request.POST.get("text", "")
        try:
            upload = request.FILES.get("file")
            if upload is not None:
                text = read_upload(upload)
            as_of = params.date_param(request.POST, "as_of")
            start = params.date_param(request.POST, "start")
            fc, items = services.do_factcheck(
                scope, text=text, division=division, as_of=as_of, start=start
            )
        except (ValidationError, params.BadParam) as e:
            errs = messages_of(e) if isinstance(e, ValidationError) else {e.key: [e.message]}
            ctx.update(text=text, errors=[m for msgs in errs.values() for m in msgs])
            return render(request, "measures/factcheck.html", ctx, status=422)
        ctx.update(text=text, fc=fc, items=items, pieces=_pieces(text, items))
    return render(request, "measures/factcheck.html", ctx)


def _pieces(text: str, items: list) -> list[tuple[str, Any]]:
    """The text cut at each figure, so the template marks figures without unsafe HTML."""
    out: list[tuple[str, Any]] = []
    pos = 0
    for n, item in enumerate(sorted(items, key=lambda i: i.start), start=1):
        if item.start < pos:
            continue
        out.append((text[pos : item.start], None))
        out.append((text[item.start : item.end], (n, item)))
        pos = item.end
    out.append((text[pos:], None))
    return out


@login_required
@require_POST
def task_measure(request: HttpRequest, pk: int) -> HttpResponse:
    """Bind a task to a measure (or unbind it): the office, from the task page."""
    scope = scope_of(request)
    m = scope.get(Matter.objects.filter(task__isnull=False).select_related("division", "task"), pk)
    code = (request.POST.get("measure") or "").strip()
    try:
        if code:
            services.do_bind_task(scope, m, code=code, params=_params_from(request.POST, code))
            messages.success(request, "已绑定台账指标")
        else:
            services.do_unbind_task(scope, m)
            messages.success(request, "已解除台账指标绑定")
    except ValidationError as e:
        flash_errors(request, e)
    return redirect(reverse("task_detail", args=[m.pk]) + "#measure")


@login_required
@require_POST
def draft_row_measure(request: HttpRequest, pk: int, rid: int) -> HttpResponse:
    """Confirm the proposed measure of a draft target, pick another, or none."""
    scope = scope_of(request)
    row = scope.get(
        DraftRow.objects.filter(draft_id=pk).select_related("draft", "draft__division"), rid
    )
    if not scope.can_manage:
        raise PermissionDenied("只有督查室可以使用任务分解草稿")
    code = (request.POST.get("measure") or "").strip()
    try:
        services.do_bind_row(scope, row, code=code, params=_params_from(request.POST, code))
        messages.success(
            request, f"第{row.order}行：" + ("已确认台账指标" if code else "不绑定台账指标")
        )
    except ValidationError as e:
        for msgs in messages_of(e).values():
            for msg in msgs:
                messages.error(request, f"第{row.order}行：{msg}")
    return redirect(reverse("draft_detail", args=[row.draft_id]) + f"#row-{row.pk}")


# Pieces the task and draft pages include ------------------------------------------


def task_context(
    scope: Scope, m: Matter, default_period: Any, reportable: list | None = None
) -> dict[str, Any]:
    """The task page's 台账指标 section: binding, ledger value, flags, chart, report pre-fill."""
    detail = m.task
    if detail.target_value is None:
        return {}
    b = services.binding_of(m)
    ctx: dict[str, Any] = {
        "measure_choices": all_measures(),
        "measure_binding": b,
        "measure_params": b.params if b else {},
        "level_choices": LEVEL.choices,
        "threshold_choices": THRESHOLD.choices,
    }
    if b is None:
        found = services.suggest(m.title, detail.target_unit)
        ctx["measure_suggestion"] = found
        return ctx
    measure = get_measure(b.code)
    today = timezone.localdate()
    as_of = min(today, dt.date(detail.year, 12, 31))
    ctx["measure"] = measure
    ctx["measure_label"] = measure.describe(b.params)
    value = services.task_ledger(m, b, as_of)
    ctx["ledger_value"] = None if value is None else fmt_value(value)
    ctx["ledger_as_of"] = as_of
    ctx["readings"] = services.readings(m, b)
    # Each reportable period's ledger value, so the form re-fills when the period changes.
    reportable = reportable or []
    ctx["ledger_by_period"] = {
        p.label: fmt_value(services.period_ledger(m, b, p.label)) for p in reportable
    }
    if default_period is not None:
        pre = services.period_ledger(m, b, default_period.label)
        ctx["ledger_prefill"] = "" if pre is None else fmt_value(pre)
        ctx["ledger_prefill_period"] = default_period.label
    if as_of.year == detail.year and as_of >= dt.date(detail.year, 1, 31):
        ctx["measure_chart"] = _chart(m, b, as_of)
    return ctx


def _chart(m: Matter, b: Binding, as_of: dt.date) -> Chart:
    """The ledger value at each month end against 时序进度 (target × months elapsed ÷ 12)."""
    detail = m.task
    measure = get_measure(b.code)
    last = (
        as_of.month
        if as_of.month == 12 or (as_of + dt.timedelta(days=1)).month != as_of.month
        else as_of.month - 1
    )
    last = max(last, 1)
    factor = unit_factor(detail.target_unit, measure.unit) or Decimal(1)
    values = monthly_values(measure, m.division, detail.year, last, b.params)
    ledger = [None if v is None else v / factor for v in values] + [None] * (12 - last)
    series = [Series("台账值", ledger)]
    if measure.is_rate:
        series.append(Series("目标", [detail.target_value] * 12, dashed=True, points=False))
    else:
        series.append(
            Series(
                "时序进度",
                [detail.target_value * mo / 12 for mo in range(1, 13)],
                dashed=True,
                points=False,
            )
        )
    return Chart(
        "line",
        f"{measure.name}：台账值与时序进度",
        [f"{mo}月" for mo in range(1, 13)],
        series,
        unit=detail.target_unit,
    )


def draft_rows_context(rows: list[DraftRow]) -> None:
    """Mark each target row with its confirmed binding or the proposed measure (``r.mx``)."""
    bound = {b.row_id: b for b in Binding.objects.filter(row__in=rows)}
    choices = all_measures()
    for r in rows:
        b = bound.get(r.pk)
        found = None if b or r.target_value is None else services.suggestion_for_row(r)
        r.mx = {
            "binding": b,
            "label": get_measure(b.code).describe(b.params) if b else "",
            "suggestion": found,
            "choices": choices,
        }
