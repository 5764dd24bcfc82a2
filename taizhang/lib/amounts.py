"""Parse amounts and dates the way people type them into Excel ledgers.

Amounts come back as Decimal in 万元.  Rules:

* a number followed by 元, or written with a 万/亿 magnitude ("3500万",
  "1.2亿", "二十亿"), is read in 元 and converted;
* a bare number ("3,500", 3500, "三千五") is in ``default_unit``;
* 约/大约/左右/余/多, "人民币", "¥" and thousands separators are ignored;
  full-width characters and 大写 numerals (贰拾亿) are accepted;
* negatives parse (range checks belong to the caller).
"""

from __future__ import annotations

import math
import re
import unicodedata
from datetime import date, datetime, timedelta
from decimal import Decimal

__all__ = [
    "AmountError",
    "DateParseError",
    "parse_amount",
    "parse_date",
]


class AmountError(ValueError):
    """Text that is not a recognisable amount."""


class DateParseError(ValueError):
    """Text that is not a recognisable (or existing) date."""


# Value of one unit, in 万元.
_UNITS: dict[str, Decimal] = {
    "元": Decimal("0.0001"),
    "千元": Decimal("0.1"),
    "万元": Decimal(1),
    "亿元": Decimal(10000),
}

_DIGITS = {
    "零": 0,
    "〇": 0,
    "○": 0,
    "一": 1,
    "壹": 1,
    "二": 2,
    "两": 2,
    "贰": 2,
    "三": 3,
    "叁": 3,
    "四": 4,
    "肆": 4,
    "五": 5,
    "伍": 5,
    "六": 6,
    "陆": 6,
    "七": 7,
    "柒": 7,
    "八": 8,
    "捌": 8,
    "九": 9,
    "玖": 9,
    **{str(i): i for i in range(10)},
}
_SMALL_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
_BIG_UNITS = {"万": 10**4, "萬": 10**4, "亿": 10**8, "億": 10**8}
_MAGNITUDE = {**_SMALL_UNITS, **_BIG_UNITS}

_NOISE_PREFIXES = ("大约", "约合", "约", "人民币", "¥", "$")
_NOISE_SUFFIXES = ("左右", "余", "多")
_DIGIT_AMOUNT = re.compile(r"(\d+(?:\.\d+)?|\.\d+)([十拾百佰千仟万萬亿億]*)")


def _canonical(d: Decimal) -> Decimal:
    """Drop trailing zeros but never use an exponent (12000, not 1.2E+4)."""
    d = d.normalize()
    if d.as_tuple().exponent > 0:  # type: ignore[operator]
        d = d.quantize(Decimal(1))
    return d


def _magnitude(suffix: str) -> int | None:
    """Multiplier of a magnitude suffix like 千万 / 万亿; None if malformed."""
    if not re.fullmatch(r"[十拾百佰千仟]?[万萬]?[亿億]?", suffix):
        return None
    m = 1
    for ch in suffix:
        m *= _MAGNITUDE[ch]
    return m


def _cn_integer(s: str) -> int | None:
    """Chinese numeral integer (二十亿, 三千五, 一万零二); None if malformed."""
    if not s:
        return None
    total = 0  # finished 亿 groups
    wan = 0  # finished 万 group, below 亿
    section = 0  # below 万
    digit: int | None = None
    last_unit = 0  # unit just before a trailing digit, for 三千五 = 3500
    prev_was_digit = False
    for ch in s:
        if ch in _DIGITS:
            if prev_was_digit and digit != 0:
                return None  # "一二" is not a number
            digit = _DIGITS[ch]
            if digit == 0:
                last_unit = 0  # 一万零二: the 二 is literal
            prev_was_digit = True
            continue
        prev_was_digit = False
        if ch in _SMALL_UNITS:
            unit = _SMALL_UNITS[ch]
            if digit is None:
                # Only a leading 十 may omit its digit (十五 = 15).
                if unit != 10 or section or wan or total:
                    return None
                digit = 1
            section += digit * unit
            last_unit = unit
        elif ch in _BIG_UNITS:
            unit = _BIG_UNITS[ch]
            n = section + (digit or 0)
            if unit == 10**4:
                if n == 0:
                    return None
                wan = (wan + n) * unit
            else:
                n += wan
                if n == 0:
                    return None
                total = (total + n) * unit
                wan = 0
            section = 0
            last_unit = unit
        else:
            return None
        digit = None
    if digit:
        # 三千五 / 一万二 / 一亿五: the trailing digit is one unit down.
        section += digit * (last_unit // 10 if last_unit >= 10 else 1)
    return total + wan + section


def _cn_number(s: str) -> Decimal | None:
    """Chinese numeral with optional 点 decimals and magnitude (三点五亿)."""
    if "点" not in s:
        n = _cn_integer(s)
        return None if n is None else Decimal(n)
    int_part, _, rest = s.partition("点")
    n = _cn_integer(int_part) if int_part else 0
    if n is None:
        return None
    frac_digits = []
    i = 0
    while i < len(rest) and rest[i] in _DIGITS:
        frac_digits.append(str(_DIGITS[rest[i]]))
        i += 1
    if not frac_digits:
        return None
    mult = _magnitude(rest[i:])
    if mult is None:
        return None
    return Decimal(f"{n}.{''.join(frac_digits)}") * mult


def _unit_factor(unit: str) -> Decimal:
    try:
        return _UNITS[unit]
    except KeyError:
        raise ValueError(f"不支持的金额单位：{unit}（可选：{'、'.join(_UNITS)}）") from None


def parse_amount(value: str | int | float | Decimal, default_unit: str = "万元") -> Decimal:
    """Amount in 万元 from a ledger cell; raises :class:`AmountError`."""
    default = _unit_factor(default_unit)
    if isinstance(value, bool):
        raise AmountError(f"无法识别的金额：{value}")
    if isinstance(value, (int, Decimal, float)):
        d = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
        if not d.is_finite():
            raise AmountError(f"无法识别的金额：{value}")
        return _canonical(d * default)
    if not isinstance(value, str):
        raise AmountError(f"无法识别的金额：{value!r}")

    s = unicodedata.normalize("NFKC", value)
    s = re.sub(r"[\s,，]", "", s)
    if not s:
        raise AmountError("金额为空")
    negative = False
    if s[:1] in ("-", "−", "负"):
        negative, s = True, s[1:]
    elif s[:1] == "+":
        s = s[1:]
    for p in _NOISE_PREFIXES:
        if s.startswith(p):
            s = s[len(p) :]
            break
    base = default
    yuan = False
    stripped = True
    while stripped:  # 3亿元左右 / 3亿多元 / 3亿余: noise and 元 in either order
        stripped = False
        for suffix in _NOISE_SUFFIXES:
            if s.endswith(suffix):
                s, stripped = s[: -len(suffix)], True
        if not yuan and s.endswith("元"):
            s, yuan, stripped = s[:-1], True, True
    if yuan:
        base = _UNITS["元"]

    number: Decimal | None = None
    magnitude_given = False
    m = _DIGIT_AMOUNT.fullmatch(s)
    if m:
        mult = _magnitude(m.group(2))
        if mult is not None:
            number = Decimal(m.group(1)) * mult
            magnitude_given = any(c in _BIG_UNITS for c in m.group(2))
    elif s:
        number = _cn_number(s)
        magnitude_given = any(c in _BIG_UNITS for c in s)
    if number is None:
        raise AmountError(f"无法识别的金额：{value}")
    if magnitude_given:
        # "3500万" / "二十亿" count 元 even without the trailing 元.
        base = _UNITS["元"]
    result = number * base
    return _canonical(-result if negative else result)


# -- dates -------------------------------------------------------------------

# Excel's 1900 system counts 1900-02-29 (serial 60), which never existed.
_EXCEL_EPOCH = date(1899, 12, 30)
_EXCEL_MAX = (date.max - _EXCEL_EPOCH).days

_DATE_NUMERIC = re.compile(
    r"(\d{4})\s*(?:[-./]|年)\s*(\d{1,2})\s*(?:[-./]|月)\s*(\d{1,2})\s*日?"
    r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"  # str(datetime) / Excel text
)
_DATE_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")
_DATE_CHINESE = re.compile(
    r"([〇零○一二三四五六七八九]{4})年([一二三四五六七八九十]{1,3})月([一二三四五六七八九十]{1,3})日?"
)


def _cn_small(s: str) -> int | None:
    """1-31 in Chinese numerals (十二, 二十五, 三十一)."""
    n = _cn_integer(s)
    return n if n is not None and 1 <= n <= 31 else None


def _make_date(y: int, m: int, d: int, raw: object) -> date:
    try:
        return date(y, m, d)
    except ValueError:
        raise DateParseError(f"日期不存在：{raw}") from None


def _from_excel_serial(serial: float, raw: object) -> date:
    days = int(serial)  # the fraction is the time of day
    if serial < 1 or days > _EXCEL_MAX:
        raise DateParseError(f"无法识别的日期：{raw}")
    if days == 60:
        raise DateParseError(f"日期不存在：{raw}（Excel 的 1900-02-29）")
    if days < 60:
        days += 1  # before the phantom leap day the epoch is one day later
    return _EXCEL_EPOCH + timedelta(days=days)


def parse_date(value: str | int | float | Decimal | date) -> date:
    """Date from a ledger cell; raises :class:`DateParseError`.

    Accepts date/datetime, Excel serial numbers (1900 system), and text such as
    2026.3.5, 2026年3月5日, 2026-03-05, 2026/3/5, 20260305, 二〇二六年三月五日.
    """
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, bool):
        raise DateParseError(f"无法识别的日期：{value}")
    if isinstance(value, (int, float)):
        if not math.isfinite(value):
            raise DateParseError(f"无法识别的日期：{value}")
        return _from_excel_serial(value, value)
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise DateParseError(f"无法识别的日期：{value}")
        return _from_excel_serial(float(value), value)
    if not isinstance(value, str):
        raise DateParseError(f"无法识别的日期：{value!r}")

    s = unicodedata.normalize("NFKC", value).strip()
    m = _DATE_NUMERIC.fullmatch(s) or _DATE_COMPACT.fullmatch(s)
    if m:
        return _make_date(int(m.group(1)), int(m.group(2)), int(m.group(3)), value)
    m = _DATE_CHINESE.fullmatch(s)
    if m:
        year = int("".join(str(_DIGITS[c]) for c in m.group(1)))
        month, day = _cn_small(m.group(2)), _cn_small(m.group(3))
        if month is not None and day is not None:
            return _make_date(year, month, day, value)
    raise DateParseError(f"无法识别的日期：{value}")
