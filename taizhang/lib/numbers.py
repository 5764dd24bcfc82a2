"""Numbers as the district's own reports print them ("figures" are the dashboards' counts).

One rule for every page, export and bulletin (rounded half up, 四舍五入, never banker's
rounding and never through float):

- 亿元: one decimal, no separators — "217.9" (`fmt_yi`);
- 万元: thousands separators and always two decimals — "7,504.11", "25,683.80" (`fmt_wan`;
  the xlsx exports use the same "#,##0.00");
- rates: one decimal and "%" — "143.2%" (`fmt_rate`);
- values as entered (a task's target and actual, an indicator): no trailing zeros and no
  exponent — "5.5", "3760" (`fmt_value`; never "5.5000" or "3.76E+3").
"""

from __future__ import annotations

import calendar
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

__all__ = [
    "NumberError",
    "Number",
    "elapsed_share_date",
    "elapsed_share_month",
    "fmt_rate",
    "fmt_value",
    "fmt_wan",
    "fmt_yi",
    "quantize_1",
    "rate",
    "to_decimal",
    "wan_to_yi",
]

Number = Decimal | int | float | str
NO_RATE = "—"
_ONE_DP = Decimal("0.1")
_TWO_DP = Decimal("0.01")


class NumberError(ValueError):
    """A value that cannot be shown as a figure."""


def to_decimal(x: Number) -> Decimal:
    """Decimal from Decimal/int/str; floats go through ``str`` to avoid binary noise."""
    if isinstance(x, bool):
        raise NumberError(f"不是数值：{x!r}")
    if isinstance(x, Decimal):
        d = x
    elif isinstance(x, int):
        d = Decimal(x)
    elif isinstance(x, float):
        d = Decimal(str(x))
    elif isinstance(x, str):
        try:
            d = Decimal(x.strip())
        except ArithmeticError:
            raise NumberError(f"不是数值：{x!r}") from None
    else:
        raise NumberError(f"不是数值：{x!r}")
    if not d.is_finite():
        raise NumberError(f"不是有限数值：{x!r}")
    return d


def _no_negative_zero(d: Decimal) -> Decimal:
    # -0.04 rounds to -0.0; reports must print 0.0.
    return abs(d) if d.is_zero() else d


def quantize_1(d: Number) -> Decimal:
    """Round to one decimal place, half up (away from zero on ties)."""
    return _no_negative_zero(to_decimal(d).quantize(_ONE_DP, rounding=ROUND_HALF_UP))


def _fraction_to_1dp(f: Fraction) -> Decimal:
    """Exact half-up rounding of a rational to one decimal place."""
    tenths = abs(f) * 10
    q = int(tenths + Fraction(1, 2))  # floor, both operands non-negative
    if f < 0:
        q = -q
    return _no_negative_zero(Decimal(q).scaleb(-1))


def wan_to_yi(wan: Number) -> Decimal:
    """万元 → 亿元, exact (÷10000)."""
    return to_decimal(wan).scaleb(-4)


def fmt_yi(wan: Number) -> str:
    """万元 amount printed in 亿元 with one decimal: 2179000 → "217.9"."""
    return f"{quantize_1(wan_to_yi(wan)):f}"


def fmt_wan(wan: Number) -> str:
    """万元 amount with thousands separators and two decimals: 25683.8 → "25,683.80"."""
    d = _no_negative_zero(to_decimal(wan).quantize(_TWO_DP, rounding=ROUND_HALF_UP))
    return f"{d:,.2f}"


def fmt_value(value: Number | None) -> str:
    """A value as entered: 3760.0000 → "3760", 0.4500 → "0.45", never 3.76E+3; None → ""."""
    if value is None:
        return ""
    d = _no_negative_zero(to_decimal(value))
    text = format(d, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def rate(num: Number, den: Number) -> Decimal | None:
    """num / den as a percentage with one decimal (half up); None when den is 0."""
    n, d = to_decimal(num), to_decimal(den)
    if d.is_zero():
        return None
    # Fraction keeps the division exact so the half-up tie is never double-rounded.
    return _fraction_to_1dp(Fraction(n) * 100 / Fraction(d))


def contract_decimal(v: Number | None) -> str | None:
    """A rate (or one-decimal figure) as the JSON figures contracts give it: "99.0", or
    null when there is none."""
    return None if v is None else f"{quantize_1(v):f}"


def fmt_rate(r: Number | None) -> str:
    """ "143.2%", or "—" when there is no rate."""
    if r is None:
        return NO_RATE
    return f"{quantize_1(r):f}%"


def elapsed_share_month(year: int, month: int) -> Decimal:
    """时序进度 of a monthly report: month / 12 × 100, one decimal (3 → 25.0)."""
    if not 1 <= month <= 12:
        raise NumberError(f"月份应在1至12之间：{month}")
    return _fraction_to_1dp(Fraction(month * 100, 12))


def elapsed_share_date(d: date) -> Decimal:
    """时序进度 on a date: day-of-year / days-in-year × 100, one decimal."""
    days = 366 if calendar.isleap(d.year) else 365
    return _fraction_to_1dp(Fraction(d.timetuple().tm_yday * 100, days))
