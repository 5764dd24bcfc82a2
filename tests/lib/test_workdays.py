from __future__ import annotations

import time
from datetime import date, datetime, timedelta

import chinese_calendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from taizhang.lib.workdays import (
    WorkCalendar,
    WorkdayCount,
    WorkdayError,
    WorkdayResult,
    statutory_holidays,
)

CAL = WorkCalendar()


def _ref_is_workday(cal: WorkCalendar, d: date) -> bool:
    """Slow reference straight from the library / statutory fallback rule."""
    try:
        return chinese_calendar.is_workday(d)
    except NotImplementedError:
        return d.weekday() < 5 and d not in statutory_holidays(d.year)


def _ref_add(cal: WorkCalendar, start: date, n: int) -> date:
    """Day-by-day reference: n-th working day after (n>0) the start."""
    d = start
    left = n
    while left > 0:
        d += timedelta(days=1)
        if cal.is_workday(d):
            left -= 1
    return d


def _ref_between(cal: WorkCalendar, a: date, b: date) -> int:
    lo, hi, sign = (a, b, 1) if a <= b else (b, a, -1)
    n = 0
    d = lo
    while d < hi:
        d += timedelta(days=1)
        n += cal.is_workday(d)
    return sign * n


# -- National Day 2026 --------------------------------------------------------


def test_national_day_2026_library_facts():
    for day in range(1, 8):
        assert not CAL.is_workday(date(2026, 10, day))
    assert CAL.is_workday(date(2026, 9, 20))  # Sunday make-up day (调休)
    assert CAL.is_workday(date(2026, 10, 10))  # Saturday make-up day
    assert CAL.is_confirmed(date(2026, 10, 1))


def test_add_workdays_across_national_day_2026():
    assert CAL.add_workdays(date(2026, 9, 30), 1) == WorkdayResult(date(2026, 10, 8), True)
    assert CAL.add_workdays(date(2026, 9, 30), 2).date == date(2026, 10, 9)
    # 10-10 is a make-up Saturday, so it is the third working day.
    assert CAL.add_workdays(date(2026, 9, 30), 3).date == date(2026, 10, 10)
    assert CAL.add_workdays(date(2026, 9, 30), 4).date == date(2026, 10, 12)
    assert CAL.add_workdays(date(2026, 10, 8), -1).date == date(2026, 9, 30)
    assert CAL.workdays_between(date(2026, 9, 30), date(2026, 10, 10)) == WorkdayCount(3, True)


def test_make_up_sunday_is_counted():
    # 2026-09-19 Sat off, 09-20 Sun worked.
    assert CAL.add_workdays(date(2026, 9, 18), 1).date == date(2026, 9, 20)
    assert CAL.workdays_between(date(2026, 9, 18), date(2026, 9, 21)).days == 2


def test_zero_and_plain_week():
    assert CAL.add_workdays(date(2026, 3, 7), 0) == WorkdayResult(date(2026, 3, 7), True)
    # Fri 2026-03-06 + 1 -> Mon 03-09; Mon - 1 -> Fri.
    assert CAL.add_workdays(date(2026, 3, 6), 1).date == date(2026, 3, 9)
    assert CAL.add_workdays(date(2026, 3, 9), -1).date == date(2026, 3, 6)


def test_negative_from_day_off_rolls_back_first():
    # Sunday counts as "end of Friday": Sunday - 1 == Friday - 1 == Thursday.
    sunday = date(2026, 3, 8)
    assert CAL.add_workdays(sunday, -1).date == date(2026, 3, 5)
    assert CAL.add_workdays(date(2026, 3, 6), -1).date == date(2026, 3, 5)
    assert CAL.workdays_between(sunday, date(2026, 3, 5)).days == -1
    assert CAL.workdays_between(sunday, date(2026, 3, 6)).days == 0


def test_datetime_accepted():
    assert CAL.add_workdays(datetime(2026, 9, 30, 15, 0), 1).date == date(2026, 10, 8)
    assert CAL.is_workday(datetime(2026, 10, 10, 9, 0))


def test_bad_input():
    with pytest.raises(WorkdayError):
        CAL.is_workday("2026-01-01")  # type: ignore[arg-type]


# -- overrides ---------------------------------------------------------------


def test_override_makes_day_off():
    cal = WorkCalendar({date(2026, 10, 8): False})
    assert not cal.is_workday(date(2026, 10, 8))
    assert cal.add_workdays(date(2026, 9, 30), 1).date == date(2026, 10, 9)
    assert cal.workdays_between(date(2026, 9, 30), date(2026, 10, 9)).days == 1
    # The default calendar is unaffected.
    assert CAL.is_workday(date(2026, 10, 8))


def test_override_makes_day_working():
    cal = WorkCalendar({date(2026, 10, 3): True})
    assert cal.add_workdays(date(2026, 9, 30), 1).date == date(2026, 10, 3)


def test_override_accepts_datetime_keys():
    cal = WorkCalendar({datetime(2026, 10, 8, 0, 0): False})
    assert not cal.is_workday(date(2026, 10, 8))


# -- fallback years ------------------------------------------------------------


def test_it_falls_back_to_statutory_holidays_in_2031_unconfirmed():
    # 2031-01-01 is a Wednesday: a statutory holiday even before the notice exists.
    assert not CAL.is_workday(date(2031, 1, 1))
    assert CAL.is_workday(date(2031, 1, 2))
    assert not CAL.is_workday(date(2031, 1, 4))  # Saturday
    assert not CAL.is_confirmed(date(2031, 1, 2))
    r = CAL.add_workdays(date(2031, 1, 3), 1)  # Friday -> Monday
    assert r == WorkdayResult(date(2031, 1, 6), False)
    # 22 weekdays in (01-01, 01-31], minus 春节 on Wed 22 (除夕), Thu 23 and Fri 24.
    assert CAL.workdays_between(date(2031, 1, 1), date(2031, 1, 31)) == WorkdayCount(19, False)


def test_it_counts_a_deadline_across_2027_new_year_and_spring_festival_unconfirmed():
    # 2026-12-31 (Thu) + 1 skips 元旦 (Fri 2027-01-01) and the weekend.
    assert CAL.add_workdays(date(2026, 12, 31), 1) == WorkdayResult(date(2027, 1, 4), False)
    # 春节 2027: 除夕 Fri 02-05 .. 初三 Mon 02-08 off (Sat/Sun are weekend anyway).
    for d in (date(2027, 2, 5), date(2027, 2, 8)):
        assert not CAL.is_workday(d)
    assert CAL.add_workdays(date(2027, 2, 4), 1) == WorkdayResult(date(2027, 2, 9), False)
    assert CAL.workdays_between(date(2027, 1, 29), date(2027, 2, 12)).days == 8


def test_it_knows_the_statutory_days_of_2027():
    h = statutory_holidays(2027)
    assert len(h) == 13
    assert [d for d, n in h.items() if n == "春节"] == [
        date(2027, 2, 5),
        date(2027, 2, 6),
        date(2027, 2, 7),
        date(2027, 2, 8),
    ]
    assert h[date(2027, 4, 5)] == "清明节"
    assert h[date(2027, 6, 9)] == "端午节"
    assert h[date(2027, 9, 15)] == "中秋节"


@pytest.mark.parametrize("year", range(2020, 2027))
def test_it_computes_qingming_like_the_library(year):
    (qingming,) = [d for d, n in statutory_holidays(year).items() if n == "清明节"]
    assert chinese_calendar.get_holiday_detail(qingming) == (
        True,
        chinese_calendar.Holiday.tomb_sweeping_day.value,
    )


@pytest.mark.parametrize("year", [2025, 2026])
def test_it_computes_the_revised_statutory_days_the_library_has_off(year):
    # The 2024 revision applies from 2025: every statutory day is off in the library.
    for d in statutory_holidays(year):
        assert not chinese_calendar.is_workday(d), d


def test_a_year_confirmed_by_notice_follows_its_overrides_only():
    cal = WorkCalendar({date(2027, 1, 1): False, date(2027, 2, 14): True}, confirmed_years={2027})
    assert cal.is_confirmed(date(2027, 3, 3))
    assert not cal.is_workday(date(2027, 1, 1))
    assert cal.is_workday(date(2027, 2, 14))  # a make-up Sunday
    # Not in the overrides, so a plain Monday: the notice decides, not the statutory guess.
    assert cal.is_workday(date(2027, 2, 8))
    assert cal.add_workdays(date(2026, 12, 31), 1) == WorkdayResult(date(2027, 1, 4), True)


def test_result_crossing_into_fallback_year_is_unconfirmed():
    r = CAL.add_workdays(date(2026, 12, 31), 1)
    assert r.confirmed is False
    assert CAL.add_workdays(date(2026, 12, 1), 5).confirmed is True
    assert CAL.workdays_between(date(2026, 12, 1), date(2027, 1, 5)).confirmed is False


def test_overrides_in_fallback_year():
    cal = WorkCalendar(
        {
            date(2031, 1, 2): False,  # a bridging day off
            date(2031, 1, 4): True,  # a make-up Saturday
        }
    )
    assert not cal.is_workday(date(2031, 1, 2))
    assert cal.is_confirmed(date(2031, 1, 2))
    assert cal.is_workday(date(2031, 1, 4))
    assert not cal.is_confirmed(date(2031, 1, 3))
    # 2030-12-31 (Tue) + 1 skips 元旦 and the overridden 01-02; 01-01 has no
    # override -> unconfirmed.
    assert cal.add_workdays(date(2030, 12, 31), 1) == WorkdayResult(date(2031, 1, 3), False)
    assert cal.add_workdays(date(2031, 1, 3), 1).date == date(2031, 1, 4)
    # A range made only of overridden days is confirmed.
    assert cal.workdays_between(date(2031, 1, 1), date(2031, 1, 2)) == WorkdayCount(0, True)
    assert cal.workdays_between(date(2031, 1, 3), date(2031, 1, 4)) == WorkdayCount(1, True)


# -- due_in_workdays -------------------------------------------------------------


def test_due_in_workdays():
    deadline = date(2026, 10, 9)  # Friday
    assert CAL.due_in_workdays(deadline, deadline) == 0
    assert CAL.due_in_workdays(date(2026, 10, 8), deadline) == 1
    assert CAL.due_in_workdays(date(2026, 9, 30), deadline) == 2  # holiday skipped
    assert CAL.due_in_workdays(date(2026, 10, 10), deadline) == -1  # make-up Saturday
    assert CAL.due_in_workdays(date(2026, 10, 11), deadline) == -1  # Sunday
    assert CAL.due_in_workdays(date(2026, 10, 12), deadline) == -2
    # A day off right after the deadline: overdue but zero working days elapsed.
    assert CAL.due_in_workdays(date(2026, 3, 7), date(2026, 3, 6)) == 0


def test_next_workday():
    assert CAL.next_workday(date(2026, 10, 1)) == date(2026, 10, 8)
    assert CAL.next_workday(date(2026, 10, 8)) == date(2026, 10, 8)
    assert CAL.next_workday(date(2026, 10, 8), inclusive=False) == date(2026, 10, 9)


# -- properties ----------------------------------------------------------------

dates = st.dates(min_value=date(2020, 1, 1), max_value=date(2028, 12, 31))
steps = st.integers(min_value=-60, max_value=60)
OVERRIDDEN = WorkCalendar(
    {date(2026, 10, 8): False, date(2027, 2, 6): True, date(2028, 1, 3): False}
)


@settings(max_examples=400)
@given(a=dates, n=steps)
def test_add_then_between_round_trips(a: date, n: int):
    for cal in (CAL, OVERRIDDEN):
        r = cal.add_workdays(a, n)
        assert cal.workdays_between(a, r.date).days == n
        if n != 0:
            assert cal.is_workday(r.date)


@settings(max_examples=300)
@given(a=dates, n=st.integers(min_value=1, max_value=60))
def test_add_matches_day_by_day_reference(a: date, n: int):
    assert CAL.add_workdays(a, n).date == _ref_add(CAL, a, n)


@settings(max_examples=300)
@given(a=dates, b=dates)
def test_between_matches_reference_and_is_antisymmetric(a: date, b: date):
    if abs((b - a).days) > 400:
        b = a + timedelta(days=(b - a).days % 400)
    got = CAL.workdays_between(a, b)
    assert got.days == _ref_between(CAL, a, b)
    assert CAL.workdays_between(b, a).days == -got.days
    expected_confirmed = max(a, b).year <= 2026
    assert got.confirmed is (expected_confirmed or a == b)


@settings(max_examples=200)
@given(d=dates)
def test_is_workday_matches_library_or_weekdays(d: date):
    assert CAL.is_workday(d) == _ref_is_workday(CAL, d)
    assert CAL.is_confirmed(d) == (d.year <= 2026)


def test_fast_enough_for_bulk_use():
    cal = WorkCalendar({date(2026, 5, 9): True})
    starts = [date(2025, 1, 1) + timedelta(days=i % 900) for i in range(100_000)]
    t0 = time.perf_counter()
    for i, d in enumerate(starts):
        cal.add_workdays(d, i % 121 - 60)
    # ~0.2 s on a laptop; generous bound so a slow CI box does not flake.
    assert time.perf_counter() - t0 < 5
