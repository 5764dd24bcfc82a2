"""`taizhang remind`: notify units and the office of matters turning yellow or red, escalate long-overdue ones.

Safe to run from cron every few minutes: each (matter, kind, deadline) is claimed
once through a unique row in Reminder, so a rerun – or two runs at once – sends
nothing twice. A new deadline (extension, 退回重办) starts a fresh cycle.

The notices also queue pushes to the division's WeCom/DingTalk/Feishu robots and SMS
gateway (taizhang.notify); at its end this command sends what is due, as `taizhang notify`
does (`--no-push` leaves that to the notify worker).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError, transaction
from django.utils import timezone

from taizhang.core.context import origin
from taizhang.lib.lights import Light
from taizhang.matters import notify
from taizhang.matters.models import Matter, NotificationKind, Reminder
from taizhang.matters.services import OPEN
from taizhang.matters.timing import timing_of


def _claim(matter: Matter, kind: str, deadline: dt.date, today: dt.date) -> Reminder | None:
    """The Reminder row if this run is the first to claim it, else None."""
    try:
        with transaction.atomic():
            reminder, created = Reminder.objects.get_or_create(
                matter=matter, kind=kind, deadline=deadline, defaults={"sent_on": today}
            )
    except IntegrityError:  # another run inserted it between our SELECT and INSERT
        return None
    return reminder if created else None


class Command(BaseCommand):
    help = (
        "督办提醒：临期（黄灯）、逾期（红灯）提醒主办单位和督查室，逾期超过N个工作日升级到责任领导；"
        "督办任务逾期或漏报时自动签发督办单（蓝→黄→红）；重复运行不会重复发送"
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--today", help="按指定日期计算（YYYY-MM-DD），默认今天")
        parser.add_argument(
            "--escalate-after",
            type=int,
            default=settings.TAIZHANG.get("ESCALATE_WORKDAYS", 5),
            help="逾期超过多少个工作日升级到责任领导（默认5）",
        )
        parser.add_argument("--dry-run", action="store_true", help="只统计，不发送")
        parser.add_argument(
            "--no-push",
            action="store_true",
            help="不在本命令结束时发送推送（由 taizhang notify 进程发送）",
        )

    def handle(
        self,
        *args,
        today: str | None = None,
        escalate_after: int = 5,
        dry_run: bool = False,
        no_push: bool = False,
        **opts,
    ) -> None:
        try:
            day = dt.date.fromisoformat(today) if today else timezone.localdate()
        except ValueError:
            raise CommandError(f"--today 日期格式不正确：{today}（应为 YYYY-MM-DD）") from None
        if escalate_after < 0:
            raise CommandError("--escalate-after 不能为负数")
        counts = {"yellow": 0, "red": 0, "escalate": 0, "notified": 0}
        qs = (
            Matter.objects.filter(status__in=OPEN, deadline__isnull=False)
            .select_related("division", "enterprise", "lead_unit", "leader")
            .order_by("pk")
        )
        with origin("command"):
            for m in qs.iterator():
                # The one as-of rule (taizhang.matters.timing); 临期/逾期 notices follow
                # its deadline part, for every kind of matter.
                t = timing_of(m, day)
                result = t.deadline_result
                if result is None or t.deadline is None:
                    continue
                kinds: list[str] = []
                if result.light == Light.YELLOW:
                    kinds.append(NotificationKind.YELLOW)
                elif result.light == Light.RED:
                    kinds.append(NotificationKind.RED)
                    if (t.late_workdays or 0) > escalate_after:
                        kinds.append(NotificationKind.ESCALATE)
                for kind in kinds:
                    if dry_run:
                        counts[kind] += 1
                        continue
                    reminder = _claim(m, kind, t.deadline, day)
                    if reminder is None:
                        continue
                    n = self._send(m, kind, result.reason, t.deadline)
                    Reminder.objects.filter(pk=reminder.pk).update(recipients=n)
                    counts[kind] += 1
                    counts["notified"] += n
        notices = {"blue": 0, "yellow": 0, "red": 0}
        with origin("command"):
            from taizhang.tasks.notices import escalate_notices

            notices = escalate_notices(day, escalate_after, dry_run=dry_run)
        self.stdout.write(
            f"{day:%Y-%m-%d} 督办提醒：黄灯{counts['yellow']}条，红灯{counts['red']}条，"
            f"升级{counts['escalate']}条，通知{counts['notified']}人次；"
            f"督办单：蓝色{notices['blue']}份，黄色{notices['yellow']}份，红色{notices['red']}份。"
            + ("（演练，未发送）" if dry_run else "")
        )
        if not dry_run and not no_push:
            from taizhang.notify.queue import dispatch_all

            with origin("command"):
                pushed = dispatch_all()
            self.stdout.write(f"通知推送：{pushed}。")

    def _send(self, m: Matter, kind: str, reason: str, deadline: dt.date) -> int:
        what = m.enterprise.name + "：" if m.enterprise_id else ""
        due = f"办理时限{deadline:%Y-%m-%d}"
        body = (
            f"{what}{m.title}\n主办单位：{m.lead_unit.name if m.lead_unit_id else '—'}\n"
            f"{due}，{reason}。请登录台账系统及时办理。"
        )
        if kind == NotificationKind.ESCALATE:
            title = f"【逾期升级】{m.title}（{reason}）"
            users = notify.leader_users(m.leader_id) or []
            users += notify.supervisors_of(m.division)
        else:
            label = "临期提醒" if kind == NotificationKind.YELLOW else "逾期提醒"
            title = f"【{label}】{m.title}（{reason}）"
            co = list(m.co_units.values_list("pk", flat=True))
            users = notify.unit_users([m.lead_unit_id, *co]) + notify.supervisors_of(m.division)
        return notify.notify(users, m, kind, title, body, email=True)
