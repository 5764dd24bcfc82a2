"""The supervision-task rules: report schedule, progress vs target and pace, the light."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from taizhang.lib.lights import Light
from taizhang.lib.task_lights import (
    DuePeriod,
    elapsed_share,
    missed_periods,
    next_due,
    period_end,
    progress,
    report_schedule,
    task_light,
)
from taizhang.lib.workdays import WorkCalendar

D = dt.date
CAL = WorkCalendar()


def test_it_schedules_monthly_reports_on_the_due_day_from_the_start():
    s = report_schedule(D(2024, 2, 26), D(2024, 12, 31), "monthly", 25)
    assert s[0] == DuePeriod("2024-03", D(2024, 3, 25))  # February's 25th was before the start
    assert s[-1] == DuePeriod("2024-12", D(2024, 12, 25))
    assert len(s) == 10


def test_it_clamps_the_due_day_to_short_months_and_to_the_deadline():
    s = report_schedule(D(2024, 1, 1), D(2024, 4, 10), "monthly", 31)
    assert [p.due for p in s] == [D(2024, 1, 31), D(2024, 2, 29), D(2024, 3, 31), D(2024, 4, 10)]


def test_it_schedules_quarterly_and_no_reports():
    q = report_schedule(D(2024, 2, 1), D(2024, 12, 31), "quarterly", 10)
    assert [p.label for p in q] == ["2024Q1", "2024Q2", "2024Q3", "2024Q4"]
    assert q[0].due == D(2024, 3, 10)
    assert report_schedule(D(2024, 1, 1), D(2024, 12, 31), "none") == []
    with pytest.raises(ValueError):
        report_schedule(D(2024, 1, 1), D(2024, 12, 31), "weekly")


def test_it_names_period_ends():
    assert period_end("2024-02") == D(2024, 2, 29)
    assert period_end("2024Q3") == D(2024, 9, 30)
    assert period_end("2024-Q3") == D(2024, 9, 30)  # the old notation is still read


def test_it_finds_missed_reports_and_the_next_due_one():
    s = report_schedule(D(2024, 1, 1), D(2024, 12, 31), "monthly", 25)
    got = {"2024-01": D(2024, 1, 20), "2024-03": D(2024, 3, 27)}
    # On the due day a report is not missed yet.
    assert [p.label for p in missed_periods(s, got, D(2024, 2, 25))] == []
    assert [p.label for p in missed_periods(s, got, D(2024, 2, 26))] == ["2024-02"]
    # A report submitted after the as-of date is still missing as of that date.
    assert [p.label for p in missed_periods(s, got, D(2024, 3, 26))] == ["2024-02", "2024-03"]
    assert next_due(s, got, D(2024, 3, 26)).label == "2024-04"


def test_it_measures_progress_against_the_target_and_the_pace():
    p = progress(3604, 3400, ">=", Decimal("50.0"))
    assert p.pct == Decimal("106.0") and p.light == Light.GREEN
    behind = progress(1000, 3760, ">=", Decimal("49.9"))  # 26.6% vs 49.9%: 23.3 points behind
    assert behind.pct == Decimal("26.6") and behind.light == Light.RED
    assert "落后时序进度23.3个百分点" in behind.reason
    slightly = progress(1700, 3760, ">=", Decimal("49.9"))  # 45.2%: 4.7 behind
    assert slightly.light == Light.YELLOW
    ahead = progress(2000, 3760, ">=", Decimal("49.9"))
    assert ahead.light == Light.GREEN
    assert progress(None, 3760, ">=", Decimal("10")).pct is None
    assert progress(5, None, "", Decimal("10")) is None


def test_it_inverts_ceiling_targets():
    ok = progress(Decimal("0.45"), Decimal("0.5"), "<=", Decimal("80"))
    assert ok.pct == Decimal("111.1") and ok.light == Light.GREEN and ok.pace is None
    near = progress(Decimal("0.48"), Decimal("0.5"), "<=", None)
    assert near.light == Light.YELLOW
    over = progress(Decimal("0.6"), Decimal("0.5"), "<=", None)
    assert over.pct == Decimal("83.3") and over.light == Light.RED
    assert progress(0, 3, "<=", None).pct == Decimal("100.0")
    assert progress(3, 3, "<", None).light == Light.RED


def test_it_uses_the_elapsed_share_of_the_period():
    assert elapsed_share(D(2024, 1, 1), D(2024, 12, 31), D(2024, 3, 31)) == Decimal("24.9")
    assert elapsed_share(D(2024, 1, 1), D(2024, 6, 30), D(2024, 3, 31)) == Decimal("50.0")
    assert elapsed_share(D(2024, 1, 1), D(2024, 12, 31), D(2025, 1, 5)) == Decimal("100.0")


def _light(today, submitted=None, prog=None, finished=None):
    s = report_schedule(D(2024, 1, 1), D(2024, 12, 31), "monthly", 25)
    return task_light(
        deadline=D(2024, 12, 31),
        finished_on=finished,
        today=today,
        cal=CAL,
        schedule=s,
        submitted=submitted or {},
        prog=prog,
    )


def test_it_lights_tasks_green_yellow_and_red():
    assert _light(D(2024, 1, 8)).light == Light.GREEN
    due_soon = _light(D(2024, 1, 22))
    assert due_soon.light == Light.YELLOW and "2024-01进度应于" in due_soon.reason
    missed = _light(D(2024, 1, 26))
    assert missed.light == Light.RED and "2024-01进度未报送" in missed.reason
    reported = _light(D(2024, 1, 26), {"2024-01": D(2024, 1, 24)})
    assert reported.light == Light.GREEN
    behind = _light(
        D(2024, 7, 1),
        {f"2024-{m:02d}": D(2024, m, 20) for m in range(1, 7)},
        progress(1000, 3760, ">=", Decimal("49.9")),
    )
    assert behind.light == Light.RED and "落后时序进度" in behind.reason
    overdue = _light(D(2025, 1, 3), {f"2024-{m:02d}": D(2024, m, 20) for m in range(1, 13)})
    assert overdue.light == Light.RED and "已逾期" in overdue.reason
    done = _light(D(2025, 1, 3), finished=D(2024, 12, 20))
    assert done.light == Light.GREEN and done.reason == "按期办结"
