"""Evidence pack (问责佐证材料包): one .docx in official layout with the whole chain of a matter —
交办, every reminder and 督办单 with who was notified on which channel and when, extension
requests and decisions, each deadline with its working-day arithmetic, and the files.

This is what the office assembles by hand before a 约谈 or a 问责. Only the office (督查室,
admin) downloads it; every download is audited. Layout: ``taizhang.bulletins.docx``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from taizhang.attachments.models import Attachment
from taizhang.attachments.services import attachments_of
from taizhang.bulletins.docx import BulletinContent, Section, TableBlock, build_bulletin
from taizhang.core import audit
from taizhang.core.calendar import get_calendar
from taizhang.core.models import AuditEntry, Division, Unit
from taizhang.core.scope import Scope
from taizhang.lib.workdays import WorkCalendar
from taizhang.matters.models import Matter, MatterStep, Notification, NotificationKind, Reminder
from taizhang.matters.timing import timing_of
from taizhang.notify.models import Delivery

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
# A unit's pack lists at most this many matters: beyond it the office narrows the period.
UNIT_PACK_LIMIT = 60
EXTENSION_ACTIONS = {"request_extension", "approve_extension", "refuse_extension"}


@dataclass(frozen=True)
class EvidenceFile:
    body: bytes
    filename: str


def iso(d: dt.date) -> str:
    return d.isoformat()


def _local(t: dt.datetime) -> str:
    return timezone.localtime(t).strftime("%Y-%m-%d %H:%M")


def _md(d: dt.date) -> str:
    return f"{d.month}月{d.day}日"


def _ranges(days: list[dt.date]) -> list[tuple[dt.date, dt.date]]:
    out: list[tuple[dt.date, dt.date]] = []
    for d in days:
        if out and (d - out[-1][1]).days == 1:
            out[-1] = (out[-1][0], d)
        else:
            out.append((d, d))
    return out


def _span(a: dt.date, b: dt.date) -> str:
    return _md(a) if a == b else f"{_md(a)}—{_md(b)}"


def workday_arithmetic(cal: WorkCalendar, start: dt.date, end: dt.date, label: str) -> str:
    """ "交办 2022-09-28 + 5个工作日 = 2022-10-11（期间 10月1日—10月7日为节假日；10月8日调休上班）".

    Working days are counted as everywhere else (core.calendar: days in (start, end]).
    A run of days off is named a holiday unless it is an ordinary weekend (Saturday and
    Sunday only); a working Saturday or Sunday is named 调休上班.
    """
    n = cal.workdays_between(start, end).days
    text = f"{label} {iso(start)} + {n}个工作日 = {iso(end)}"
    if end <= start:
        return text
    days = cal.days(start + dt.timedelta(days=1), end)
    off = [d for d, work, _ in days if not work]
    holidays = [
        span
        for span in _ranges(off)
        if any(
            d.weekday() < 5
            for d in (span[0] + dt.timedelta(k) for k in range((span[1] - span[0]).days + 1))
        )
    ]
    swapped = [d for d, work, _ in days if work and d.weekday() >= 5]
    notes = []
    if holidays:
        notes.append("、".join(_span(a, b) for a, b in holidays) + "为节假日")
    if swapped:
        notes.append("、".join(_md(d) for d in swapped) + "调休上班")
    if not all(confirmed for _, _, confirmed in days):
        notes.append("含尚未公布放假安排的年份，按法定节假日推算")
    return text + (f"（期间 {'；'.join(notes)}）" if notes else "（期间除周末外无节假日）")


def _user_name(user: Any) -> str:
    if user is None:
        return "系统"
    name = user.get_full_name() or user.get_username()
    unit = getattr(getattr(user, "profile", None), "unit", None)
    return f"{name}（{unit.name}）" if unit is not None else name


def _step_actor(s: MatterStep) -> str:
    name = s.by_name or (_user_name(s.by) if s.by else "系统")
    return f"{s.by_unit.name} {name}" if s.by_unit else name


def _matter_head(m: Matter, today: dt.date) -> list[str]:
    t = timing_of(m, today)
    co = "、".join(u.name for u in m.co_units.all())
    lines = [
        f"事项编号：{m.number}；类型：{m.get_kind_display()}；来源：{m.get_source_display()}。",
        f"提出：{iso(m.raised_on)}"
        + (f"，{m.enterprise.name}" if m.enterprise else "")
        + (f"，{m.raised_by_name}" if m.raised_by_name else "")
        + "。",
        f"主办单位：{m.lead_unit.name if m.lead_unit else '未交办'}"
        + (f"；协办单位：{co}" if co else "")
        + (f"；责任领导：{m.leader.name}" if m.leader else "")
        + "。",
        f"当前状态：{m.get_status_display()}；办理时限：{iso(m.deadline) if m.deadline else '无'}"
        + (
            f"（首次时限 {iso(m.original_deadline)}）"
            if m.original_deadline and m.original_deadline != m.deadline
            else ""
        )
        + "。",
    ]
    if t.late_workdays:
        end = f"办结日 {iso(t.finished_on)}" if t.finished_on else f"{iso(today)}"
        lines.append(f"截至{end}逾期{t.late_workdays}个工作日。{t.unconfirmed_note}".strip())
    if m.description:
        lines.append(f"具体内容：{m.description}")
    return lines


def _assign_lines(steps: list[MatterStep], cal: WorkCalendar) -> list[str]:
    out = []
    for s in steps:
        if s.action != "assign":
            continue
        line = f"{iso(s.date)} 由{_step_actor(s)}交办"
        if s.deadline_after:
            line += f"，办理时限 {iso(s.deadline_after)}"
        out.append(line + (f"。{s.note}" if s.note else "。"))
        if s.deadline_after:
            out.append(workday_arithmetic(cal, s.date, s.deadline_after, "交办"))
    return out or ["尚未交办。"]


def _process_lines(steps: list[MatterStep], cal: WorkCalendar) -> list[str]:
    out = []
    for s in steps:
        if s.action == "assign" or s.action in EXTENSION_ACTIONS:
            continue
        line = f"{iso(s.date)} {s.label}（{_step_actor(s)}，记录于{_local(s.at)}）"
        if s.note:
            line += f"：{s.note}"
        out.append(line)
        if s.deadline_after and s.deadline_after != s.deadline_before:
            out.append(workday_arithmetic(cal, s.date, s.deadline_after, s.label))
    return out or ["无。"]


def _extension_lines(m: Matter, steps: list[MatterStep], cal: WorkCalendar) -> list[str]:
    out = []
    for s in steps:
        if s.action not in EXTENSION_ACTIONS:
            continue
        line = f"{iso(s.date)} {s.label}（{_step_actor(s)}）"
        if s.note:
            line += f"：{s.note}"
        out.append(line)
        if s.action == "approve_extension" and s.deadline_before and s.deadline_after:
            added = cal.workdays_between(s.deadline_before, s.deadline_after).days
            out.append(
                f"原时限 {iso(s.deadline_before)} 延至 {iso(s.deadline_after)}，"
                f"延长{added}个工作日；"
                + workday_arithmetic(cal, s.deadline_before, s.deadline_after, "原时限")
            )
    if m.pending_deadline:
        out.append(f"待决定：申请延期至 {iso(m.pending_deadline)}，理由：{m.pending_reason}")
    return out or ["无延期申请。"]


def _reminder_lines(reminders: Iterable[Reminder]) -> list[str]:
    out = []
    for r in reminders:
        kind = NotificationKind(r.kind).label if r.kind in NotificationKind.values else r.kind
        line = f"{iso(r.sent_on)} {kind}"
        if r.level:
            line += f"（{r.get_level_display()}）"
        line += f"，对应时限 {iso(r.deadline)}，通知{r.recipients}人"
        if r.by:
            line += f"，签发人 {_user_name(r.by)}"
        out.append(line + (f"；督办要求：{r.note}" if r.note else "") + "。")
    return out or ["无提醒和督办单记录。"]


def _notice_lines(notes: Iterable[Notification], deliveries: Iterable[Delivery]) -> list[str]:
    rows: list[tuple[dt.datetime, str]] = []
    for n in notes:
        kind = NotificationKind(n.kind).label if n.kind in NotificationKind.values else n.kind
        rows.append(
            (
                n.created_at,
                f"{_local(n.created_at)} 站内通知 {_user_name(n.user)}：{kind}「{n.title}」",
            )
        )
    for d in deliveries:
        who = _user_name(d.recipient) if d.recipient else "、".join(d.mobiles) or "群机器人"
        when = f"，送达 {_local(d.sent_at)}" if d.sent_at else ""
        rows.append(
            (
                d.created_at,
                f"{_local(d.created_at)} {d.channel.get_kind_display()}「{d.channel.name}」"
                f" {who}：「{d.title}」{d.get_status_display()}{when}（尝试{d.attempts}次）",
            )
        )
    rows.sort(key=lambda r: r[0])
    return [text for _, text in rows] or ["无通知送达记录。"]


def _files(m: Matter, steps: list[MatterStep]) -> TableBlock | None:
    files: list[Attachment] = list(attachments_of(m).order_by("uploaded_at", "id"))
    if not files:
        return None
    by_step = {s.pk: s.label for s in steps}
    return TableBlock(
        title="佐证材料",
        headers=("文件名", "办理环节", "上传人", "上传时间"),
        rows=[
            (
                a.original_name,
                by_step.get(a.step_id or 0, "—"),
                a.uploaded_by_name or _user_name(a.uploaded_by),
                _local(a.uploaded_at),
            )
            for a in files
        ],
        col_widths_mm=(62, 24, 34, 36),
        font_pt=12,
    )


def matter_section(m: Matter, today: dt.date, cal: WorkCalendar) -> Section:
    steps = list(m.steps.select_related("by", "by_unit", "by__profile__unit").order_by("at", "id"))
    reminders = m.reminders.select_related("by", "by__profile__unit").order_by(
        "sent_on", "at", "id"
    )
    notes = m.notifications.select_related("user", "user__profile__unit").order_by("created_at")
    deliveries = m.deliveries.select_related("channel", "recipient", "recipient__profile__unit")
    files = _files(m, steps)
    return Section(
        heading=f"{m.number} {m.title}",
        paragraphs=_matter_head(m, today),
        subsections=(
            Section("交办", paragraphs=_assign_lines(steps, cal)),
            Section("办理过程和时限", paragraphs=_process_lines(steps, cal)),
            Section("提醒和督办单", paragraphs=_reminder_lines(reminders)),
            Section("通知送达记录", paragraphs=_notice_lines(notes, deliveries)),
            Section("延期申请和决定", paragraphs=_extension_lines(m, steps, cal)),
            Section(
                "佐证材料",
                paragraphs=() if files else ("无上传的佐证材料。",),
                tables=(files,) if files else (),
            ),
        ),
    )


def _content(
    division: Division, title: str, preamble: list[str], sections: list[Section], today: dt.date
) -> bytes:
    district = division.district() or division
    return build_bulletin(
        BulletinContent(
            issuer_name=f"{district.name}督查室",
            doc_number="问责佐证材料",
            title=title,
            date=today,
            sections=sections,
            closing_office=f"{district.name}督查室",
            preamble=preamble,
        )
    )


def _require_office(scope: Scope) -> None:
    if not scope.can_manage:
        raise PermissionDenied("只有督查室和管理员可以下载问责佐证材料包")


def _today() -> dt.date:
    return timezone.localdate()


@transaction.atomic
def do_download_matter_pack(scope: Scope, pk: Any, *, today: dt.date | None = None) -> EvidenceFile:
    """The pack of one matter (404 outside scope, 403 for anyone but the office); audited."""
    m = scope.get(
        Matter.objects.select_related("lead_unit", "leader", "enterprise", "division", "task"), pk
    )
    _require_office(scope)
    today = today or _today()
    cal = get_calendar()
    body = _content(
        m.division,
        f"关于{m.title}的\n问责佐证材料",
        [f"本材料由台账系统于{iso(today)}按办理记录自动汇编，工作日按区工作日表计算。"],
        [matter_section(m, today, cal)],
        today,
    )
    audit.record(
        scope.actor,
        m,
        AuditEntry.Action.ACTION,
        verb="下载问责佐证材料包",
        division_path=m.division.path,
        extra={"文件": "佐证材料包.docx"},
    )
    return EvidenceFile(body, f"{m.number}-问责佐证材料.docx")


def unit_matters(scope: Scope, unit: Unit, start: dt.date, end: dt.date) -> QuerySet[Matter]:
    """Matters the unit leads whose deadline fell in [start, end] and that were not finished
    by it (still open, or finished late): the overdue ones of the period, in SQL."""
    return (
        scope.filter(Matter.objects.all())
        .filter(lead_unit=unit, deadline__gte=start, deadline__lte=end)
        .filter(Q(finished_on__isnull=True) | Q(finished_on__gt=F("deadline")))
        .select_related("lead_unit", "leader", "enterprise", "division", "task")
        .order_by("deadline", "id")
    )


@transaction.atomic
def do_download_unit_pack(
    scope: Scope, unit_pk: Any, start: dt.date, end: dt.date, *, today: dt.date | None = None
) -> EvidenceFile:
    """The packs of every matter of one unit overdue in the period, in one document."""
    try:
        unit = scope.units.get(pk=int(unit_pk))
    except (Unit.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404("未找到该单位，或您无权查看") from None
    _require_office(scope)
    if start > end:
        raise ValidationError({"from": ["起始日期不能晚于截止日期"]})
    if (end - start).days > 366:
        raise ValidationError({"to": ["期间不能超过一年"]})
    today = today or _today()
    cal = get_calendar()
    matters = list(unit_matters(scope, unit, start, end)[: UNIT_PACK_LIMIT + 1])
    more = len(matters) > UNIT_PACK_LIMIT
    matters = matters[:UNIT_PACK_LIMIT]
    preamble = [
        f"{unit.name}在{iso(start)}至{iso(end)}期间到期未按时办结的事项共{len(matters)}件"
        + ("（超过上限，仅列前60件，请缩短期间）" if more else "")
        + f"，本材料由台账系统于{iso(today)}按办理记录自动汇编。"
    ]
    sections = [matter_section(m, today, cal) for m in matters] or [
        Section("事项", paragraphs=("本期间无逾期事项。",))
    ]
    body = _content(
        unit.division,
        f"{unit.name}\n问责佐证材料（{iso(start)}至{iso(end)}）",
        preamble,
        sections,
        today,
    )
    audit.record(
        scope.actor,
        unit,
        AuditEntry.Action.ACTION,
        verb="下载问责佐证材料包",
        division_path=unit.division.path,
        extra={"期间": f"{iso(start)}至{iso(end)}", "事项数": len(matters)},
    )
    return EvidenceFile(body, f"{unit.name}-问责佐证材料-{iso(start)}至{iso(end)}.docx")
