"""The delivery queue: notices become Delivery rows; `dispatch` claims, sends and records them.

Enqueueing only inserts rows (it runs inside the request or the `remind` run that raised
the notice); sending happens in `taizhang notify` (and at the end of `taizhang remind`).
Two workers never send the same row: a worker claims due rows with one conditional
UPDATE stamping its own token, then sends only the rows carrying that token. A claim older
than STALE_MINUTES (a worker that died mid-send) may be claimed again.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections import defaultdict
from contextlib import nullcontext
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from taizhang.lib.channels import Channel, DeliveryResult, Message, channel
from taizhang.matters.models import Kind, Matter, NotificationKind
from taizhang.notify.models import (
    ChannelConfig,
    Delivery,
    DeliveryAttempt,
    DeliveryStatus,
    NoticePreference,
    quiet_release,
)

# Minutes to wait after the n-th failed attempt (the last value repeats).
BACKOFF_MINUTES = (1, 5, 15, 60, 240)
MOBILE = re.compile(r"^1\d{10}$")
LIGHT_OF_KIND = {
    NotificationKind.YELLOW: "黄灯（临期）",
    NotificationKind.RED: "红灯（逾期）",
    NotificationKind.ESCALATE: "红灯（逾期升级）",
    NotificationKind.DB_BLUE: "蓝色督办单",
    NotificationKind.DB_YELLOW: "黄色督办单",
    NotificationKind.DB_RED: "红色督办单",
    NotificationKind.NOTICE: "督办单",
}


def conf(key: str):
    return settings.TAIZHANG_NOTIFY[key]


def matter_link(m: Matter) -> str:
    """The absolute address of the matter's page (TAIZHANG_BASE_URL + the web route)."""
    # The web layer sits above this app, so the two page paths are spelled out here.
    path = {Kind.ENTERPRISE_PROBLEM: "problems", Kind.PETITION: "petitions"}.get(m.kind, "tasks")
    path = f"/{path}/{m.pk}/"
    return settings.TAIZHANG_BASE_URL + path


def notice_text(m: Matter, kind: str, body: str) -> str:
    """The matter, the light, the deadline, the unit; then the notice's own words."""
    lines = [f"事项：{m.enterprise.name + '：' if m.enterprise_id else ''}{m.title}"]
    if light := LIGHT_OF_KIND.get(kind):
        lines.append(f"亮灯：{light}")
    if m.deadline:
        lines.append(f"办理时限：{m.deadline:%Y-%m-%d}")
    lines.append(f"主办单位：{m.lead_unit.name if m.lead_unit_id else '—'}")
    if body:
        # The notice body repeats the title and unit; keep only its closing advice line(s).
        extra = [
            ln for ln in body.splitlines() if ln and not ln.startswith(("主办单位", "牵头单位"))
        ]
        lines += extra[1:] if len(extra) > 1 else extra
    return "\n".join(lines)


def mobile_of(user, pref: NoticePreference | None) -> str:
    """The person's own mobile from their settings, else their cadre record's phone."""
    if pref is not None and MOBILE.match(pref.mobile or ""):
        return pref.mobile
    profile = getattr(user, "profile", None)
    person = getattr(profile, "person", None) if profile is not None else None
    phone = re.sub(r"[\s-]", "", getattr(person, "phone", "") or "")
    return phone if MOBILE.match(phone) else ""


def wants(pref: NoticePreference | None, kind: str) -> bool:
    """Without settings of their own a person hears on every channel of their division."""
    return pref is None or kind in (pref.channels or [])


def next_digest(now: dt.datetime, hour: int) -> dt.datetime:
    local = timezone.localtime(now)
    at = local.replace(hour=hour, minute=0, second=0, microsecond=0)
    return at if at > local else at + dt.timedelta(days=1)


def channels_for(m: Matter) -> list[ChannelConfig]:
    """Enabled channels of the matter's division and of the divisions above it."""
    codes = [c for c in m.division.path.strip("/").split("/") if c]
    return list(ChannelConfig.objects.filter(enabled=True, division__code__in=codes).order_by("pk"))


def enqueue(users: list, matter: Matter | None, kind: str, title: str, body: str) -> int:
    """Queue one delivery per group channel (mentioning the people) and one SMS per person."""
    if matter is None or kind not in conf("PUSH_KINDS"):
        return 0
    configs = channels_for(matter)
    if not configs:
        return 0
    now = timezone.now()
    prefs = {p.user_id: p for p in NoticePreference.objects.filter(user__in=[u.pk for u in users])}
    text = notice_text(matter, kind, body)
    link = matter_link(matter)
    common = {
        "division_id": matter.division_id,
        "matter": matter,
        "kind": kind,
        "title": title[:200],
        "text": text,
        "link": link[:300],
    }
    rows: list[Delivery] = []
    for cfg in configs:
        if not cfg.per_person:
            mentioned = [
                mob
                for u in users
                if wants(prefs.get(u.pk), cfg.kind) and (mob := mobile_of(u, prefs.get(u.pk)))
            ]
            rows.append(
                Delivery(
                    channel=cfg,
                    mobiles=sorted(set(mentioned)),
                    next_attempt_at=quiet_release(now, cfg.quiet_start, cfg.quiet_end),
                    **common,
                )
            )
            continue
        for u in users:
            pref = prefs.get(u.pk)
            mob = mobile_of(u, pref)
            if not mob or not wants(pref, cfg.kind):
                continue
            if pref is not None and pref.digest:
                due = next_digest(now, pref.digest_hour)
            else:
                due = now
            if pref is not None:
                due = quiet_release(due, pref.quiet_start, pref.quiet_end)
            rows.append(
                Delivery(
                    channel=cfg,
                    recipient=u,
                    mobiles=[mob],
                    digest=bool(pref is not None and pref.digest),
                    next_attempt_at=due,
                    **common,
                )
            )
    Delivery.objects.bulk_create(rows)
    return len(rows)


# ------------------------------------------------------------------ sending


@dataclass
class DispatchCounts:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    skipped: int = 0

    def __str__(self) -> str:
        return f"已发送{self.sent}条，稍后重试{self.retried}条，失败{self.failed}条" + (
            f"，跳过{self.skipped}条" if self.skipped else ""
        )


# Rounds of looking again when another worker stamped every row this one had picked.
CLAIM_ROUNDS = 5


def claim(worker: str, now: dt.datetime, limit: int) -> list[Delivery]:
    """Stamp up to `limit` due rows with this worker's token in one conditional UPDATE.

    On PostgreSQL the candidates are picked FOR UPDATE SKIP LOCKED, so a second worker
    (on another machine) takes the next rows instead of queueing behind the first; SQLite
    has no row locks but serialises writers, and the UPDATE's repeated condition decides."""
    stale = now - dt.timedelta(minutes=conf("STALE_MINUTES"))
    due = Q(status=DeliveryStatus.QUEUED, next_attempt_at__lte=now) & (
        Q(claimed_at__isnull=True) | Q(claimed_at__lt=stale)
    )
    skip_locked = connection.features.has_select_for_update_skip_locked
    for _ in range(CLAIM_ROUNDS):
        with transaction.atomic() if skip_locked else nullcontext():
            candidates = Delivery.objects.filter(due).order_by("next_attempt_at", "pk")
            if skip_locked:
                candidates = candidates.select_for_update(skip_locked=True)
            ids = list(candidates.values_list("pk", flat=True)[:limit])
            if not ids:
                return []
            # The WHERE repeats the due condition: a row another worker stamped meanwhile
            # no longer matches.
            stamped = Delivery.objects.filter(due, pk__in=ids).update(
                claimed_at=now, claimed_by=worker
            )
        if stamped:
            break
        # Another worker stamped every row picked here between the SELECT and the UPDATE
        # (SQLite): more may be due behind them, so look again rather than report none.
    return list(
        Delivery.objects.filter(claimed_by=worker, claimed_at=now, status=DeliveryStatus.QUEUED)
        .select_related("channel", "channel__division")
        .order_by("pk")
    )


def adapter_for(cfg: ChannelConfig) -> Channel:
    return channel(cfg.kind, cfg.url, cfg.secret, cfg.options, timeout=conf("TIMEOUT"))


def message_of(rows: list[Delivery]) -> Message:
    """One delivery's message, or a daily digest of several for the same person and channel."""
    first = rows[0]
    if len(rows) == 1:
        return Message(first.title, first.text, first.link, tuple(first.mobiles))
    lines = [f"{i}. {d.title}\n   {d.link}" for i, d in enumerate(rows, 1)]
    return Message(
        f"【台账每日汇总】共{len(rows)}条通知", "\n".join(lines), "", tuple(first.mobiles)
    )


def record(rows: list[Delivery], result: DeliveryResult, now: dt.datetime, worker: str) -> str:
    """Write the answer on every row of one send; schedule a retry or give up."""
    outcome = "sent"
    for d in rows:
        attempts = d.attempts + 1
        fields: dict = {
            "attempts": attempts,
            "last_answer": result.answer,
            "claimed_at": None,
            "claimed_by": "",
        }
        if result.ok:
            fields |= {"status": DeliveryStatus.SENT, "sent_at": now}
        elif result.retry and attempts < conf("MAX_ATTEMPTS"):
            wait = BACKOFF_MINUTES[min(attempts, len(BACKOFF_MINUTES)) - 1]
            cfg = d.channel
            fields["next_attempt_at"] = quiet_release(
                now + dt.timedelta(minutes=wait), cfg.quiet_start, cfg.quiet_end
            )
            outcome = "retried"
        else:
            fields["status"] = DeliveryStatus.FAILED
            outcome = "failed"
        with transaction.atomic():
            # Only the claimant writes: a row re-claimed after going stale is the new worker's.
            Delivery.objects.filter(pk=d.pk, claimed_by=worker).update(**fields)
            DeliveryAttempt.objects.create(delivery=d, at=now, ok=result.ok, answer=result.answer)
    return outcome


def dispatch(
    *, now: dt.datetime | None = None, worker: str | None = None, limit: int | None = None
) -> DispatchCounts:
    """Send every due delivery once; safe to run from several workers at the same time."""
    now = now or timezone.now()
    worker = worker or uuid.uuid4().hex
    counts = DispatchCounts()
    rows = claim(worker, now, limit or conf("BATCH"))
    groups: dict[tuple, list[Delivery]] = defaultdict(list)
    for d in rows:
        key = ("digest", d.channel_id, d.recipient_id) if d.digest else ("one", d.pk)
        groups[key].append(d)
    for batch in groups.values():
        cfg = batch[0].channel
        if not cfg.enabled:
            # A disabled channel keeps its rows queued: enabling it again sends them.
            Delivery.objects.filter(pk__in=[d.pk for d in batch]).update(
                claimed_at=None, claimed_by="", next_attempt_at=now + dt.timedelta(hours=1)
            )
            counts.skipped += len(batch)
            continue
        result = adapter_for(cfg).send(message_of(batch))
        outcome = record(batch, result, now, worker)
        setattr(counts, outcome, getattr(counts, outcome) + len(batch))
    return counts


def pending() -> int:
    return Delivery.objects.filter(status=DeliveryStatus.QUEUED).count()


def dispatch_all(limit: int | None = None) -> DispatchCounts:
    """`dispatch` until nothing due is left (or one batch of `limit`)."""
    total = DispatchCounts()
    while True:
        counts = dispatch(limit=limit)
        for f in ("sent", "retried", "failed", "skipped"):
            setattr(total, f, getattr(total, f) + getattr(counts, f))
        if limit or not (counts.sent + counts.retried + counts.failed + counts.skipped):
            return total
