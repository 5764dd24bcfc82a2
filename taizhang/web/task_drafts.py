"""Web pages for turning a work report into tasks: paste or upload → draft table → publish."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from taizhang.core.errors import messages_of
from taizhang.core.scope import scope_of
from taizhang.tasks import drafts
from taizhang.tasks.models import Comparator, Cycle, DraftRow, ReportDraft
from taizhang.web.common import flash_errors
from taizhang.web.forms.widgets import picked
from taizhang.web.measures import draft_rows_context

SENTENCE_ENDS = "。；;！？!?\n"


def highlight(text: str, start: int | None, end: int | None) -> tuple[str, str, str]:
    """(before, highlighted, after) around text[start:end], cut at sentence boundaries."""
    if start is None or end is None or not 0 <= start <= end <= len(text):
        return "", "", ""
    a = max((text.rfind(c, max(0, start - 160), start) for c in SENTENCE_ENDS), default=-1) + 1
    a = max(a, start - 160)
    ends = [i for c in SENTENCE_ENDS if (i := text.find(c, end, end + 200)) >= 0]
    b = min(ends) + 1 if ends else min(len(text), end + 200)
    hit = text[start:end]
    if len(hit) > 240:
        hit = hit[:240] + "…"
    return text[a:start].lstrip(), hit, text[end:b].rstrip()


def _require(request: HttpRequest):
    scope = scope_of(request)
    if not scope.can_manage:
        raise PermissionDenied("只有督查室可以分解政府工作报告")
    return scope


def _draft(request: HttpRequest, pk: int):
    """The draft first, so another district's draft is 404 whoever asks; then the role (403)."""
    draft = scope_of(request).get(ReportDraft.objects.select_related("division"), pk)
    return _require(request), draft


@login_required
def draft_list(request: HttpRequest) -> HttpResponse:
    scope = _require(request)
    form = {"title": "", "year": "", "text": ""}
    if request.method == "POST":
        form = {k: request.POST.get(k, "") for k in form}
        try:
            upload = request.FILES.get("file")
            text = drafts.read_upload(upload) if upload else form["text"]
            draft = drafts.do_create_draft(scope, text=text, title=form["title"], year=form["year"])
            messages.success(
                request,
                f"已生成任务分解草稿：{draft.rows.filter(kind='target').count()}项量化指标，"
                f"{draft.rows.filter(kind='task').count()}项重点任务",
            )
            return redirect("draft_detail", pk=draft.pk)
        except ValidationError as e:
            flash_errors(request, e)
    rows = scope.filter(ReportDraft.objects.all()).select_related("division", "created_by")
    return render(
        request,
        "tasks/drafts.html",
        {
            "drafts": rows[:100],
            "form": form,
            "mode": "drafts",
            "max_mb": drafts.max_bytes() / 1024 / 1024,
        },
    )


@login_required
def draft_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scope, draft = _draft(request, pk)
    if request.method == "POST":
        try:
            y = request.POST.get("year", "")
            title = (request.POST.get("title") or "").strip()
            if not title:
                raise ValidationError("草稿名称不能为空")
            if not (y.isdigit() and 2000 <= int(y) <= 2100):
                raise ValidationError(f"年度「{y}」无效")
            moved = drafts.do_set_year(scope, draft, title=title, year=int(y))
            messages.success(
                request,
                "已保存草稿名称和年度" + (f"，{moved}行的完成时限随年度调整" if moved else ""),
            )
        except ValidationError as e:
            flash_errors(request, e)
        return redirect("draft_detail", pk=draft.pk)
    rows = list(
        draft.rows.select_related("lead_unit", "leader", "published").prefetch_related("co_units")
    )
    draft_rows_context(rows)  # measures: each target's confirmed or proposed ledger measure
    return render(
        request,
        "tasks/draft.html",
        {
            "draft": draft,
            "rows": [
                (r, highlight(draft.text, r.start, r.end), {u.pk for u in r.co_units.all()})
                for r in rows
            ],
            "cycles": Cycle.choices,
            "comparators": Comparator.choices,
            "open_rows": sum(1 for r in rows if not r.published_id),
            "mode": "drafts",
        },
    )


def _row_data(p) -> dict:
    data = {k: p.get(k) for k in drafts.EDITABLE if k in p}
    if "co_units_present" in p:
        data["co_units"] = picked(p, "co_units", multiple=True)
    return data


@login_required
@require_POST
def draft_row(request: HttpRequest, pk: int, rid: int) -> HttpResponse:
    scope, draft = _draft(request, pk)
    row = scope.get(DraftRow.objects.filter(draft=draft).select_related("draft__division"), rid)
    op = request.POST.get("op", "save")
    try:
        if op == "split":
            parts = drafts.do_split_row(scope, row, request.POST.get("parts", ""))
            messages.success(request, f"已将第{row.order}行拆分为{len(parts)}行")
        else:
            drafts.do_update_row(scope, row, _row_data(request.POST))
            messages.success(request, f"已保存第{row.order}行")
    except ValidationError as e:
        for msgs in messages_of(e).values():
            for m in msgs:
                messages.error(request, f"第{row.order}行：{m}")
    return redirect(reverse("draft_detail", args=[draft.pk]) + f"#row-{row.pk}")


@login_required
@require_POST
def draft_bulk(request: HttpRequest, pk: int) -> HttpResponse:
    scope, draft = _draft(request, pk)
    p = request.POST
    ids = p.getlist("ids")
    op = p.get("op", "")
    try:
        if op == "set":
            data = {
                k: p.get(f"bulk_{k}")
                for k in ("lead_unit", "leader", "deadline", "cycle", "due_day")
            }
            data["co_units"] = picked(p, "bulk_co_units", multiple=True)
            n = drafts.do_bulk_set(scope, draft, ids, data)
            messages.success(request, f"已为{n}行批量设置")
        elif op == "merge":
            row = drafts.do_merge_rows(scope, draft, ids)
            messages.success(request, f"已合并为第{row.order}行「{row.title}」")
        elif op == "delete":
            n = drafts.do_delete_rows(scope, draft, ids)
            messages.success(request, f"已删除{n}行")
        elif op == "publish":
            tasks = drafts.do_publish_draft(scope, draft, ids)
            messages.success(request, f"已发布{len(tasks)}项督办任务并交办牵头单位")
        else:
            messages.error(request, "未知的操作")
    except ValidationError as e:
        flash_errors(request, e)
    return redirect("draft_detail", pk=draft.pk)
