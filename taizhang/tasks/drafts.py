"""From a work report to a task table: drafts the supervision office edits, then publishes.

A draft keeps the report's text and one row per target the extractor found (name,
target value, unit, comparator, offsets of the number) plus one row per qualitative
task under the report's numbered headings (parse_outline). Rows are edited, merged,
split, deleted and completed with lead unit, co-units, leader, deadline and reporting
cycle; publishing validates every selected row first and creates all tasks in one
transaction or none.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import tempfile
from collections import Counter
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from taizhang.core import audit
from taizhang.core.divisions import require_within
from taizhang.core.errors import as_date, invalid, messages_of
from taizhang.core.models import AuditEntry, Person, Unit
from taizhang.core.scope import Scope
from taizhang.lib.extract import ExtractInputError, extract, parse_outline, read_text_file
from taizhang.matters.models import Kind, Matter
from taizhang.tasks import services
from taizhang.tasks.models import Cycle, DraftRow, DraftRowKind, ReportDraft, TaskSource

ALLOWED_SUFFIXES = (".txt", ".docx", ".text")
EDITABLE = (
    "title",
    "heading",
    "target_value",
    "target_unit",
    "comparator",
    "lead_unit",
    "leader",
    "deadline",
    "cycle",
    "due_day",
)


def max_bytes() -> int:
    return settings.TAIZHANG["REPORT_MAX_BYTES"]


def _limit_text(n: int) -> str:
    return f"{n / 1024 / 1024:g} MB" if n >= 1024 * 1024 else f"{n} 字节"


def read_upload(upload: Any) -> str:
    """Text of an uploaded .txt (UTF-8 / GBK) or .docx; ValidationError with a Chinese message."""
    name = os.path.basename(getattr(upload, "name", "") or "报告.txt")
    limit = max_bytes()
    if upload.size > limit:
        raise invalid("file", f"文件过大：{name} 超过 {_limit_text(limit)} 的限制")
    if upload.size == 0:
        raise invalid("file", f"文件为空：{name}")
    suffix = os.path.splitext(name)[1].lower()
    if suffix not in ALLOWED_SUFFIXES:
        raise invalid("file", f"不支持的文件类型「{suffix or name}」：请上传 .txt 或 .docx 文件")
    fd, path = tempfile.mkstemp(suffix=suffix)
    try:
        with os.fdopen(fd, "wb") as fh:
            for chunk in upload.chunks():
                fh.write(chunk)
        try:
            return read_text_file(path, max_bytes=limit)
        except ExtractInputError as e:
            raise invalid("file", str(e).replace(os.path.basename(path), name)) from None
    finally:
        os.unlink(path)


def check_text(text: str | None) -> str:
    text = (text or "").replace("\x00", "")
    if not text.strip():
        raise invalid("text", "报告内容为空：请粘贴报告全文或上传 .txt / .docx 文件")
    if len(text.encode("utf-8")) > max_bytes():
        raise invalid("text", f"报告内容过大：超过 {_limit_text(max_bytes())} 的限制")
    return text


def guess_year(text: str) -> int | None:
    periods = Counter(i.period for i in extract(text) if i.kind == "target" and i.period)
    return periods.most_common(1)[0][0] if periods else None


def rows_from_text(text: str, year: int | None) -> list[dict[str, Any]]:
    """Draft rows: every target indicator, then every outline task (both in text order).

    A text with no target at all (a news item, a review) still yields its indicators:
    they become rows too, so the office has something to start from.
    """
    items = extract(text, year=year)
    targets = [i for i in items if i.kind == "target"] or items
    # A forecast quoted in the review ("预计年产值15亿元") is not a target the government
    # sets for the year: when the report names the year's targets, keep only those.
    year = year or guess_year(text)
    in_year = [i for i in targets if i.period == year]
    if year is not None and in_year:
        targets = in_year
    rows: list[dict[str, Any]] = []
    for i in targets:
        rows.append(
            {
                "kind": DraftRowKind.TARGET,
                "title": i.name[:120] or i.sentence[:40],
                "target_value": Decimal(str(i.value)),
                "target_unit": i.unit[:20],
                "comparator": i.comparator if i.comparator != "=" else ">=",
                "sentence": i.sentence,
                "start": i.start,
                "end": i.end,
            }
        )
    for o in parse_outline(text):
        rows.append(
            {
                "kind": DraftRowKind.TASK,
                "title": o.title[:120],
                "heading": o.heading[:200],
                "sentence": o.sentence,
                "start": o.start,
                "end": o.end,
            }
        )
    return rows


def _require(scope: Scope, draft: ReportDraft | None = None) -> None:
    if not scope.can_manage:
        raise PermissionDenied("只有督查室可以编辑任务分解草稿")
    if draft is not None and not scope.contains(draft):
        raise PermissionDenied("该草稿不在您的管辖范围内")


def _touch(scope: Scope, draft: ReportDraft, verb: str, extra: dict | None = None) -> None:
    ReportDraft.objects.filter(pk=draft.pk).update(updated_at=timezone.now())
    audit.record(
        scope.actor,
        draft,
        AuditEntry.Action.ACTION,
        verb=verb,
        division_path=draft.division.path,
        extra=extra,
    )


@transaction.atomic
def do_create_draft(
    scope: Scope, *, text: str, title: str = "", year: Any = None, division: Any = None
) -> ReportDraft:
    _require(scope)
    text = check_text(text)
    division = division or scope.division
    if division is None or not scope.divisions.filter(pk=division.pk).exists():
        raise invalid("division", "请选择草稿所属区划")
    try:
        year = int(year) if year not in (None, "") else None
    except (TypeError, ValueError):
        raise invalid("year", f"年度「{year}」无效") from None
    if year is not None and not 2000 <= year <= 2100:
        raise invalid("year", f"年度「{year}」无效")
    year = year or guess_year(text) or timezone.localdate().year
    first_line = next((ln.strip() for ln in text.splitlines() if ln.strip()), "")
    title = (title or "").strip() or first_line[:60] or f"{year}年政府工作报告"
    draft = ReportDraft.objects.create(
        division=division, title=title[:120], year=year, text=text, created_by=scope.actor
    )
    deadline = dt.date(year, 12, 31)
    DraftRow.objects.bulk_create(
        [
            DraftRow(draft=draft, order=n, deadline=deadline, **row)
            for n, row in enumerate(rows_from_text(text, year), 1)
        ]
    )
    audit.record(
        scope.actor,
        draft,
        AuditEntry.Action.CREATE,
        after={"名称": draft.title, "年度": year, "行数": draft.rows.count()},
        verb="新建任务分解草稿",
        division_path=division.path,
    )
    return draft


@transaction.atomic
def do_set_year(scope: Scope, draft: ReportDraft, *, title: str, year: int) -> int:
    """Rename the draft or change its target year; rows still on the old year-end move along."""
    _require(scope, draft)
    old = draft.year
    draft.title, draft.year = title[:120], year
    draft.save(update_fields=["title", "year"])
    moved = 0
    if year != old:
        moved = DraftRow.objects.filter(
            draft=draft, published__isnull=True, deadline=dt.date(old, 12, 31)
        ).update(deadline=dt.date(year, 12, 31))
    _touch(scope, draft, "修改草稿名称和年度", {"年度": year, "调整时限行数": moved})
    return moved


LABELS = {"lead_unit": "牵头单位", "co_units": "配合单位", "leader": "责任领导"}


def _ref(model, value: Any, draft: ReportDraft, field: str):
    """A unit or person by pk, inside the draft's district (the one division rule)."""
    if value in (None, ""):
        return None
    if isinstance(value, model):
        value = value.pk
    found = model.objects.filter(pk=value).first() if str(value).isdigit() else None
    if found is None:
        raise invalid(field, f"{LABELS[field]}「{value}」不存在")
    require_within(draft.division, found, field, LABELS[field])
    return found


def _apply(row: DraftRow, data: dict[str, Any], draft: ReportDraft) -> None:
    """Set the given fields on a row (unknown keys ignored); raises ValidationError."""
    if "title" in data:
        title = str(data["title"] or "").strip()
        if not title:
            raise invalid("title", "任务名称不能为空")
        row.title = title[:120]
    if "heading" in data:
        row.heading = str(data["heading"] or "").strip()[:200]
    if "target_value" in data:
        row.target_value = services.decimal_or_none(data["target_value"], "target_value", "目标值")
        if row.target_value is not None and row.kind == DraftRowKind.TASK:
            row.kind = DraftRowKind.TARGET
    if "target_unit" in data:
        row.target_unit = str(data["target_unit"] or "").strip()[:20]
    if "comparator" in data:
        row.comparator = services.comparator_of(data["comparator"])
    if "lead_unit" in data:
        row.lead_unit = _ref(Unit, data["lead_unit"], draft, "lead_unit")
    if "leader" in data:
        row.leader = _ref(Person, data["leader"], draft, "leader")
    if "deadline" in data:
        row.deadline = as_date(data["deadline"], "deadline", "完成时限", required=False)
    if "cycle" in data and data["cycle"] not in (None, ""):
        cycle = services.CYCLE_BY_LABEL.get(str(data["cycle"]).strip())
        if cycle is None:
            raise invalid("cycle", f"报送周期「{data['cycle']}」无效")
        row.cycle = cycle
    if "due_day" in data and data["due_day"] not in (None, ""):
        try:
            due_day = int(data["due_day"])
            if not 1 <= due_day <= 31:
                raise ValueError
        except (TypeError, ValueError):
            raise invalid("due_day", f"报送截止日「{data['due_day']}」无效，应为1至31") from None
        row.due_day = due_day


def _set_co_units(row: DraftRow, value: Any, draft: ReportDraft) -> None:
    units = [_ref(Unit, u, draft, "co_units") for u in value or [] if u]
    row.co_units.set([u for u in units if u and u.pk != row.lead_unit_id])


@transaction.atomic
def do_update_row(scope: Scope, row: DraftRow, data: dict[str, Any]) -> DraftRow:
    draft = row.draft
    _require(scope, draft)
    if row.published_id:
        raise invalid(None, "该行已发布为任务，不能再修改")
    _apply(row, data, draft)
    row.save()
    if "co_units" in data:
        _set_co_units(row, data["co_units"], draft)
    ReportDraft.objects.filter(pk=draft.pk).update(updated_at=timezone.now())
    return row


def _rows(draft: ReportDraft, ids: Any) -> list[DraftRow]:
    wanted = {int(i) for i in ids or [] if str(i).isdigit()}
    rows = [r for r in draft.rows.all() if r.pk in wanted]
    if not rows:
        raise invalid("rows", "请先勾选草稿行")
    return rows


def _renumber(draft: ReportDraft) -> None:
    for n, row in enumerate(draft.rows.order_by("order", "id"), 1):
        if row.order != n:
            DraftRow.objects.filter(pk=row.pk).update(order=n)


@transaction.atomic
def do_bulk_set(scope: Scope, draft: ReportDraft, ids: Any, data: dict[str, Any]) -> int:
    """Set lead unit, co-units, leader, deadline, cycle or due day on every selected row."""
    _require(scope, draft)
    data = {k: v for k, v in data.items() if v not in (None, "", [])}
    if not data:
        raise invalid(None, "请填写要批量设置的内容")
    rows = [r for r in _rows(draft, ids) if not r.published_id]
    for row in rows:
        _apply(row, data, draft)
        row.save()
        if "co_units" in data:
            _set_co_units(row, data["co_units"], draft)
    _touch(scope, draft, "批量设置草稿行", {"行数": len(rows), "字段": "、".join(data)})
    return len(rows)


@transaction.atomic
def do_merge_rows(scope: Scope, draft: ReportDraft, ids: Any) -> DraftRow:
    _require(scope, draft)
    rows = sorted(_rows(draft, ids), key=lambda r: (r.order, r.pk))
    if len(rows) < 2:
        raise invalid("rows", "合并需要勾选至少两行")
    if any(r.published_id for r in rows):
        raise invalid("rows", "已发布的行不能合并")
    first, rest = rows[0], rows[1:]
    first.title = "；".join(dict.fromkeys(r.title for r in rows))[:120]
    first.sentence = "".join(dict.fromkeys(r.sentence for r in rows if r.sentence))
    spans = [r for r in rows if r.start is not None]
    if spans:
        first.start = min(r.start for r in spans)
        first.end = max(r.end for r in spans)
    if first.target_value is None:
        donor = next((r for r in rest if r.target_value is not None), None)
        if donor is not None:
            first.kind = DraftRowKind.TARGET
            first.target_value, first.target_unit = donor.target_value, donor.target_unit
            first.comparator = donor.comparator
    first.lead_unit = first.lead_unit or next((r.lead_unit for r in rest if r.lead_unit), None)
    first.leader = first.leader or next((r.leader for r in rest if r.leader), None)
    first.save()
    co = {u.pk for r in rows for u in r.co_units.all()} - {first.lead_unit_id}
    first.co_units.set(co)
    DraftRow.objects.filter(pk__in=[r.pk for r in rest]).delete()
    _renumber(draft)
    _touch(scope, draft, "合并草稿行", {"合并为": first.title})
    return first


_SPLIT_RE = re.compile(r"[；;、，,]")


@transaction.atomic
def do_split_row(scope: Scope, row: DraftRow, parts: Any = None) -> list[DraftRow]:
    """Split a row into several: the given names (｜ or new lines between), else at 、，；."""
    draft = row.draft
    _require(scope, draft)
    if row.published_id:
        raise invalid(None, "已发布的行不能拆分")
    if isinstance(parts, str):
        parts = re.split(r"[｜|\n]", parts)
    names = [p.strip() for p in parts or [] if p and p.strip()]
    if not names:
        names = [p.strip() for p in _SPLIT_RE.split(row.title) if p.strip()]
    if len(names) < 2:
        raise invalid("parts", "无法自动拆分：请填写拆分后的名称，用“｜”分隔")
    co = list(row.co_units.all())
    DraftRow.objects.filter(draft=draft, order__gt=row.order).update(order=F("order") + len(names))
    row.title = names[0][:120]
    row.save()
    out = [row]
    for n, name in enumerate(names[1:], 1):
        twin = DraftRow.objects.get(pk=row.pk)
        twin.pk = None
        twin.id = None
        twin.title = name[:120]
        twin.order = row.order + n
        twin.save()
        twin.co_units.set(co)
        out.append(twin)
    _renumber(draft)
    _touch(scope, draft, "拆分草稿行", {"拆分为": "｜".join(names)})
    return out


@transaction.atomic
def do_delete_rows(scope: Scope, draft: ReportDraft, ids: Any) -> int:
    _require(scope, draft)
    rows = _rows(draft, ids)
    if any(r.published_id for r in rows):
        raise invalid("rows", "已发布的行不能删除")
    DraftRow.objects.filter(pk__in=[r.pk for r in rows]).delete()
    _renumber(draft)
    _touch(scope, draft, "删除草稿行", {"行数": len(rows)})
    return len(rows)


def _row_data(row: DraftRow, draft: ReportDraft) -> dict[str, Any]:
    return {
        "division": draft.division,
        "title": row.title,
        "task_source": TaskSource.WORK_REPORT,
        "year": draft.year,
        "lead_unit": row.lead_unit,
        "co_units": list(row.co_units.all()),
        "leader": row.leader,
        "deadline": row.deadline,
        "cycle": row.cycle or Cycle.MONTHLY,
        "due_day": row.due_day,
        "target_value": row.target_value,
        "target_unit": row.target_unit,
        "comparator": row.comparator if row.target_value is not None else "",
        "source_sentence": row.sentence,
        "description": f"{row.heading}" if row.heading and row.heading != row.title else "",
    }


def do_publish_draft(scope: Scope, draft: ReportDraft, ids: Any) -> list[Matter]:
    """Publish the selected rows as supervision tasks: every row checked first, then all or none."""
    _require(scope, draft)
    rows = sorted(_rows(draft, ids), key=lambda r: (r.order, r.pk))
    errors: list[str] = []
    for row in rows:
        if row.published_id:
            errors.append(f"第{row.order}行（{row.title}）：已发布，不能重复发布")
            continue
        try:
            services.clean_task_data(scope, _row_data(row, draft), Kind.SUPERVISION_TASK)
        except ValidationError as e:
            for msgs in messages_of(e).values():
                errors.extend(f"第{row.order}行（{row.title}）：{m}" for m in msgs)
    if errors:
        raise ValidationError({"rows": errors})
    out: list[Matter] = []
    with transaction.atomic():
        for row in rows:
            try:
                m = services.do_create_task(scope, _row_data(row, draft))
            except ValidationError as e:
                msgs = [m for ms in messages_of(e).values() for m in ms]
                raise ValidationError(
                    {"rows": [f"第{row.order}行（{row.title}）：{m}" for m in msgs]}
                ) from None
            DraftRow.objects.filter(pk=row.pk).update(published=m)
            out.append(m)
        _touch(scope, draft, "发布督办任务", {"发布任务数": len(out)})
    return out
