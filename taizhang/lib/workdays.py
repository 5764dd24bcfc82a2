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

Years unknown to ``chinese_calendar`` fall back to Monday-Friday (plus
overrides) and results touching them are flagged ``confirmed=False``.
"""

from __future__ import annotations

import bisect
import functools
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

import chinese_calendar

__all__ = [
    "WorkCalendar",
    "WorkdayCount",
    "WorkdayError",
    "WorkdayResult",
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


@dataclass(frozen=True)
class _Year:
    first: int  # ordinal of 1 Jan
    last: int  # ordinal of 31 Dec
    workdays: tuple[int, ...]  # sorted ordinals
    workday_set: frozenset[int]
    known: bool  # library has data for the year
    overridden: tuple[int, ...]  # sorted ordinals that carry an override


def _as_date(d: date) -> date:
    # datetime is a date subclass but hashes differently; overrides are keyed by date.
    if isinstance(d, datetime):
        return d.date()
    if not isinstance(d, date):
        raise WorkdayError(f"不是日期：{d!r}")
    return d


class WorkCalendar:
    """Working-day calendar = chinese_calendar + Mon-Fri fallback + overrides.

    ``overrides`` (True = working day, False = day off) beat everything else and
    mark their date as confirmed even in a fallback year.  The mapping is copied;
    build a new calendar when the admin-edited overrides change.
    """

    __slots__ = ("_overrides", "_override_years", "_years")

    def __init__(self, overrides: Mapping[date, bool] | None = None) -> None:
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
            known=library is not None,
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
        """True if the library knows ``d``'s year or ``d`` has an override."""
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

    def next_workday(self, d: date, *, inclusive: bool = True) -> date:
        """``d`` if it is a working day (and inclusive), else the next one."""
        d = _as_date(d)
        if inclusive and self.is_workday(d):
            return d
        return self.add_workdays(d, 1).date
