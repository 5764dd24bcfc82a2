"""Automatic 督办单 for supervision tasks, suggestions and proposals (called by `taizhang remind`).

A task is late from the earlier of its deadline (when past) and the due date of its
oldest missing progress report. Late at all → blue 督办单 to the lead and co-operating
units; late more than N working days (``--escalate-after``, default 5) → yellow, also to
the supervision office; more than 2N → red, also to the responsible leader.

Each level is claimed once per (task, level, date it became late) through a unique
Reminder row, so reruns and concurrent runs send nothing twice; when a run finds a
task already past several levels it sends only the highest and records the rest.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction

from taizhang.core.calendar import get_calendar
from taizhang.matters import notify
from taizhang.matters.models import (
    Kind,
    Matter,
    NoticeLevel,
    NotificationKind,
    Reminder,
)
from taizhang.matters.services import OPEN
from taizhang.matters.timing import timing_of
from taizhang.tasks.status import task_status

LEVELS = (NoticeLevel.BLUE, NoticeLevel.YELLOW, NoticeLevel.RED)
LEVEL_KIND = {
    NoticeLevel.BLUE: NotificationKind.DB_BLUE,
    NoticeLevel.YELLOW: NotificationKind.DB_YELLOW,
    NoticeLevel.RED: NotificationKind.DB_RED,
}


def notice_recipients(m: Matter, level: str) -> list:
    """Blue: the lead and co-operating units; yellow adds the office; red the leader."""
    co = list(m.co_units.values_list("pk", flat=True))
    users = notify.unit_users([m.lead_unit_id, *co])
    if level in (NoticeLevel.YELLOW, NoticeLevel.RED):
        users += notify.supervisors_of(m.division)
    if level == NoticeLevel.RED:
        users += notify.leader_users(m.leader_id)
    return users


def send_notice(m: Matter, reminder: Reminder, body: str, note: str | None = None) -> int:
    """Deliver a 督办单 (issued by hand or by `taizhang remind`) at the reminder's level,
    by e-mail too, and record on the reminder how many users it reached."""
    level = reminder.level
    n = notify.notify(
        notice_recipients(m, level),
        m,
        LEVEL_KIND[level],
        f"【{NoticeLevel(level).label}督办单】{m.title}",
        body,
        email=True,
    )
    fields = {"recipients": n} if note is None else {"recipients": n, "note": note[:500]}
    Reminder.objects.filter(pk=reminder.pk).update(**fields)
    return n


def late_since(m: Matter, day: dt.date) -> tuple[dt.date, str] | None:
    """The date the task became late and why, or None when it is not late.

    Deadline and state as of ``day`` come from the one as-of rule (taizhang.matters.timing).
    """
    t = timing_of(m, day)
    if t.finished_on is not None:
        return None
    st = task_status(m, day, t.state)
    keys: list[tuple[dt.date, str]] = []
    if t.deadline is not None and t.deadline < day:
        keys.append((t.deadline, f"已超过完成时限（{t.deadline:%Y-%m-%d}）"))
    if st.missed:
        p = st.missed[0]
        keys.append((p.due, f"{p.label}进度应于{p.due:%Y-%m-%d}前报送，至今未报送"))
    return min(keys) if keys else None


def _claim(m: Matter, kind: str, key: dt.date, day: dt.date, level: str) -> Reminder | None:
    try:
        with transaction.atomic():
            r, created = Reminder.objects.get_or_create(
                matter=m, kind=kind, deadline=key, defaults={"sent_on": day, "level": level}
            )
    except IntegrityError:
        return None
    return r if created else None


def escalate_notices(day: dt.date, escalate_after: int, *, dry_run: bool = False) -> dict:
    cal = get_calendar()
    counts = {str(level): 0 for level in LEVELS}
    qs = (
        Matter.objects.filter(
            kind__in=[Kind.SUPERVISION_TASK, Kind.SUGGESTION, Kind.PROPOSAL],
            status__in=OPEN,
            task__isnull=False,
        )
        .select_related("division", "lead_unit", "leader", "task")
        .prefetch_related("task_reports")
        .order_by("pk")
    )
    for m in qs:
        late = late_since(m, day)
        if late is None:
            continue
        key, why = late
        days = cal.workdays_between(key, day).days
        reached = [NoticeLevel.BLUE]
        if days > escalate_after:
            reached.append(NoticeLevel.YELLOW)
        if days > 2 * escalate_after:
            reached.append(NoticeLevel.RED)
        if dry_run:
            counts[str(reached[-1])] += 1
            continue
        claimed = [
            (level, r)
            for level in reached
            if (r := _claim(m, LEVEL_KIND[level], key, day, level)) is not None
        ]
        if not claimed:
            continue
        level, reminder = claimed[-1]
        body = (
            f"{m.title}\n牵头单位：{m.lead_unit.name if m.lead_unit_id else '—'}\n"
            f"{why}（已逾期{days}个工作日）。请立即办理并报送进展。"
        )
        send_notice(m, reminder, body, note=why)
        counts[str(level)] += 1
    return counts
