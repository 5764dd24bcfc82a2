"""Pages of similar problems (docs/similar.md): the 疑似重复 list, the problem radar and the
panel on a problem's page. Read through `taizhang.similar.figures`, write through
`do_task_from_cluster`; merging posts to the step route (`/matters/<id>/steps/merge/`)."""

from __future__ import annotations

import re
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from taizhang.core.errors import messages_of
from taizhang.core.models import Role
from taizhang.core.scope import Scope, scope_of
from taizhang.exports.http import download
from taizhang.exports.render import Column, Table
from taizhang.matters.merge import MERGE
from taizhang.matters.models import Matter, Status
from taizhang.similar import figures
from taizhang.similar.services import do_task_from_cluster, tasks_of
from taizhang.web.forms.problems import RadarTaskForm

_PREFIX = re.compile(r"^c\d{1,3}$")


def _office(request: HttpRequest) -> Scope:
    scope = scope_of(request)
    if not scope.can_manage:
        raise PermissionDenied("只有督查室可以查看相似问题和问题雷达")
    return scope


def problem_panel(scope: Scope, m: Matter) -> dict[str, Any]:
    """What a problem's page shows about duplicates, merges and root-cause tasks."""
    # An enterprise sees its own problem's story, not which other enterprises asked the same.
    staff = scope.role != Role.ENTERPRISE
    ctx: dict[str, Any] = {
        "merged_problems": list(
            scope.filter(m.merged_problems.select_related("enterprise")) if staff else []
        ),
        "other_enterprises": list(m.other_enterprises.all()) if staff else [],
        "radar_tasks": tasks_of(scope, m),
        "merged_into": m.merged_into
        if m.merged_into_id and scope.contains(m.merged_into)
        else None,
    }
    if scope.can_manage and m.merged_into_id is None and m.status != Status.CLOSED:
        ctx["similar"] = figures.similar_of(scope, m)
        ctx["merge_sources"] = MERGE.sources
        f = figures.formulas()
        ctx["similar_formulas"] = [f["score"], f["duplicate"]]
    return ctx


@login_required
def similar_list(request: HttpRequest) -> HttpResponse:
    scope = _office(request)
    return render(
        request,
        "similar/list.html",
        {"pairs": figures.duplicate_pairs(scope), "formulas": figures.formulas()},
    )


@login_required
def radar_page(request: HttpRequest) -> HttpResponse:
    scope = _office(request)
    clusters = figures.radar(scope)
    rows = [
        (
            c,
            RadarTaskForm(
                scope,
                prefix=f"c{n}",
                initial={"title": f"{c.representative.title}（共性问题）"[:120]},
            ),
        )
        for n, c in enumerate(clusters)
    ]
    return render(request, "similar/radar.html", {"rows": rows, "formulas": figures.formulas()})


@login_required
@require_POST
def radar_task(request: HttpRequest) -> HttpResponse:
    scope = _office(request)
    prefix = request.POST.get("prefix", "")
    form = RadarTaskForm(scope, request.POST, prefix=prefix if _PREFIX.match(prefix) else None)
    if not form.is_valid():
        for field, errs in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for e in errs:
                messages.error(request, f"{label}：{e}" if label else e)
        return redirect("radar")
    d = form.cleaned_data
    data = {"title": d["title"], "lead_unit": d["lead_unit"], "raised_on": timezone.localdate()}
    if d.get("deadline"):
        data["deadline"] = d["deadline"]
    try:
        task, links = do_task_from_cluster(scope, request.POST.getlist("problems"), data)
    except ValidationError as e:
        for msgs in messages_of(e).values():
            for msg in msgs:
                messages.error(request, msg)
        return redirect("radar")
    messages.success(request, f"已发布督办任务「{task.title}」，关联{len(links)}个问题")
    return redirect("task_detail", pk=task.pk)


RADAR_COLUMNS = [
    Column("簇", "int", 6),
    Column("代表问题", "text", 30),
    Column("编号", "text", 12),
    Column("问题", "text", 30),
    Column("企业", "text", 24),
    Column("园区", "text", 16),
    Column("问题类别", "text", 10),
    Column("提出日期", "date", 12),
    Column("状态", "text", 9),
    Column("与代表问题相似度", "number", 10),
]


@login_required
def radar_export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The radar's clusters as a ledger (xlsx / CSV), one row per problem."""
    if fmt not in {"xlsx", "csv"}:
        raise Http404("不支持的导出格式")
    scope = _office(request)
    rows = []
    for n, c in enumerate(figures.radar(scope), start=1):
        for m in c.problems:
            e = m.enterprise
            rows.append(
                [
                    n,
                    c.representative.title,
                    m.number,
                    m.title,
                    e.name if e else "",
                    e.park.name if e and e.park_id else "",
                    m.category.name if m.category_id else "",
                    m.raised_on,
                    m.get_status_display(),
                    round(c.scores[m.pk], 2),
                ]
            )
    table = Table(
        title="问题雷达（共性问题）",
        columns=RADAR_COLUMNS,
        rows=rows,
        unit_name=scope.filler_name,
        as_of=timezone.localdate(),
        notes=[f"注：{figures.formulas()['radar']}"],
        sheet_name="问题雷达",
    )
    return download(table, fmt, "问题雷达")
