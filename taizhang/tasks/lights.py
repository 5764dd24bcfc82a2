"""Each task's light as stored dates, so lists filter, count and page lights in SQL.

The rule stays the one Python rule (``status.task_status`` over ``lib/task_lights.py``);
this module only records *when* its answer changes. Between two writes to a task (its
matter row, its steps, its progress reports) the light, as a function of the day, never
improves (green → yellow → red), and neither does "overdue" (``status.is_overdue``):

* the deadline: green, then yellow once at most N working days are left (the count only
  shrinks), then red after it;
* a missed report (due date passed, nothing submitted) stays missed; the yellow window
  before the next due date ends, if nothing is written, in that report being missed (red);
* 时序进度 is taken as of the end of the latest reported period (``task_status``), not
  the day, and with no reported actual the progress is green: the pace light is constant
  between writes, as is a ceiling breach;
* a finished task is green, and not overdue, for good.

So at each write the dates from which the task is yellow, red and overdue are found by a
binary search over the days from the write (``light_base``) to a horizon after which
nothing can change (the later of the deadline and the task year's end, plus one day),
asking ``task_status`` itself. Only reports submitted by the day count: one dated after
the write day (none should be) would improve the light on that day, so the base is moved
to the latest report date.

Before ``light_base`` (a past day before the last write, when the task stood otherwise),
or while the dates are not yet written (NULL), the rule is run on those rows only.
A calendar override or a settings change (yellow working days, pace margins) moves the
dates of every open task: :func:`rebuild` (``taizhang tasklights --rebuild``), also run
when the calendar's overrides are saved.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from typing import Any

from django.db import connection
from django.db.models import Case, CharField, Q, QuerySet, Value, When
from django.utils import timezone

from taizhang.lib.lights import Light
from taizhang.matters.models import FINISHED, Matter
from taizhang.tasks.models import TaskDetail
from taizhang.tasks.status import TaskStatus, is_overdue, task_status

FIELDS = ("light_base", "yellow_from", "red_from", "overdue_from")
ONE = dt.timedelta(days=1)


@dataclass(frozen=True)
class LightDates:
    light_base: dt.date
    yellow_from: dt.date | None
    red_from: dt.date | None
    overdue_from: dt.date | None


def _first(test: Callable[[dt.date], bool], lo: dt.date, hi: dt.date) -> dt.date | None:
    """The first day in [lo, hi] on which ``test`` holds, for a test that once true stays
    true (monotone); None when it does not hold even on ``hi``."""
    if not test(hi):
        return None
    if test(lo):
        return lo
    while (hi - lo).days > 1:  # test(lo) is false, test(hi) true
        mid = lo + dt.timedelta(days=(hi - lo).days // 2)
        if test(mid):
            hi = mid
        else:
            lo = mid
    return hi


def horizon(m: Matter, base: dt.date) -> dt.date:
    """A day after which the task's light and overdue no longer change: every report is
    due and the deadline passed (reports are due by the deadline or the year's end)."""
    year_end = dt.date(m.task.year, 12, 31)
    return max(base, m.deadline or year_end, year_end) + ONE


def light_dates(m: Matter, today: dt.date) -> LightDates:
    """The stored dates of task ``m`` (with ``task`` and, ideally, ``task_reports`` loaded)
    written on ``today``."""
    cache = getattr(m, "_prefetched_objects_cache", {})
    reports = cache["task_reports"] if "task_reports" in cache else list(m.task_reports.all())
    base = max([today, *(r.submitted_on for r in reports if r.submitted_on)])
    seen: dict[dt.date, TaskStatus] = {}

    def status(day: dt.date) -> TaskStatus:
        if day not in seen:
            seen[day] = task_status(m, day)
        return seen[day]

    def at_least(light: Light) -> Callable[[dt.date], bool]:
        return lambda day: status(day).light.light.severity >= light.severity

    end = horizon(m, base)
    return LightDates(
        light_base=base,
        yellow_from=_first(at_least(Light.YELLOW), base, end),
        red_from=_first(at_least(Light.RED), base, end),
        overdue_from=_first(lambda day: is_overdue(m, status(day), day), base, end),
    )


def stored_light(d: TaskDetail | LightDates, as_of: dt.date) -> Light | None:
    """The light the stored dates give on ``as_of``; None before ``light_base`` (or unset)."""
    if d.light_base is None or as_of < d.light_base:
        return None
    if d.red_from is not None and d.red_from <= as_of:
        return Light.RED
    if d.yellow_from is not None and d.yellow_from <= as_of:
        return Light.YELLOW
    return Light.GREEN


def _tasks(pks: Iterable[int]) -> QuerySet[Matter]:
    return (
        Matter.objects.filter(pk__in=list(pks), task__isnull=False)
        .select_related("task")
        .prefetch_related("task_reports")
        .order_by("pk")
    )


def refresh(*pks: int) -> None:
    """Write the light dates of these tasks; called by every function that writes a task,
    its steps or its reports, inside its transaction, after the write."""
    today = timezone.localdate()
    for m in _tasks(pks):
        TaskDetail.objects.filter(pk=m.pk).update(**asdict(light_dates(m, today)))


def rebuild(qs: QuerySet[Matter] | None = None, chunk: int = 500) -> int:
    """Rewrite the light dates of every task (or of ``qs``), ``chunk`` tasks per query; for
    a calendar or settings change and after bulk loads. Returns the number of tasks."""
    today = timezone.localdate()
    base = (qs if qs is not None else Matter.objects.all()).filter(task__isnull=False)
    pks = list(base.order_by("pk").values_list("pk", flat=True))
    for i in range(0, len(pks), chunk):
        details = []
        for m in _tasks(pks[i : i + chunk]):
            for name, value in asdict(light_dates(m, today)).items():
                setattr(m.task, name, value)
            details.append(m.task)
        TaskDetail.objects.bulk_update(details, FIELDS)
    return len(pks)


# The light in SQL -------------------------------------------------------------------------


def stored_q(as_of: dt.date, prefix: str = "task__") -> Q:
    """Rows whose stored dates hold on ``as_of`` (the last write was on or before it)."""
    return Q(**{f"{prefix}light_base__lte": as_of})


def unstored_q(as_of: dt.date, prefix: str = "task__") -> Q:
    """The other rows: judged by the Python rule."""
    return Q(**{f"{prefix}light_base__isnull": True}) | Q(**{f"{prefix}light_base__gt": as_of})


def _on(name: str, as_of: dt.date, prefix: str) -> Q:
    return Q(**{f"{prefix}{name}__lte": as_of})


def _not_on(name: str, as_of: dt.date, prefix: str) -> Q:
    # Spelled positively: a negated lookup across the one-to-one becomes a subquery.
    return Q(**{f"{prefix}{name}__isnull": True}) | Q(**{f"{prefix}{name}__gt": as_of})


def task_light_q(light: str, as_of: dt.date, prefix: str = "task__") -> Q:
    """Stored rows whose light on ``as_of`` is ``light`` ("red", "yellow", "green")."""
    if light == Light.RED:
        q = _on("red_from", as_of, prefix)
    elif light == Light.YELLOW:
        q = _on("yellow_from", as_of, prefix) & _not_on("red_from", as_of, prefix)
    elif light == Light.GREEN:
        q = _not_on("yellow_from", as_of, prefix) & _not_on("red_from", as_of, prefix)
    else:
        q = Q(pk__in=[])
    return stored_q(as_of, prefix) & q


def overdue_q(as_of: dt.date, prefix: str = "task__") -> Q:
    """Stored rows overdue on ``as_of`` (``status.is_overdue``)."""
    return stored_q(as_of, prefix) & _on("overdue_from", as_of, prefix)


def light_case(as_of: dt.date, prefix: str = "task__") -> Case:
    """The stored light on ``as_of`` as an expression ("red" / "yellow" / "green"; NULL for
    the rows the Python rule judges), for counting by light."""
    return Case(
        When(unstored_q(as_of, prefix), then=Value(None)),
        When(_on("red_from", as_of, prefix), then=Value(Light.RED.value)),
        When(_on("yellow_from", as_of, prefix), then=Value(Light.YELLOW.value)),
        default=Value(Light.GREEN.value),
        output_field=CharField(),
    )


def calendar_changed(sender: type, instance: object, raw: bool = False, **kwargs: object) -> None:
    """A working day moved (an override saved or deleted, a year's notice confirmed): the
    dates of every open task are rewritten (a finished task is green whatever the calendar).

    Connected in ``apps.py``. A holiday notice writes its overrides in a batch and then
    saves its CalendarYear: that save alone rebuilds (the calendar module's ``_batch``).
    """
    from taizhang.core import calendar
    from taizhang.core.models import CalendarOverride

    if raw or (calendar._batch and sender is CalendarOverride):
        return
    calendar.reset_calendar()
    rebuild(Matter.objects.exclude(status__in=list(FINISHED)))


def fill_after_migrate(**kwargs: Any) -> None:
    """post_migrate: tasks without stored dates (a database upgraded to them) get them once;
    until then their lights are the Python rule's, row by row."""
    if kwargs.get("using", "default") != "default":
        return
    if TaskDetail._meta.db_table not in connection.introspection.table_names():
        return
    unset = Matter.objects.filter(task__isnull=False, task__light_base__isnull=True)
    if unset.exists():
        rebuild(unset)
