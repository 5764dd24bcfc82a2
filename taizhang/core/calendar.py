"""The working-day calendar with the admin's overrides applied, and its database table.

* :func:`get_calendar` — the WorkCalendar (library + statutory fallback + overrides,
  with the years confirmed by an entered State Council notice);
* :func:`refill_workdays` — the ``core.Workday`` table SQL counts working days with,
  refilled whenever the overrides or a notice change, and after every migrate;
* :func:`do_save_holiday_notice` — the office enters a year's holiday notice.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import connections, transaction
from django.db.models import Count, Max, OuterRef, Q, Subquery
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import Signal, receiver
from django.utils import timezone

from taizhang.core import audit
from taizhang.core.errors import invalid
from taizhang.core.models import AuditEntry, CalendarOverride, CalendarYear, Workday
from taizhang.core.scope import Scope
from taizhang.lib.holiday_notice import HolidayNotice, NoticeError, parse_notice
from taizhang.lib.workdays import WorkCalendar

# The Workday table starts here; ordinals count working days from this day on.
EPOCH = dt.date(2000, 1, 1)
# How many years past the current one the table reaches.
YEARS_AHEAD = 2
# Overrides written from a notice carry this note prefix, so re-entering the
# notice replaces them while hand-made local overrides stay.
NOTICE_NOTE = "放假通知"

_cache: WorkCalendar | None = None
# Another process (a second web worker) may change the overrides: the cached
# calendar is checked against the shared Workday table at most this often.
RECHECK_SECONDS = 60.0
_checked_at = 0.0
_stamp: tuple | None = None
_table_ok_for: dt.date | None = None
# Ordinals read from the table (ordinal_at, first_day_after_ordinal): every list asks the
# same two or three each request. Kept as long as the calendar itself (dropped when it is).
_ordinals: dict[tuple[str, Any], Any] = {}
# Set while a notice is being saved: its many override rows refill the table once.
_batch = False
# Sent (first=the first date rewritten) inside the transaction that rewrites core.Workday:
# counts of working days kept elsewhere (the problem rollup's spans) are refreshed with it.
workdays_refilled = Signal()


def _table_stamp() -> tuple:
    """Changes whenever a day turns working/off or confirmed (the last ordinal moves)."""
    agg = Workday.objects.aggregate(
        last=Max("ordinal"), confirmed=Count("date", filter=Q(confirmed=True))
    )
    return (agg["last"], agg["confirmed"])


def get_calendar() -> WorkCalendar:
    global _cache, _checked_at, _stamp
    now = time.monotonic()
    if _cache is not None and now - _checked_at > RECHECK_SECONDS:
        _checked_at = now
        stamp = _table_stamp()
        if _stamp is not None and stamp != _stamp:
            _cache = None
            _ordinals.clear()
        _stamp = stamp
    if _cache is None:
        overrides = dict(CalendarOverride.objects.values_list("date", "is_workday"))
        years = CalendarYear.objects.filter(confirmed_by_notice=True).values_list("year", flat=True)
        _cache = WorkCalendar(overrides, years)
        _stamp, _checked_at = _table_stamp(), now
    return _cache


def reset_calendar() -> None:
    global _cache, _stamp
    _cache = None
    _stamp = None
    _ordinals.clear()


def _remembered(key: tuple[str, Any], read: Any) -> Any:
    get_calendar()  # drops what is remembered when another process changed the table
    if key not in _ordinals:
        if len(_ordinals) > 4096:
            _ordinals.clear()
        _ordinals[key] = read()
    return _ordinals[key]


def today() -> dt.date:
    return timezone.localdate()


def unconfirmed_note(year: int) -> str:
    """The tooltip of a 未确认 mark."""
    return f"{year}年放假安排尚未公布，按法定节假日推算"


def unconfirmed_notes(dates: Iterable[dt.date | None]) -> list[str]:
    """For exports: one 未确认 note per year among ``dates`` whose notice is not yet known."""
    cal = get_calendar()
    years = sorted({d.year for d in dates if d is not None})
    return [
        f"注：{unconfirmed_note(y)}，该年的办理时限和逾期工作日未确认。"
        for y in years
        if not cal.year_confirmed(y)
    ]


# --------------------------------------------------------------------------- the table


def table_end(on: dt.date | None = None) -> dt.date:
    return dt.date((on or today()).year + YEARS_AHEAD, 12, 31)


def refill_workdays(start: dt.date | None = None, end: dt.date | None = None) -> int:
    """Rewrite ``core.Workday`` from ``start``'s year (default: the epoch) to ``end``.

    Ordinals stay cumulative from :data:`EPOCH`, so a change in one year rewrites
    that year and every later one (a few hundred rows a year, one bulk insert).
    """
    global _table_ok_for, _stamp
    reset_calendar()
    cal = get_calendar()
    first = max(EPOCH, dt.date(start.year, 1, 1)) if start else EPOCH
    last = end or table_end()
    # Working days in [EPOCH, first): what the ordinals before ``first`` reached.
    day = dt.timedelta(days=1)
    ordinal = cal.workdays_between(EPOCH - day, first - day).days
    rows = []
    for d, working, confirmed in cal.days(first, last):
        ordinal += working
        rows.append(Workday(date=d, is_workday=working, ordinal=ordinal, confirmed=confirmed))
    with transaction.atomic():
        Workday.objects.filter(date__gte=first).delete()
        Workday.objects.bulk_create(rows, batch_size=2000)
        workdays_refilled.send(sender=Workday, first=first)
    _table_ok_for = None
    _stamp = None  # the next recheck records the new table without discarding this calendar
    _ordinals.clear()
    return len(rows)


def ensure_workdays() -> None:
    """Extend the table when the years have moved on since it was filled (cheap, once a day)."""
    global _table_ok_for
    day = today()
    if _table_ok_for == day:
        return
    end = table_end(day)
    if not Workday.objects.filter(date=end).exists():
        last = Workday.objects.order_by("-date").values_list("date", flat=True).first()
        refill_workdays(last if last else None, end)
    _table_ok_for = day


def ordinal_at(day: dt.date) -> int:
    """The Workday ordinal of ``day``: working days from EPOCH to ``day`` inclusive.

    SQL lights compare ordinals ("due within N working days" is ordinal(deadline) ≤
    ordinal(today) + N), so every list computes working days exactly as `workdays_between`.
    """
    ensure_workdays()
    found = _remembered(
        ("at", day),
        lambda: Workday.objects.filter(date=day).values_list("ordinal", flat=True).first(),
    )
    if found is None:  # outside the table (before 2000): count from the calendar instead
        return get_calendar().workdays_between(EPOCH - dt.timedelta(days=1), day).days
    return found


def ordinal_of(field: str) -> Subquery:
    """The Workday ordinal of a date column, for SQL that counts working days (lights,
    政务服务 on-time rates): working days between two dates are a difference of ordinals."""
    return Subquery(Workday.objects.filter(date=OuterRef(field)).values("ordinal")[:1])


def first_day_after_ordinal(ordinal: int) -> dt.date | None:
    """The first date whose ordinal exceeds ``ordinal`` (None past the table's end):
    ordinal(d) ≤ ordinal ⟺ d < this date, since ordinals never decrease with the date."""
    ensure_workdays()
    return _remembered(
        ("after", ordinal),
        lambda: (
            Workday.objects.filter(ordinal__gt=ordinal)
            .order_by("date")
            .values_list("date", flat=True)
            .first()
        ),
    )


def fill_after_migrate(**kwargs: Any) -> None:
    """post_migrate (and flush): a fresh or emptied database gets its calendar table."""
    global _table_ok_for
    using = kwargs.get("using", "default")
    if using != "default":
        return
    # A migrate stopped before core's calendar tables (migrate core 0002) has nothing to fill.
    if Workday._meta.db_table not in connections[using].introspection.table_names():
        return
    _table_ok_for = None
    refill_workdays()


@receiver(pre_save, sender=CalendarOverride)
def _remember_old_date(instance: CalendarOverride, **kwargs: Any) -> None:
    # An override moved to another date changes both days.
    old = None
    if instance.pk is not None:
        old = CalendarOverride.objects.filter(pk=instance.pk).values_list("date", flat=True).first()
    instance._old_date = old  # type: ignore[attr-defined]


@receiver(post_save, sender=CalendarOverride)
@receiver(post_delete, sender=CalendarOverride)
def _overrides_changed(instance: CalendarOverride, raw: bool = False, **kwargs: Any) -> None:
    reset_calendar()
    if raw or _batch:  # loaddata / a notice being saved: refilled once afterwards
        return
    old = getattr(instance, "_old_date", None)
    refill_workdays(min(instance.date, old) if old else instance.date)


@receiver(post_save, sender=CalendarYear)
@receiver(post_delete, sender=CalendarYear)
def _year_changed(instance: CalendarYear, raw: bool = False, **kwargs: Any) -> None:
    reset_calendar()
    if raw or _batch:
        return
    refill_workdays(dt.date(instance.year, 1, 1))


# --------------------------------------------------------------------------- notices


def preview_notice(text: str, year: int | None = None) -> HolidayNotice:
    """Parse a notice for the preview; bad text → ValidationError with the parser's message."""
    try:
        return parse_notice(text, year)
    except NoticeError as e:
        raise invalid("text", str(e)) from None


def _require_office(scope: Scope) -> None:
    if not scope.can_manage:
        raise PermissionDenied("只有督查室或业务管理员可以录入放假安排")


@transaction.atomic
def do_save_holiday_notice(scope: Scope, text: str, year: int | None = None) -> CalendarYear:
    """Enter a year's State Council holiday notice: its days become overrides, the year confirmed.

    Earlier notice-derived overrides of that year are replaced; local overrides made
    by hand on other dates stay. One transaction, one audit entry; the Workday table
    is refilled from that year on.
    """
    global _batch
    _require_office(scope)
    notice = preview_notice(text, year)
    _batch = True
    try:
        return _save_notice(scope, notice, text)
    except BaseException:
        # The cached calendar was rebuilt from rows that are now rolled back.
        reset_calendar()
        raise
    finally:
        _batch = False


def _save_notice(scope: Scope, notice: HolidayNotice, text: str) -> CalendarYear:
    y = notice.year
    span = (dt.date(y - 1, 12, 1), dt.date(y + 1, 1, 31))
    old = CalendarOverride.objects.filter(
        date__range=span, note__startswith=f"{NOTICE_NOTE}{y}"
    ).order_by("date")
    before = {d.isoformat(): w for d, w in old.values_list("date", "is_workday")}
    old.delete()
    names = {**notice.days_off, **notice.workdays}
    overrides = notice.overrides()
    CalendarOverride.objects.filter(date__in=list(overrides)).delete()
    # bulk_create sends no post_save: the table is refilled once below, not per row.
    CalendarOverride.objects.bulk_create(
        CalendarOverride(
            date=d,
            is_workday=w,
            note=f"{NOTICE_NOTE}{y}：{names[d]}{'调休上班' if w else '放假'}"[:100],
        )
        for d, w in overrides.items()
    )
    cy, created = CalendarYear.objects.select_for_update().get_or_create(year=y)
    was = {"已按通知确认": cy.confirmed_by_notice}
    cy.confirmed_by_notice = True
    cy.notice_text = text.strip()
    cy.saved_by = scope.actor
    cy.saved_at = timezone.now()
    cy.save()
    refill_workdays(min(min(overrides), dt.date(y, 1, 1)))
    audit.record(
        scope.actor,
        cy,
        AuditEntry.Action.CREATE if created else AuditEntry.Action.UPDATE,
        before=None if created else was,
        after={"已按通知确认": True},
        verb=f"录入{y}年放假安排",
        extra={
            "放假": [d.isoformat() for d in notice.days_off],
            "调休上班": [d.isoformat() for d in notice.workdays],
            **({"替换原通知调整": before} if before else {}),
        },
    )
    return cy


def year_statuses(first: int | None = None, last: int | None = None) -> list[dict[str, Any]]:
    """Each year around today: where its holidays come from and whether it is confirmed."""
    cal = get_calendar()
    now = today().year
    entered = {c.year: c for c in CalendarYear.objects.select_related("saved_by")}
    out = []
    for y in range(first or now - 1, (last or now + YEARS_AHEAD) + 1):
        c = entered.get(y)
        if c is not None and c.confirmed_by_notice:
            source = "已录入国务院放假通知"
        elif cal.year_confirmed(y):
            source = "日历库已收录"
        else:
            source = unconfirmed_note(y)
        out.append(
            {
                "year": y,
                "confirmed": cal.year_confirmed(y),
                "source": source,
                "entry": c,
            }
        )
    return out
