"""Period notation and period ends: the one place that writes "2022Q3" and knows a month's last day.

One notation everywhere, printed and stored: a year ``2022``, a quarter ``2022Q3``, a month
``2022-08``. Input is forgiving (``2022-Q3``, ``2022q3``, ``2022-8`` are read as the same
periods) but output is always the canonical form. Pure functions: no database, no clock.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re

__all__ = [
    "PeriodLabelError",
    "cutoff",
    "day_in_month",
    "label_end",
    "label_start",
    "month_code",
    "month_end",
    "normalize_label",
    "quarter_code",
    "quarter_of",
]

_QUARTER = re.compile(r"(\d{4})\s*-?\s*[Qq]\s*(\d)")
_MONTH = re.compile(r"(\d{4})\s*-\s*(\d{1,2})")
_YEAR = re.compile(r"\d{4}")


class PeriodLabelError(ValueError):
    """A period label that is none of 2022, 2022Q3 or 2022-08."""


def month_end(year: int, month: int) -> dt.date:
    """The last day of a month: (2024, 2) → 2024-02-29."""
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def day_in_month(year: int, month: int, day: int) -> dt.date:
    """``day`` of the month, or its last day when the month is shorter (31 → 30 April)."""
    return dt.date(year, month, min(day, calendar.monthrange(year, month)[1]))


def quarter_of(month: int) -> int:
    return (month - 1) // 3 + 1


def quarter_code(year: int, quarter: int) -> str:
    """(2022, 3) → "2022Q3"."""
    if not 1 <= quarter <= 4:
        raise PeriodLabelError(f"季度应为1至4：{quarter}")
    return f"{year}Q{quarter}"


def month_code(year: int, month: int) -> str:
    """(2022, 8) → "2022-08"."""
    if not 1 <= month <= 12:
        raise PeriodLabelError(f"月份应在1至12之间：{month}")
    return f"{year}-{month:02d}"


def _parts(text: str) -> tuple[str, int, int]:
    s = (text or "").strip()
    if m := _QUARTER.fullmatch(s):
        q = int(m[2])
        if not 1 <= q <= 4:
            raise PeriodLabelError(f"季度应为1至4：{text}")
        return "quarter", int(m[1]), q
    if m := _MONTH.fullmatch(s):
        month = int(m[2])
        if not 1 <= month <= 12:
            raise PeriodLabelError(f"月份应在1至12之间：{text}")
        return "month", int(m[1]), month
    if _YEAR.fullmatch(s):
        return "year", int(s), 0
    raise PeriodLabelError(
        f"无法识别的期间：{text!r}，应写作 2022Q3（季度）、2022（年度）或 2022-08（月份）"
    )


def normalize_label(text: str) -> str:
    """The canonical label of a period: "2024-Q1" → "2024Q1", "2024-3" → "2024-03"."""
    kind, year, n = _parts(text)
    if kind == "quarter":
        return quarter_code(year, n)
    if kind == "month":
        return month_code(year, n)
    return str(year)


def label_start(text: str) -> dt.date:
    """First day of the period a label names ("2024Q2" → 2024-04-01)."""
    kind, year, n = _parts(text)
    if kind == "quarter":
        return dt.date(year, 3 * n - 2, 1)
    if kind == "month":
        return dt.date(year, n, 1)
    return dt.date(year, 1, 1)


def label_end(text: str) -> dt.date:
    """Last day of the period a label names ("2024-03", "2024Q1" → 2024-03-31; "2024" → 12-31)."""
    kind, year, n = _parts(text)
    if kind == "quarter":
        return month_end(year, 3 * n)
    if kind == "month":
        return month_end(year, n)
    return dt.date(year, 12, 31)


def cutoff(year: int, month: int | None, today: dt.date) -> dt.date:
    """The day a year's (or a month's) figures and lights are as of: its last day, or
    today while it is still running."""
    return min(month_end(year, month or 12), today)
