"""China's official working-day calendar (State Council holiday notices).

Model: let C(d) be the number of working days on or before d. Then

* ``workdays_between(a, b).days == C(b) - C(a)``, i.e. the number of working
  days in (a, b] when b >= a, and minus the number in (b, a] when b < a;
* ``add_workdays(a, n).date`` is the earliest date r with C(r) == C(a) + n.
  That date is always a working day (for n != 0).  For n > 0 it is the n-th
  working day after a.  For n < 0 it is the |n|-th working day before a *if a
  is a working day*; a non-working start counts as the working day before it
  (Sunday - 1 = Thursday, just as Friday - 1 = Thursday), which is what makes
  ``workdays_between(a, add_workdays(a, n).date).days == n`` hold for every n;
* ``due_in_workdays(today, deadline) == workdays_between(today, deadline).days``.

Years unknown to ``chinese_calendar`` fall back to the statutory holidays of
《全国年节及纪念日放假办法》 as revised in 2024 (see :func:`statutory_holidays`) on
top of Monday-Friday, plus overrides; results touching such a year are flagged
``confirmed=False`` unless the year is listed in ``confirmed_years`` (the office
has entered that year's State Council notice as overrides).
"""

from __future__ import annotations

import bisect
import functools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime

import chinese_calendar
from lunardate import LunarDate

__all__ = [
    "WorkCalendar",
    "WorkdayCount",
    "WorkdayError",
    "WorkdayResult",
    "statutory_holidays",
]


class WorkdayError(ValueError):
    """Bad input to the working-day calendar."""


@dataclass(frozen=True)
class WorkdayResult:
    """A computed date; ``confirmed`` is False if a fallback year was used."""

    date: date
    confirmed: bool


@dataclass(frozen=True)
class WorkdayCount:
    """A signed working-day count; ``confirmed`` as in :class:`WorkdayResult`."""

    days: int
    confirmed: bool


@functools.cache
def _library_year(year: int) -> tuple[int, ...] | None:
    """Sorted ordinals of the library's working days in ``year``, None if unknown."""
    try:
        chinese_calendar.is_workday(date(year, 1, 1))
    except NotImplementedError:
        return None
    start = date(year, 1, 1).toordinal()
    end = date(year, 12, 31).toordinal()
    return tuple(
        o for o in range(start, end + 1) if chinese_calendar.is_workday(date.fromordinal(o))
    )


@functools.cache
def _qingming(year: int) -> date:
    """清明 solar-term date; chinese_calendar computes solar terms for any year."""
    terms = chinese_calendar.get_solar_terms(date(year, 4, 1), date(year, 4, 10))
    for d, name in terms:
        if name == "清明":
            return d
    raise WorkdayError(f"无法计算{year}年清明日期")  # pragma: no cover - always in 4-6 April


@functools.cache
def statutory_holidays(year: int) -> dict[date, str]:
    """Statutory public holidays of ``year`` per 《全国年节及纪念日放假办法》 (2024 revision).

    元旦 1 day, 春节 4 days (除夕 through 正月初三), 清明 1 day, 劳动节 2 days,
    端午 1 day, 中秋 1 day, 国庆 3 days. No 调休: the make-up working days and
    bridged weekends are only known once the State Council publishes its notice.
    Lunar dates come from ``lunardate`` (valid 1900-2099).
    """
    if not 1901 <= year <= 2099:
        raise WorkdayError(f"{year}年超出农历可计算范围（1901-2099）")
    out: dict[date, str] = {date(year, 1, 1): "元旦"}
    # 春节 of ``year`` starts on 除夕, the day before 正月初一 (always in Jan/Feb).
    new_year = LunarDate(year, 1, 1).to_solar_date()
    for i in range(-1, 3):
        out[date.fromordinal(new_year.toordinal() + i)] = "春节"
    out[_qingming(year)] = "清明节"
    out[date(year, 5, 1)] = out[date(year, 5, 2)] = "劳动节"
    out[LunarDate(year, 5, 5).to_solar_date()] = "端午节"
    out[LunarDate(year, 8, 15).to_solar_date()] = "中秋节"
    for day in (1, 2, 3):
        out[date(year, 10, day)] = "国庆节"
    return out


@dataclass(frozen=True)
class _Year:
    first: int  # ordinal of 1 Jan
    last: int  # ordinal of 31 Dec
    workdays: tuple[int, ...]  # sorted ordinals
    workday_set: frozenset[int]
    known: bool  # library has data for the year, or the office entered its notice
    overridden: tuple[int, ...]  # sorted ordinals that carry an override


def _as_date(d: date) -> date:
    # datetime is a date subclass but hashes differently; overrides are keyed by date.
    if isinstance(d, datetime):
        return d.date()
    if not isinstance(d, date):
        raise WorkdayError(f"不是日期：{d!r}")
    return d


class WorkCalendar:
    """Working-day calendar = chinese_calendar + statutory fallback + overrides.

    ``overrides`` (True = working day, False = day off) beat everything else and
    mark their date as confirmed even in a fallback year.  ``confirmed_years``
    are fallback years whose official notice has been entered (as overrides):
    every day in them counts as confirmed.  The inputs are copied; build a new
    calendar when the admin-edited overrides change.
    """

    __slots__ = ("_confirmed_years", "_overrides", "_override_years", "_years")

    def __init__(
        self,
        overrides: Mapping[date, bool] | None = None,
        confirmed_years: Iterable[int] = (),
    ) -> None:
        self._confirmed_years = frozenset(int(y) for y in confirmed_years)
        self._overrides: dict[int, bool] = {}
        for d, working in (overrides or {}).items():
            self._overrides[_as_date(d).toordinal()] = bool(working)
        self._override_years: dict[int, list[int]] = {}
        for o in sorted(self._overrides):
            self._override_years.setdefault(date.fromordinal(o).year, []).append(o)
        self._years: dict[int, _Year] = {}

    def _year(self, year: int) -> _Year:
        y = self._years.get(year)
        if y is not None:
            return y
        if not date.min.year <= year <= date.max.year:
            raise WorkdayError("日期超出可计算范围")
        first = date(year, 1, 1).toordinal()
        last = date(year, 12, 31).toordinal()
        library = _library_year(year)
        if library is None:
            # Ordinal 1 (0001-01-01) is a Monday, so (o - 1) % 7 is the weekday.
            base = {o for o in range(first, last + 1) if (o - 1) % 7 < 5}
            # A year whose notice was entered gets all its holidays from the
            # overrides; otherwise the statutory days are the best guess.
            if year not in self._confirmed_years and 1901 <= year <= 2099:
                base -= {d.toordinal() for d in statutory_holidays(year)}
        else:
            base = set(library)
        overridden = tuple(self._override_years.get(year, ()))
        for o in overridden:
            if self._overrides[o]:
                base.add(o)
            else:
                base.discard(o)
        y = _Year(
            first=first,
            last=last,
            workdays=tuple(sorted(base)),
            workday_set=frozenset(base),
            known=library is not None or year in self._confirmed_years,
            overridden=overridden,
        )
        self._years[year] = y
        return y

    # -- single days -------------------------------------------------------

    def is_workday(self, d: date) -> bool:
        """True if ``d`` is a working day."""
        d = _as_date(d)
        return d.toordinal() in self._year(d.year).workday_set

    def is_confirmed(self, d: date) -> bool:
        """True if the library (or an entered notice) knows ``d``'s year, or ``d`` has an override."""
        d = _as_date(d)
        return self._year(d.year).known or d.toordinal() in self._overrides

    def _range_confirmed(self, lo: int, hi: int) -> bool:
        """True if every ordinal in [lo, hi] is confirmed (empty range: True)."""
        if lo > hi:
            return True
        for year in range(date.fromordinal(lo).year, date.fromordinal(hi).year + 1):
            y = self._year(year)
            if y.known:
                continue
            a, b = max(lo, y.first), min(hi, y.last)
            # Confirmed only if every day in the slice carries an override.
            covered = bisect.bisect_right(y.overridden, b) - bisect.bisect_left(y.overridden, a)
            if covered != b - a + 1:
                return False
        return True

    # -- arithmetic ----------------------------------------------------------

    def add_workdays(self, start: date, n: int) -> WorkdayResult:
        """Earliest date r with C(r) == C(start) + n (see module docstring).

        n > 0: the n-th working day after ``start`` (start not counted).
        n == 0: ``start`` unchanged, confirmed=True (no day consulted).
        n < 0: the |n|-th working day before ``start``, where a non-working
        ``start`` first rolls back to the previous working day.
        """
        start = _as_date(start)
        if n == 0:
            return WorkdayResult(start, True)
        so = start.toordinal()
        year = start.year
        y = self._year(year)
        # 0-based index into y.workdays of the result: the working day whose
        # C value is C(start) + n.
        idx = bisect.bisect_right(y.workdays, so) + n - 1
        while idx >= len(y.workdays):
            idx -= len(y.workdays)
            year += 1
            y = self._year(year)
        while idx < 0:
            year -= 1
            y = self._year(year)
            idx += len(y.workdays)
        ro = y.workdays[idx]
        if n > 0:
            confirmed = self._range_confirmed(so + 1, ro)
        else:
            # Whether start itself is a working day matters when going back.
            confirmed = self._range_confirmed(ro, so)
        return WorkdayResult(date.fromordinal(ro), confirmed)

    def _count_upto(self, o: int) -> tuple[int, int]:
        """(year, number of working days in that year on or before ordinal o)."""
        year = date.fromordinal(o).year
        return year, bisect.bisect_right(self._year(year).workdays, o)

    def workdays_between(self, a: date, b: date) -> WorkdayCount:
        """C(b) - C(a): working days in (a, b], negated when b < a."""
        a, b = _as_date(a), _as_date(b)
        if a == b:
            return WorkdayCount(0, True)
        sign = 1
        if b < a:
            a, b, sign = b, a, -1
        ao, bo = a.toordinal(), b.toordinal()
        ya, ca = self._count_upto(ao)
        yb, cb = self._count_upto(bo)
        total = cb - ca
        for year in range(ya, yb):
            total += len(self._year(year).workdays)
        return WorkdayCount(sign * total, self._range_confirmed(ao + 1, bo))

    def due_in_workdays(self, today: date, deadline: date) -> int:
        """Working days left: ``workdays_between(today, deadline).days``.

        today <= deadline: working days in (today, deadline], so 0 on the
        deadline day itself (and when only days off remain before it).
        today > deadline: -(working days in (deadline, today]); this can be 0
        on a day off right after the deadline, so decide "overdue" by comparing
        dates (today > deadline), never by the sign of this number.
        """
        return self.workdays_between(today, deadline).days

    def year_confirmed(self, year: int) -> bool:
        """True if the whole year is known (library data or an entered notice)."""
        return self._year(year).known

    def days(self, start: date, end: date) -> list[tuple[date, bool, bool]]:
        """(date, is_workday, confirmed) for every day in [start, end], for bulk tables."""
        out = []
        for o in range(_as_date(start).toordinal(), _as_date(end).toordinal() + 1):
            d = date.fromordinal(o)
            y = self._year(d.year)
            out.append((d, o in y.workday_set, y.known or o in self._overrides))
        return out

    def next_workday(self, d: date, *, inclusive: bool = True) -> date:
        """``d`` if it is a working day (and inclusive), else the next one."""
        d = _as_date(d)
        if inclusive and self.is_workday(d):
            return d
        return self.add_workdays(d, 1).date
