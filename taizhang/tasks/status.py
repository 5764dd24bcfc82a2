"""A task's state today: report schedule, missed reports, progress vs target and pace, the light.

The rules are pure (taizhang/lib/task_lights.py); this module feeds them from the database.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings

from taizhang.core.calendar import get_calendar
from taizhang.lib.lights import Light, LightResult, deadline_light
from taizhang.lib.task_lights import (
    DuePeriod,
    Progress,
    elapsed_share,
    missed_periods,
    next_due,
    period_end,
    progress,
    report_schedule,
    task_light,
)
from taizhang.matters.models import FINISHED, Matter
from taizhang.matters.timing import MatterState


@dataclass
class TaskStatus:
    light: LightResult
    schedule: list[DuePeriod] = field(default_factory=list)
    missed: list[DuePeriod] = field(default_factory=list)
    next_due: DuePeriod | None = None
    progress: Progress | None = None
    reports: list = field(default_factory=list)

    @property
    def progress_pct(self) -> Decimal | None:
        return self.progress.pct if self.progress else None

    @property
    def pace_pct(self) -> Decimal | None:
        return self.progress.pace if self.progress else None


def _detail(m: Matter):
    try:
        return m.task
    except Exception:  # RelatedObjectDoesNotExist: a matter created without task fields
        return None


def _reports(m: Matter) -> list:
    cache = getattr(m, "_prefetched_objects_cache", {})
    if "task_reports" in cache:
        return sorted(cache["task_reports"], key=lambda r: r.period)
    return list(m.task_reports.order_by("period"))


def schedule_of(m: Matter, detail=None, state: MatterState | None = None) -> list[DuePeriod]:
    d = detail or _detail(m)
    if d is None:
        return []
    deadline = state.deadline if state is not None else m.deadline
    end = deadline or dt.date(d.year, 12, 31)
    finished = state.finished_on if state is not None else None
    if state is None and m.status in FINISHED and m.finished_on:
        finished = m.finished_on
    if finished:
        end = min(end, finished)
    return report_schedule(d.start, end, d.cycle, d.due_day, year=d.year)


def task_status(m: Matter, today: dt.date, state: MatterState | None = None) -> TaskStatus:
    """The task as of ``today``; ``state`` (from taizhang.matters.timing) for a past date.

    Only reports submitted by ``today`` count.
    """
    d = _detail(m)
    reports = [r for r in _reports(m) if r.submitted_on is None or r.submitted_on <= today]
    if state is None:
        finished = m.finished_on if m.status in FINISHED else None
        deadline = m.deadline
    else:
        finished, deadline = state.finished_on, state.deadline
    if d is None:
        res = (
            deadline_light(
                deadline, finished, today, get_calendar(), settings.TAIZHANG["YELLOW_WORKDAYS"]
            )
            if deadline
            else LightResult(Light.GREEN, "未设完成时限")
        )
        return TaskStatus(light=res, reports=reports)
    sched = schedule_of(m, d, state)
    submitted = {r.period: r.submitted_on for r in reports}
    prog = None
    if d.quantitative:
        latest = next((r for r in reversed(reports) if r.actual_value is not None), None)
        actual = latest.actual_value if latest else None
        # 时序进度 is the elapsed share of the task's own year: 0% before it begins.
        start = dt.date(d.year, 1, 1)
        end = deadline or dt.date(d.year, 12, 31)
        as_of = min(period_end(latest.period), end) if latest else today
        conf = settings.TAIZHANG
        prog = progress(
            actual,
            d.target_value,
            d.comparator,
            elapsed_share(start, max(end, start), as_of),
            conf["PACE_RED_MARGIN"],
            conf["PACE_YELLOW_MARGIN"],
        )
    light = task_light(
        deadline=deadline,
        finished_on=finished,
        today=today,
        cal=get_calendar(),
        schedule=sched,
        submitted=submitted,
        prog=prog,
        yellow_workdays=settings.TAIZHANG["YELLOW_WORKDAYS"],
    )
    return TaskStatus(
        light=light,
        schedule=sched,
        missed=[] if finished else missed_periods(sched, submitted, today),
        next_due=None if finished else next_due(sched, submitted, today),
        progress=prog,
        reports=reports,
    )


def is_overdue(m: Matter, st: TaskStatus, today: dt.date, state: MatterState | None = None) -> bool:
    """Open and past its deadline or missing a report on ``today`` (``state``: as it was then)."""
    status, deadline = (state.status, state.deadline) if state else (m.status, m.deadline)
    if status in FINISHED:
        return False
    return bool(st.missed) or (deadline is not None and deadline < today)


def light_rule(m: Matter, state: MatterState, as_of: dt.date, cal) -> LightResult | None:
    """Task light as of ``as_of``: worst of the deadline, missed reports and pace then."""
    if _detail(m) is None and state.deadline is None:
        return None
    return task_status(m, as_of, state).light
