"""Supervision-task rules (督办任务): report schedule, progress against target and pace, the light.

Pure functions: no database, no clock. "today" and the working-day calendar are arguments.

Progress (完成进度) of a quantitative task, from the latest reported actual value:

* floor targets (``>=``, ``>``, ``=``, ``≈``: 以上、不低于、达到 …): actual ÷ target × 100,
  one decimal half up (3604 of 3400 → 106.0%). Compared with 时序进度 (the elapsed share
  of the task's period): lag = 时序进度 − 完成进度; lag > red margin → red, lag > yellow
  margin → yellow ("slightly behind"), else on track.
* ceiling targets (``<=``, ``<``: 以内、不超过、控制在 …) are caps, not amounts to
  accumulate, so they have no pace. Progress is shown inverted: target ÷ actual × 100
  (≥ 100% = within the cap; an actual of 0 counts as 100%). Over the cap (or at it for
  ``<``) → red; within ``ceiling_warn`` percent of the cap → yellow; else green.

Light (亮灯) of an open task, the worst of:

* red: past its deadline; a report missed (due date passed, nothing submitted); behind
  pace by more than the red margin; over a ceiling;
* yellow: deadline or the next report due within ``yellow_workdays`` working days;
  behind pace by more than the yellow margin; close to a ceiling;
* green: otherwise. A finished task is green ("按期办结" / "逾期办结").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from taizhang.lib.lights import Light, LightResult, deadline_light, project_light
from taizhang.lib.numbers import (
    Number,
    _fraction_to_1dp,
    elapsed_share_date,
    quantize_1,
    rate,
    to_decimal,
)
from taizhang.lib.periods import day_in_month, month_code, quarter_code, quarter_of
from taizhang.lib.periods import label_end as period_end  # "2024-03"/"2024Q1" → last day
from taizhang.lib.workdays import WorkCalendar

__all__ = [
    "CEILING",
    "CYCLES",
    "DuePeriod",
    "Progress",
    "elapsed_share",
    "missed_periods",
    "next_due",
    "period_end",
    "progress",
    "report_schedule",
    "task_light",
]

CYCLES = {"monthly": "每月", "quarterly": "每季度", "none": "不定期"}
COMPARATORS = (">=", ">", "=", "≈", "<=", "<")
CEILING = frozenset({"<=", "<"})


@dataclass(frozen=True)
class DuePeriod:
    """One progress report that falls due: period label ("2024-03", "2024Q1") and due date."""

    label: str
    due: dt.date


def report_schedule(
    start: dt.date,
    end: dt.date,
    cycle: str = "monthly",
    due_day: int = 25,
    *,
    year: int | None = None,
) -> list[DuePeriod]:
    """Reports due from ``start`` to ``end`` (the task's deadline or its 办结 date).

    Monthly: one per month, due on ``due_day`` (the month's last day when shorter);
    quarterly: one per quarter, due on ``due_day`` of its last month. A period whose due
    date falls before ``start`` is not owed; the period containing ``end`` is due on
    ``end`` at the latest. ``year`` is the task's own year: a task for 2027 created in
    December 2026 owes nothing for 2026, so no period starts before 1 January of it.
    """
    if year is not None:
        start = max(start, dt.date(year, 1, 1))
    if cycle not in CYCLES:
        raise ValueError(f"报送周期无效：{cycle}")
    if not 1 <= due_day <= 31:
        raise ValueError(f"报送日应在1至31之间：{due_day}")
    if cycle == "none" or end < start:
        return []
    out: list[DuePeriod] = []
    y, m = start.year, start.month
    if cycle == "quarterly":
        m = (m - 1) // 3 * 3 + 3
    step = 3 if cycle == "quarterly" else 1
    while (y, m - step + 1) <= (end.year, end.month):
        due = min(day_in_month(y, m, due_day), end)
        if due >= start:
            label = quarter_code(y, quarter_of(m)) if cycle == "quarterly" else month_code(y, m)
            out.append(DuePeriod(label, due))
        m += step
        if m > 12:
            y, m = y + 1, m - 12
    return out


def missed_periods(
    schedule: Iterable[DuePeriod], submitted: Mapping[str, dt.date], as_of: dt.date
) -> list[DuePeriod]:
    """Periods due before ``as_of`` with no report submitted by ``as_of`` (the due day itself is fine)."""
    return [
        p
        for p in schedule
        if p.due < as_of and (submitted.get(p.label) is None or submitted[p.label] > as_of)
    ]


def next_due(
    schedule: Iterable[DuePeriod], submitted: Mapping[str, dt.date], as_of: dt.date
) -> DuePeriod | None:
    """The first period not yet reported whose due date is today or later."""
    for p in schedule:
        if p.due >= as_of and submitted.get(p.label) is None:
            return p
    return None


def elapsed_share(start: dt.date, end: dt.date, as_of: dt.date) -> Decimal:
    """时序进度 of a period in percent, one decimal.

    A calendar-year period uses :func:`elapsed_share_date` (day of year ÷ days in year);
    any other period counts days the same way: (as_of − start + 1) ÷ (end − start + 1).
    """
    if as_of < start:
        return Decimal("0.0")
    if as_of >= end:
        return Decimal("100.0")
    if start == dt.date(end.year, 1, 1) and end == dt.date(end.year, 12, 31):
        return elapsed_share_date(as_of)
    return _fraction_to_1dp(Fraction(((as_of - start).days + 1) * 100, (end - start).days + 1))


@dataclass(frozen=True)
class Progress:
    pct: Decimal | None  # 完成进度 (inverted for ceilings)
    pace: Decimal | None  # 时序进度; None for ceilings
    light: Light
    reason: str


def _pts(d: Decimal) -> str:
    return f"{quantize_1(abs(d)):f}"


def progress(
    actual: Number | None,
    target: Number | None,
    comparator: str,
    pace: Number | None,
    red_margin: Number = Decimal(10),
    yellow_margin: Number = Decimal(0),
    ceiling_warn: Number = Decimal(10),
) -> Progress | None:
    """Progress of a quantitative task; None for a qualitative one (no target)."""
    if target is None or comparator not in COMPARATORS:
        return None
    t = to_decimal(target)
    if actual is None:
        return Progress(
            None,
            None if comparator in CEILING else to_decimal(pace or 0),
            Light.GREEN,
            "尚未报送实际值",
        )
    a = to_decimal(actual)
    if comparator in CEILING:
        pct = Decimal("100.0") if a <= 0 else rate(t, a)
        over = a > t if comparator == "<=" else a >= t
        if over:
            return Progress(
                pct, None, Light.RED, f"实际值{a.normalize():f}超出控制目标{t.normalize():f}"
            )
        warn = t * (100 - to_decimal(ceiling_warn)) / 100
        if a > warn:
            return Progress(pct, None, Light.YELLOW, "实际值接近控制目标上限")
        return Progress(pct, None, Light.GREEN, "实际值在控制目标以内")
    pct = rate(a, t) if t != 0 else (Decimal("100.0") if a >= 0 else Decimal("0.0"))
    p = to_decimal(pace if pace is not None else 0)
    lag = p - pct
    red, yellow = to_decimal(red_margin), to_decimal(yellow_margin)
    if pct >= 100:
        return Progress(pct, p, Light.GREEN, f"已完成目标（{pct}%）")
    if lag > red:
        return Progress(pct, p, Light.RED, f"完成进度落后时序进度{_pts(lag)}个百分点")
    if lag > yellow:
        return Progress(pct, p, Light.YELLOW, f"完成进度落后时序进度{_pts(lag)}个百分点")
    return Progress(pct, p, Light.GREEN, "完成进度不落后于时序进度")


def task_light(
    *,
    deadline: dt.date | None,
    finished_on: dt.date | None,
    today: dt.date,
    cal: WorkCalendar,
    schedule: Iterable[DuePeriod] = (),
    submitted: Mapping[str, dt.date] | None = None,
    prog: Progress | None = None,
    yellow_workdays: int = 5,
) -> LightResult:
    """The light of a supervision task and its reason (see the module docstring)."""
    if finished_on is not None:
        if deadline is not None and finished_on > deadline:
            return LightResult(Light.GREEN, "逾期办结")
        return LightResult(Light.GREEN, "按期办结")
    results: list[LightResult] = []
    if deadline is not None:
        results.append(deadline_light(deadline, None, today, cal, yellow_workdays))
    subs = submitted or {}
    sched = list(schedule)
    missed = missed_periods(sched, subs, today)
    if missed:
        labels = "、".join(p.label for p in missed[:3]) + ("等" if len(missed) > 3 else "")
        results.append(LightResult(Light.RED, f"{labels}进度未报送（{len(missed)}期）"))
    nxt = next_due(sched, subs, today)
    if nxt is not None:
        left = cal.workdays_between(today, nxt.due)
        if left.days <= yellow_workdays:
            when = "今日" if nxt.due == today else f"{nxt.due:%m月%d日}".lstrip("0")
            results.append(
                LightResult(Light.YELLOW, f"{nxt.label}进度应于{when}前报送", left.confirmed)
            )
    if prog is not None and prog.reason:
        results.append(LightResult(prog.light, prog.reason))
    if not results:
        return LightResult(Light.GREEN, "正常推进")
    return project_light(results)
