"""Every change to a supervision task, suggestion or proposal: do_* functions, atomic and audited.

The workflow steps (交办, 延期, 退回, 评价, 销号) are the matters ones; this module adds
creating a task with its task fields, periodic progress reports (进度报送), 办结 with
evidence and 督办单 issued by hand. Their table is registered in tasks/steps.py.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from decimal import Decimal, InvalidOperation
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from taizhang.core import audit
from taizhang.core.divisions import require_within
from taizhang.core.errors import invalid
from taizhang.core.models import AuditEntry, Division, Person, Unit
from taizhang.core.scope import Scope
from taizhang.lib.periods import PeriodLabelError, normalize_label
from taizhang.lib.task_lights import CYCLES, period_end, report_schedule
from taizhang.matters import services as ms
from taizhang.matters.models import (
    Kind,
    Matter,
    MatterStep,
    NoticeLevel,
    NotificationKind,
    Reminder,
    Status,
)
from taizhang.matters.steps import StepResult
from taizhang.tasks.models import Comparator, Cycle, TaskDetail, TaskReport, TaskSource
from taizhang.tasks.notices import send_notice
from taizhang.tasks.status import schedule_of

KIND_SOURCE = {Kind.SUGGESTION: TaskSource.SUGGESTION, Kind.PROPOSAL: TaskSource.PROPOSAL}
NUMBER_WORD = {Kind.SUGGESTION: "建议", Kind.PROPOSAL: "提案"}
SOURCE_BY_LABEL = {str(s.label): s.value for s in TaskSource} | {
    s.value: s.value for s in TaskSource
}
CYCLE_BY_LABEL = {str(c.label): c.value for c in Cycle} | {c.value: c.value for c in Cycle}
COMPARATOR_ALIASES = {
    ">=": ">=", "≥": ">=", "以上": ">=", "不低于": ">=", "不少于": ">=",
    ">": ">", "超过": ">", "突破": ">",
    "=": "=", "达到": "=", "完成": "=",
    "≈": "≈", "左右": "≈", "约": "≈",
    "<=": "<=", "≤": "<=", "以内": "<=", "以下": "<=", "不超过": "<=", "控制在": "<=",
    "<": "<", "低于": "<",
}  # fmt: skip


def decimal_or_none(value: Any, field: str, label: str) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        d = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, ValueError):
        raise invalid(field, f"{label}必须是数字，收到「{value}」") from None
    if not d.is_finite() or abs(d) >= Decimal("1e14"):
        raise invalid(field, f"{label}数值不合理：{value}")
    return d


def comparator_of(value: Any) -> str:
    text = str(value or "").strip()
    if not text:
        return ""
    if text in Comparator.values:
        return text
    found = COMPARATOR_ALIASES.get(text)
    if found is None:
        raise invalid("comparator", f"比较方式「{text}」无效，应为 ≥、>、=、≈、≤、<")
    return found


def _unit(value: Any, field: str, label: str) -> Unit | None:
    if value in (None, ""):
        return None
    if isinstance(value, Unit):
        return value
    found = Unit.objects.filter(pk=value).first() if str(value).isdigit() else None
    if found is None:
        raise invalid(field, f"{label}「{value}」不存在")
    return found


def _person(value: Any) -> Person | None:
    if value in (None, ""):
        return None
    if isinstance(value, Person):
        return value
    found = Person.objects.filter(pk=value).first() if str(value).isdigit() else None
    if found is None:
        raise invalid("leader", f"责任领导「{value}」不存在")
    return found


def _errors(e: ValidationError) -> dict[str, list[str]]:
    from taizhang.core.errors import messages_of

    return messages_of(e)


# Creating ----------------------------------------------------------------------


def clean_task_data(scope: Scope, data: dict[str, Any], kind: str) -> dict[str, Any]:
    """Validated task fields, or ValidationError with every problem at once (field → messages)."""
    errors: dict[str, list[str]] = {}

    def check(field: str, fn):
        try:
            return fn()
        except ValidationError as e:
            for k, msgs in _errors(e).items():
                errors.setdefault(field if k == "__all__" else k, []).extend(msgs)
            return None

    out: dict[str, Any] = {}
    division = data.get("division") or scope.division
    if isinstance(division, str | int) and not isinstance(division, Division):
        division = scope.divisions.filter(pk=division).first() if str(division).isdigit() else None
    if division is None or not scope.divisions.filter(pk=division.pk).exists():
        errors["division"] = ["请选择任务所属区划（在您的管辖范围内）"]
    out["division"] = division
    title = str(data.get("title") or "").strip()
    if not title:
        errors["title"] = ["请填写任务名称"]
    elif len(title) > 120:
        errors["title"] = ["任务名称不能超过120字"]
    out["title"] = title
    out["description"] = str(data.get("description") or "").strip()
    source = KIND_SOURCE.get(kind) or SOURCE_BY_LABEL.get(
        str(data.get("task_source") or TaskSource.OTHER).strip()
    )
    if source is None:
        errors["task_source"] = [f"任务来源「{data.get('task_source')}」无效"]
    out["task_source"] = source
    today = timezone.localdate()
    day = check("raised_on", lambda: ms.as_date(data.get("raised_on"), "raised_on", "发布日期", required=False)) or today  # fmt: skip
    if day > today:
        errors["raised_on"] = ["发布日期不能晚于今天"]
    out["raised_on"] = day
    year = data.get("year") or (
        data["deadline"].year if isinstance(data.get("deadline"), dt.date) else day.year
    )
    try:
        year = int(year)
        if not 2000 <= year <= 2100:
            raise ValueError
    except (TypeError, ValueError):
        errors["year"] = [f"年度「{data.get('year')}」无效"]
        year = day.year
    out["year"] = year
    deadline = check("deadline", lambda: ms.as_date(data.get("deadline"), "deadline", "完成时限", required=False))  # fmt: skip
    if deadline is None and "deadline" not in errors:
        deadline = dt.date(year, 12, 31)
    if deadline is not None and deadline < day:
        errors["deadline"] = [f"完成时限（{deadline:%Y-%m-%d}）不能早于发布日期（{day:%Y-%m-%d}）"]
    out["deadline"] = deadline
    lead = check("lead_unit", lambda: _unit(data.get("lead_unit"), "lead_unit", "牵头单位"))
    if lead is None and "lead_unit" not in errors:
        errors["lead_unit"] = ["请选择牵头单位"]
    out["lead_unit"] = lead
    cos = []
    for u in data.get("co_units") or []:
        found = check("co_units", lambda u=u: _unit(u, "co_units", "配合单位"))
        if found is not None and (lead is None or found.pk != lead.pk):
            cos.append(found)
    out["co_units"] = cos
    out["leader"] = check("leader", lambda: _person(data.get("leader")))
    if isinstance(division, Division):
        # A task is handled inside its district: another district's unit may not take it.
        inside = [("lead_unit", "牵头单位", lead), ("leader", "责任领导", out["leader"])]
        inside += [("co_units", "配合单位", u) for u in cos]
        for field, label, obj in inside:
            if obj is not None:
                check(field, partial(require_within, division, obj, field, label))
    default_cycle = Cycle.NONE if kind in KIND_SOURCE else Cycle.MONTHLY
    cycle = CYCLE_BY_LABEL.get(str(data.get("cycle") or default_cycle).strip())
    if cycle is None or cycle not in CYCLES:
        errors["cycle"] = [f"报送周期「{data.get('cycle')}」无效，应为每月、每季度或不定期"]
    out["cycle"] = cycle
    try:
        due_day = int(data.get("due_day") or 25)
        if not 1 <= due_day <= 31:
            raise ValueError
    except (TypeError, ValueError):
        errors["due_day"] = [f"报送截止日「{data.get('due_day')}」无效，应为1至31"]
        due_day = 25
    out["due_day"] = due_day
    value = check("target_value", lambda: decimal_or_none(data.get("target_value"), "target_value", "目标值"))  # fmt: skip
    comparator = check("comparator", lambda: comparator_of(data.get("comparator"))) or ""
    if value is not None and not comparator:
        comparator = ">="
    if value is None and comparator and "target_value" not in errors:
        errors["target_value"] = ["设置了比较方式的任务需要填写目标值"]
    out["target_value"], out["comparator"] = value, comparator
    out["target_unit"] = str(data.get("target_unit") or "").strip()[:20]
    out["source_sentence"] = str(data.get("source_sentence") or "").strip()
    out["doc_number"] = str(data.get("doc_number") or "").strip()[:40]
    out["proposer"] = str(data.get("proposer") or "").strip()[:60]
    serial = data.get("serial")
    if serial not in (None, ""):
        try:
            serial = int(serial)
            if serial < 1:
                raise ValueError
        except (TypeError, ValueError):
            errors["serial"] = [f"编号「{serial}」无效"]
            serial = None
    out["serial"] = serial or None
    if errors:
        raise ValidationError(errors)
    return out


def new_task(
    scope: Scope, c: dict[str, Any], kind: str, *, is_synthetic: bool = False
) -> tuple[Matter, TaskDetail]:
    """The unsaved Matter and TaskDetail of a task cleaned by clean_task_data, with its
    suggestion / proposal serial settled (the next free one, or the given one if free).
    do_create_task saves them; the demo's history writes many at once."""
    serial, number = c["serial"], c["doc_number"]
    if kind in KIND_SOURCE:
        if serial is None:
            top = TaskDetail.objects.filter(
                matter__kind=kind, matter__division=c["division"], year=c["year"]
            ).aggregate(n=Max("serial"))["n"]
            serial = (top or 0) + 1
        elif TaskDetail.objects.filter(
            matter__kind=kind, matter__division=c["division"], year=c["year"], serial=serial
        ).exists():
            raise invalid("serial", f"{c['year']}年{NUMBER_WORD[kind]}第{serial}号已存在")
        number = number or f"{NUMBER_WORD[kind]}第{serial}号"
    m = Matter(
        kind=kind,
        division=c["division"],
        title=c["title"],
        description=c["description"],
        raised_on=c["raised_on"],
        raised_by=scope.actor,
        raised_by_name=(c["proposer"] or scope.actor_name)[:60],
        is_synthetic=is_synthetic,
    )
    detail = TaskDetail(
        task_source=c["task_source"],
        year=c["year"],
        serial=serial,
        doc_number=number,
        proposer=c["proposer"],
        target_value=c["target_value"],
        target_unit=c["target_unit"],
        comparator=c["comparator"],
        cycle=c["cycle"],
        due_day=c["due_day"],
        start=c["raised_on"],
        source_sentence=c["source_sentence"],
    )
    return m, detail


@transaction.atomic
def do_create_task(
    scope: Scope,
    data: dict[str, Any],
    *,
    kind: str = Kind.SUPERVISION_TASK,
    is_synthetic: bool = False,
) -> Matter:
    """Publish a task (or a suggestion / proposal) already assigned to its lead unit (已交办)."""
    scope.require_manage()
    if kind not in (Kind.SUPERVISION_TASK, *KIND_SOURCE):
        raise invalid("kind", f"不支持的事项类型：{kind}")
    c = clean_task_data(scope, data, kind)
    m, detail = new_task(scope, c, kind, is_synthetic=is_synthetic)
    m.save()
    detail.matter = m
    detail.save()
    MatterStep.objects.create(
        matter=m,
        action="submit",
        label="立项",
        to_status=Status.SUBMITTED,
        date=m.raised_on,
        by=scope.actor,
        by_name=scope.actor_name,
        note=(c["source_sentence"] or c["description"])[:500],
    )
    audit.record(
        scope.actor,
        m,
        AuditEntry.Action.CREATE,
        after={**audit.snapshot(m), **audit.snapshot(detail)},
        verb=f"发布{Kind(kind).label}",
        division_path=m.division.path,
    )
    m = ms.do_accept(
        scope, m, expected_version=m.version, date=m.raised_on, note="督查室立项"
    ).matter
    ms.do_assign(
        scope,
        m,
        lead_unit=c["lead_unit"],
        co_units=c["co_units"],
        deadline=c["deadline"],
        leader=c["leader"],
        expected_version=m.version,
        date=m.raised_on,
    )
    return Matter.objects.select_related("division", "lead_unit", "leader", "task").get(pk=m.pk)


# Progress reports ----------------------------------------------------------------


def reportable_periods(m: Matter, today: dt.date) -> list:
    """Periods the lead unit may report now: every scheduled period that has begun."""
    out = []
    for p in schedule_of(m):
        end = period_end(p.label)
        months = 3 if "Q" in p.label else 1
        if dt.date(end.year, end.month - months + 1, 1) <= today:
            out.append(p)
    return out


def do_submit_progress(
    scope: Scope,
    matter: Matter,
    *,
    period: str,
    text: str,
    actual_value: Decimal | str | None = None,
    evidence: str = "",
    expected_version: int | None,
    date: dt.date | None = None,
) -> StepResult:
    """进度报送 by the lead unit (action code "submit_report"); the TaskReport is in
    `StepResult.created`. A second report for the same period corrects the first (audited)."""
    text = (text or "").strip()
    if not text:
        raise invalid("text", "请填写进展情况")
    period = (period or "").strip()
    with contextlib.suppress(PeriodLabelError):  # "2024-Q1" is read as 2024Q1
        period = normalize_label(period)
    value = decimal_or_none(actual_value, "actual_value", "实际值")

    def apply(m: Matter, day: dt.date) -> ms.Change:
        detail = TaskDetail.objects.select_for_update().get(matter=m)
        periods = {p.label: p for p in reportable_periods(m, day)}
        if detail.cycle == Cycle.NONE and period:
            periods.setdefault(period, None)
        if period not in periods:
            raise invalid(
                "period",
                f"报送期「{period}」无效，可报送：{'、'.join(periods) or '暂无（尚未到报送期）'}",
            )
        if detail.quantitative and value is None:
            raise invalid("actual_value", "量化任务请填写截至本期的实际值（累计）")
        p = periods[period]
        due = p.due if p else day
        existing = TaskReport.objects.select_for_update().filter(matter=m, period=period).first()
        now = timezone.now()
        if existing is None:
            rep = TaskReport.objects.create(
                matter=m,
                period=period,
                due=due,
                submitted_at=now,
                submitted_on=day,
                actual_value=value,
                text=text,
                evidence=(evidence or "").strip(),
                by=scope.actor,
                by_name=scope.actor_name,
                by_unit=scope.unit,
            )
            label = f"{period}进度报送"
        else:
            before = audit.snapshot(existing)
            existing.actual_value = value
            existing.text = text
            existing.evidence = (evidence or "").strip()
            existing.corrections += 1
            existing.corrected_at = now
            existing.by, existing.by_name = scope.actor, scope.actor_name
            existing.save()
            rep = existing
            audit.record(
                scope.actor,
                rep,
                AuditEntry.Action.UPDATE,
                before=before,
                after=audit.snapshot(rep),
                verb=f"更正{period}进度报送",
                division_path=m.division.path,
                root=m,
            )
            label = f"更正{period}进度报送"
        latest = (
            TaskReport.objects.filter(matter=m, actual_value__isnull=False)
            .order_by("-period")
            .first()
        )
        detail.actual_value = latest.actual_value if latest else None
        detail.actual_period = latest.period if latest else ""
        detail.save(update_fields=["actual_value", "actual_period"])
        facts: dict[str, Any] = {"报送期": period}
        if value is not None:
            facts["实际值"] = value
        return ms.Change(label=label, audit=facts, created=rep)

    return ms.run_step(
        scope,
        matter,
        "submit_report",
        expected_version=expected_version,
        date=date,
        note=text[:500],
        apply=apply,
    )


def do_finish_task(
    scope: Scope,
    matter: Matter,
    *,
    note: str,
    evidence: str,
    expected_version: int | None,
    date: dt.date | None = None,
) -> StepResult:
    """办结 of a task, suggestion or proposal (action code "report"), with evidence
    (佐证材料: document numbers, photos' locations, links)."""
    evidence = (evidence or "").strip()
    if not evidence:
        raise invalid("evidence", "办结须提供佐证材料")
    if not (note or "").strip():
        raise invalid("note", "请填写办理结果")

    def apply(m: Matter, day: dt.date) -> ms.Change:
        ms.finish_fields(m, day)
        TaskDetail.objects.filter(matter=m).update(evidence=evidence)
        return ms.Change(audit={"办结佐证材料": evidence})

    return ms.run_step(
        scope,
        matter,
        "report",
        expected_version=expected_version,
        date=date,
        note=note,
        apply=apply,
    )


@transaction.atomic
def do_issue_notice(
    scope: Scope,
    matter: Matter,
    *,
    level: str,
    note: str,
    expected_version: int | None,
) -> StepResult:
    """督办单 issued by hand by the supervision office (action code "urge"; one per task per
    day); the Reminder is in `StepResult.created`."""
    if level not in NoticeLevel.values:
        raise invalid("level", "请选择督办单等级：蓝色、黄色或红色")
    note = (note or "").strip()
    if not note:
        raise invalid("note", "请填写督办要求")
    label = f"{NoticeLevel(level).label}督办单"

    def apply(m: Matter, day: dt.date) -> ms.Change:
        if Reminder.objects.filter(matter=m, kind=NotificationKind.NOTICE, deadline=day).exists():
            raise invalid(None, "今天已对该事项签发过督办单，请勿重复签发")
        r = Reminder.objects.create(
            matter=m,
            kind=NotificationKind.NOTICE,
            deadline=day,
            sent_on=day,
            level=level,
            note=note[:500],
            by=scope.actor,
        )
        return ms.Change(label=label, audit={"等级": str(NoticeLevel(level).label)}, created=r)

    result = ms.run_step(
        scope, matter, "urge", expected_version=expected_version, note=note, apply=apply
    )
    result.created.recipients = send_notice(
        result.matter, result.created, f"{note}\n请登录台账系统及时办理并报送进展。"
    )
    return result


def report_facts(scope: Scope, division: Division, until: dt.date) -> list[dict[str, Any]]:
    """Which reports were due by ``until`` and when each was submitted (None: not yet).

    For the assessment layer (taizhang.lib.scoring.ReportFact): one row per task and
    scheduled period with a due date on or before ``until``; ``submitted_on`` is the
    first submission's date (a later correction does not move it).
    """
    qs = (
        scope.filter(Matter.objects.filter(kind__in=[Kind.SUPERVISION_TASK, *KIND_SOURCE]))
        .filter(division__path__startswith=division.path, task__isnull=False)
        .select_related("task")
        .prefetch_related("task_reports")
    )
    out = []
    for m in qs:
        got = {r.period: r.submitted_on for r in m.task_reports.all()}
        for p in schedule_of(m):
            if p.due <= until:
                out.append(
                    {
                        "matter_id": m.pk,
                        "title": m.title,
                        "unit_id": m.lead_unit_id,
                        "leader_id": m.leader_id,
                        "period": p.label,
                        "due": p.due,
                        "submitted_on": got.get(p.label),
                    }
                )
    return out


__all__ = [
    "do_create_task",
    "do_finish_task",
    "do_issue_notice",
    "do_submit_progress",
    "report_facts",
    "report_schedule",
]
