"""Ledger values of measures: for a window, as of a date, and monthly over a year.

A measure's value is a figure of the whole division, whoever asks: the caller has already
checked that the reader may see the division (``Scope.division_by_ref`` / the task's scope),
and only aggregates leave this module, never rows.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from taizhang.core.models import Division, Role
from taizhang.core.scope import Scope
from taizhang.lib.periods import month_end
from taizhang.measures.registry import Measure, get_measure


class _LedgerScope(Scope):
    """The supervision office's view of one division: every row under its path."""

    def __init__(self, division: Division) -> None:
        super().__init__(None)
        self.role = Role.SUPERVISOR
        self.division = division


def ledger_scope(division: Division) -> Scope:
    return _LedgerScope(division)


def ledger_value(
    measure: Measure | str,
    division: Division,
    as_of: dt.date,
    start: dt.date | None = None,
    params: dict[str, Any] | None = None,
) -> Decimal | None:
    """The measure's value for the window ``start`` (default 1 January of ``as_of``'s year) to
    ``as_of``; None when it has no value (a rate over nothing)."""
    m = get_measure(measure) if isinstance(measure, str) else measure
    start = start or dt.date(as_of.year, 1, 1)
    if start > as_of:
        raise ValueError("统计起点不能晚于截止日期")
    return m.compute(division, as_of, start, params)


def monthly_values(
    measure: Measure, division: Division, year: int, last_month: int, params: dict[str, Any]
) -> list[Decimal | None]:
    """The value at each month end from January to ``last_month`` of ``year`` (the task chart)."""
    start = dt.date(year, 1, 1)
    return [
        ledger_value(measure, division, month_end(year, mo), start, params)
        for mo in range(1, last_month + 1)
    ]
