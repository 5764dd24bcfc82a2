from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from taizhang.lib.amounts import AmountError, DateParseError, parse_amount, parse_date

D = Decimal


@pytest.mark.parametrize(
    ("text", "wan"),
    [
        ("1.2亿", D("12000")),
        ("1.2亿元", D("12000")),
        ("3500万元", D("3500")),
        ("3500万", D("3500")),
        ("3,500", D("3500")),
        ("3，500", D("3500")),  # Chinese comma as separator
        (" 1,234.56 ", D("1234.56")),
        ("１２００", D("1200")),  # full-width digits
        ("１，２００万元", D("1200")),
        ("5000元", D("0.5")),
        ("5千元", D("0.5")),
        ("约3.5亿元", D("35000")),
        ("3亿元左右", D("30000")),
        ("3亿左右", D("30000")),
        ("大约2000万元", D("2000")),
        ("3亿多元", D("30000")),
        ("3亿余元", D("30000")),
        ("人民币500万元", D("500")),
        ("二十亿元", D("200000")),
        ("贰拾亿元", D("200000")),  # 大写
        ("三点五亿", D("35000")),
        ("一万二千元", D("1.2")),
        ("一亿五", D("15000")),  # colloquial: 一亿五千万
        ("三千五", D("3500")),  # bare Chinese number: default unit
        ("十万元", D("10")),
        ("一千零五十万", D("1050")),
        ("3千5百万", D("3500")),
        (".5亿", D("5000")),
        ("-3500", D("-3500")),
        ("负1.5亿元", D("-15000")),
        ("0", D("0")),
    ],
)
def test_parse_amount_text(text: str, wan: Decimal):
    assert parse_amount(text) == wan


def test_parse_amount_numbers_use_default_unit():
    assert parse_amount(3500) == D("3500")
    assert parse_amount(1.1) == D("1.1")  # float via str: no 1.100000000000000088
    assert parse_amount(D("12.30")) == D("12.3")
    assert parse_amount(5000, default_unit="元") == D("0.5")
    assert parse_amount("3500", default_unit="元") == D("0.35")
    assert parse_amount("2", default_unit="亿元") == D("20000")
    # Explicit units win over the default.
    assert parse_amount("3500万元", default_unit="元") == D("3500")


def test_result_is_plain_decimal():
    assert str(parse_amount("1.2亿")) == "12000"
    assert str(parse_amount("5000元")) == "0.5"


@pytest.mark.parametrize(
    "bad",
    ["abc", "万", "亿元", "1.2.3", "12万亿亿", "一二", "3500美元", "--5", "万3", "1e5", "N/A", "—"],
)
def test_parse_amount_garbage(bad: str):
    with pytest.raises(AmountError, match="无法识别的金额："):
        parse_amount(bad)


def test_parse_amount_other_errors():
    with pytest.raises(AmountError, match="金额为空"):
        parse_amount("  ")
    for bad in (True, None, float("nan"), float("inf")):
        with pytest.raises(AmountError):
            parse_amount(bad)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="不支持的金额单位"):
        parse_amount("1", default_unit="美元")
    assert issubclass(AmountError, ValueError)


@given(st.decimals(min_value=D("-1E+8"), max_value=D("1E+8"), places=2))
def test_formatted_numbers_round_trip(x: Decimal):
    assert parse_amount(f"{x:,}") == x
    assert parse_amount(f"{x}万元") == x
    assert parse_amount(f"{x}元") == x / 10000


# -- dates ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "2026.3.5",
        "2026年3月5日",
        "2026年03月05日",
        "2026年3月5",
        "2026-03-05",
        "2026/3/5",
        " 2026-3-5 ",
        "２０２６年３月５日",
        "２０２６．３．５",
        "20260305",
        "2026-03-05 00:00:00",
        "二〇二六年三月五日",
        date(2026, 3, 5),
        datetime(2026, 3, 5, 14, 30),
        46086,  # Excel serial
        46086.6,  # with a time of day
        D("46086"),
    ],
)
def test_parse_date(value: object):
    assert parse_date(value) == date(2026, 3, 5)  # type: ignore[arg-type]


def test_excel_serials():
    assert parse_date(45000) == date(2023, 3, 15)
    assert parse_date(1) == date(1900, 1, 1)
    assert parse_date(59) == date(1900, 2, 28)
    assert parse_date(61) == date(1900, 3, 1)
    with pytest.raises(DateParseError, match="日期不存在"):
        parse_date(60)  # Excel's phantom 1900-02-29


def test_chinese_numeral_dates():
    assert parse_date("二〇二五年十二月三十一日") == date(2025, 12, 31)
    assert parse_date("二○二六年十月一日") == date(2026, 10, 1)


@pytest.mark.parametrize(
    "bad", ["2026-02-30", "2026年2月29日", "2026-13-01", "二〇二六年二月三十日"]
)
def test_impossible_dates(bad: str):
    with pytest.raises(DateParseError, match="日期不存在："):
        parse_date(bad)


@pytest.mark.parametrize(
    "bad", ["abc", "", "2026", "26-3-5", "3/5/2026", 0, -5, float("inf"), True, None]
)
def test_unrecognised_dates(bad: object):
    with pytest.raises(DateParseError, match="无法识别的日期"):
        parse_date(bad)  # type: ignore[arg-type]


@given(st.dates(min_value=date(1900, 3, 1), max_value=date(2100, 12, 31)))
def test_date_text_round_trips(d: date):
    assert parse_date(d.isoformat()) == d
    assert parse_date(f"{d.year}年{d.month}月{d.day}日") == d
    assert parse_date(f"{d.year}.{d.month}.{d.day}") == d
    serial = (d - date(1899, 12, 30)).days
    assert parse_date(serial) == d
