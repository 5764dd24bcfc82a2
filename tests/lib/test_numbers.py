from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from taizhang.lib.numbers import (
    NumberError,
    elapsed_share_date,
    elapsed_share_month,
    fmt_rate,
    fmt_value,
    fmt_wan,
    fmt_yi,
    quantize_1,
    rate,
    to_decimal,
    wan_to_yi,
)

D = Decimal


def test_wan_to_yi_exact():
    assert wan_to_yi(D("2179000")) == D("217.9")
    assert wan_to_yi(D("1")) == D("0.0001")


@pytest.mark.parametrize(
    ("wan", "shown"),
    [
        (D("2179000"), "217.9"),
        (D("2178950"), "217.9"),  # 217.895 half up
        (D("2178949.99"), "217.9"),
        (D("2178500"), "217.9"),  # 217.85 -> 217.9 (half up, not banker's 217.8)
        (D("2178499"), "217.8"),
        (D("0"), "0.0"),
        (D("-400"), "0.0"),  # no "-0.0"
        (D("-2178500"), "-217.9"),
        (1000000, "100.0"),
        (D("1E+6"), "100.0"),
    ],
)
def test_fmt_yi(wan: Decimal | int, shown: str):
    assert fmt_yi(wan) == shown


@pytest.mark.parametrize(
    ("wan", "shown"),
    [
        (D("3500"), "3,500.00"),
        (D("3500.00"), "3,500.00"),
        (D("1234567.899"), "1,234,567.90"),
        (D("1234.5"), "1,234.50"),
        (D("1234.56"), "1,234.56"),
        (D("0.005"), "0.01"),
        (D("0.004"), "0.00"),
        (D("-0.001"), "0.00"),
        (D("-12345.6"), "-12,345.60"),
        (D("1E+5"), "100,000.00"),
        (100, "100.00"),
    ],
)
def test_fmt_wan(wan: Decimal | int, shown: str):
    assert fmt_wan(wan) == shown


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (D("5.5000"), "5.5"),
        (D("3760.0000"), "3760"),
        (D("3.76E+3"), "3760"),
        (D("0.4500"), "0.45"),
        (D("-0.0"), "0"),
        (None, ""),
    ],
)
def test_it_prints_values_as_entered(value, shown):
    assert fmt_value(value) == shown


def test_rate_report_example():
    # 123.3亿 / 86.1亿 in 万元
    assert rate(D("1233000"), D("861000")) == D("143.2")
    assert fmt_rate(rate(D("1233000"), D("861000"))) == "143.2%"


def test_rate_edges():
    assert rate(1, 0) is None
    assert rate(0, 5) == D("0.0")
    assert rate(1, 8) == D("12.5")
    assert rate(1, 1600) == D("0.1")  # 0.0625 -> 0.1 half up
    assert rate(-1, 1600) == D("-0.1")  # ties away from zero, like Excel ROUND
    assert rate(-1, 3000) == D("0.0")  # no negative zero
    assert rate(2, 3) == D("66.7")
    assert fmt_rate(None) == "—"
    assert fmt_rate(D("100")) == "100.0%"


def test_elapsed_share_month():
    assert elapsed_share_month(2026, 1) == D("8.3")
    assert elapsed_share_month(2026, 2) == D("16.7")
    assert elapsed_share_month(2026, 3) == D("25.0")
    assert elapsed_share_month(2026, 12) == D("100.0")
    with pytest.raises(NumberError, match="月份"):
        elapsed_share_month(2026, 13)


def test_elapsed_share_date():
    assert elapsed_share_date(date(2026, 1, 1)) == D("0.3")  # 1/365
    assert elapsed_share_date(date(2026, 7, 2)) == D("50.1")  # 183/365 = 50.14
    assert elapsed_share_date(date(2026, 12, 31)) == D("100.0")
    assert elapsed_share_date(date(2024, 12, 31)) == D("100.0")  # leap year
    assert elapsed_share_date(date(2024, 2, 29)) == D("16.4")  # 60/366


def test_quantize_1_and_to_decimal():
    assert quantize_1(D("0.05")) == D("0.1")
    assert quantize_1(D("-0.04")) == D("0.0")
    assert str(quantize_1(D("-0.04"))) == "0.0"
    assert to_decimal(0.1) == D("0.1")  # float via str, no binary tail
    for bad in (float("nan"), float("inf"), "abc", True, None):
        with pytest.raises(NumberError):
            to_decimal(bad)  # type: ignore[arg-type]


# -- properties ---------------------------------------------------------------

decimals = st.decimals(
    min_value=D("-1E+9"), max_value=D("1E+9"), allow_nan=False, allow_infinity=False, places=4
)
floats = st.floats(min_value=-1e9, max_value=1e9, allow_nan=False, allow_infinity=False)

YI_RE = re.compile(r"-?\d+\.\d")
WAN_RE = re.compile(r"-?\d{1,3}(,\d{3})*\.\d\d")
RATE_RE = re.compile(r"-?\d+\.\d%")


@given(st.one_of(decimals, floats))
def test_fmt_never_shows_float_artefacts(x: Decimal | float):
    assert YI_RE.fullmatch(fmt_yi(x))
    assert WAN_RE.fullmatch(fmt_wan(x))
    assert RATE_RE.fullmatch(fmt_rate(x))
    assert "e" not in fmt_wan(x).lower()


@given(decimals)
def test_fmt_yi_matches_decimal_rounding(x: Decimal):
    shown = D(fmt_yi(x))
    assert abs(shown - x / 10000) <= D("0.05")


@given(num=decimals, den=decimals)
def test_rate_is_close_and_one_decimal(num: Decimal, den: Decimal):
    r = rate(num, den)
    if den == 0:
        assert r is None
        return
    assert r is not None
    assert r.as_tuple().exponent == -1
    assert abs(r - num * 100 / den) <= D("0.05") + D("1E-20")
