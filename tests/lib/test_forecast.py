"""The seasonal-index forecast on hand-built series (taizhang/lib/forecast.py)."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from taizhang.lib.forecast import (
    LINEAR,
    SEASONAL,
    ForecastError,
    forecast_year_end,
    seasonal_index,
)

D = Decimal
# A winter-slow pattern: little in Jan/Feb (春节), most in the middle of the year.
PATTERN = [D(v) for v in (2, 3, 8, 10, 12, 12, 11, 11, 10, 9, 7, 5)]  # sums to 100


def test_it_averages_each_months_share_over_the_past_years() -> None:
    a = [D(10)] * 12  # even year: each month 1/12
    b = [D(0)] * 11 + [D(50)]  # everything in December
    index, years = seasonal_index({2021: a, 2022: b})
    assert years == [2021, 2022]
    assert index[0] == Fraction(1, 24)
    assert index[11] == (Fraction(1, 12) + 1) / 2
    assert sum(index) == 1


def test_it_skips_a_year_without_any_completion() -> None:
    index, years = seasonal_index({2020: [D(0)] * 12, 2021: PATTERN})
    assert years == [2021]
    assert index[0] == Fraction(2, 100)


def test_it_forecasts_by_the_seasonal_index_with_two_years_of_history() -> None:
    # Past years follow PATTERN (at different scales); by March they had done 13%.
    history = {2021: PATTERN, 2022: [v * 3 for v in PATTERN]}
    f = forecast_year_end(history, done_wan=D("1300"), plan_wan=D("12000"), month=3)
    assert f.method == SEASONAL
    assert f.history_years == [2021, 2022]
    assert f.expected_share_pct == D("13.0")
    assert f.forecast_total_wan == D("10000.00")
    assert f.forecast_completion_pct == D("83.3")
    # (12000 − 1300) / 9 months left = 1188.888… → 1188.89
    assert f.needed_monthly_wan == D("1188.89")
    assert f.months_left == 9


def test_it_falls_back_to_linear_pace_with_fewer_than_two_past_years() -> None:
    f = forecast_year_end({2022: PATTERN}, done_wan=D("300"), plan_wan=D("1200"), month=3)
    assert f.method == LINEAR
    assert f.history_years == []
    assert f.expected_share_pct == D("25.0")
    assert f.forecast_total_wan == D("1200.00")
    assert f.forecast_completion_pct == D("100.0")


def test_it_falls_back_to_linear_when_past_years_did_nothing_by_that_month() -> None:
    late = [D(0)] * 6 + [D(1)] * 6
    f = forecast_year_end({2021: late, 2022: late}, done_wan=D("60"), plan_wan=D("100"), month=2)
    assert f.method == LINEAR
    assert f.forecast_total_wan == D("360.00")


def test_it_needs_nothing_more_when_the_plan_is_met_and_says_none_in_december() -> None:
    f = forecast_year_end({}, done_wan=D("500"), plan_wan=D("400"), month=6)
    assert f.needed_monthly_wan == D("0.00")
    dec = forecast_year_end({}, done_wan=D("500"), plan_wan=D("400"), month=12)
    assert dec.needed_monthly_wan is None
    assert dec.forecast_total_wan == D("500.00")
    assert dec.forecast_completion_pct == D("125.0")


def test_it_has_no_completion_rate_without_a_plan() -> None:
    f = forecast_year_end({}, done_wan=D("10"), plan_wan=D("0"), month=6)
    assert f.forecast_completion_pct is None


@pytest.mark.parametrize(
    ("history", "month", "message"),
    [
        ({2021: [D(1)] * 11}, 3, "12个月"),
        ({2021: [D(-1)] + [D(1)] * 11}, 3, "负数"),
        ({}, 0, "月份"),
        ({}, 13, "月份"),
    ],
)
def test_it_refuses_bad_input_in_chinese(history, month, message) -> None:
    with pytest.raises(ForecastError, match=message):
        forecast_year_end(history, D(1), D(1), month)


amounts = st.decimals(min_value=0, max_value=100000, places=2, allow_nan=False)
years_of = st.lists(st.lists(amounts, min_size=12, max_size=12), min_size=1, max_size=4)
# Generating 48 decimals per example can be slow on a loaded CI machine; it is not a bug.
relaxed = settings(deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])


@relaxed
@given(years_of)
def test_it_keeps_shares_summing_to_one(series) -> None:
    index, years = seasonal_index(dict(enumerate(series, start=2018)))
    if years:
        assert sum(index) == 1
        assert all(s >= 0 for s in index)
    else:
        assert index == []


@relaxed
@given(
    st.lists(st.integers(min_value=1, max_value=1000), min_size=12, max_size=12),
    st.lists(st.integers(min_value=1, max_value=50), min_size=2, max_size=4),
    st.integers(min_value=1, max_value=50),
    st.integers(min_value=1, max_value=12),
)
def test_it_forecasts_an_exactly_seasonal_series_exactly(pattern, scales, this_scale, month):
    """Every year the same monthly shape at any scale: the year-end is found exactly."""
    history = {2015 + i: [D(p * s) for p in pattern] for i, s in enumerate(scales)}
    done = sum((D(p * this_scale) for p in pattern[:month]), D(0))
    year_total = D(sum(pattern) * this_scale)
    f = forecast_year_end(history, done, year_total, month)
    assert f.method == SEASONAL
    assert f.forecast_total_wan == year_total.quantize(D("0.01"))
    assert f.forecast_completion_pct == D("100.0")


@relaxed
@given(amounts, amounts, st.integers(min_value=1, max_value=11))
def test_it_plans_months_left_that_cover_the_gap(done, plan, month) -> None:
    f = forecast_year_end({}, done, plan, month)
    assert f.needed_monthly_wan is not None
    gap = max(plan - done, D(0))
    # Rounded to the cent per month: at most half a cent a month off.
    assert abs(f.needed_monthly_wan * (12 - month) - gap) <= D("0.005") * (12 - month)


@relaxed
@given(amounts, amounts, st.integers(min_value=1, max_value=12))
def test_it_never_forecasts_less_than_already_done(done, extra, month) -> None:
    f = forecast_year_end({2020: PATTERN, 2021: PATTERN}, done, D(1000), month)
    g = forecast_year_end({2020: PATTERN, 2021: PATTERN}, done + extra, D(1000), month)
    assert f.forecast_total_wan is not None and g.forecast_total_wan is not None
    assert f.forecast_total_wan >= done.quantize(D("0.01"))
    assert g.forecast_total_wan >= f.forecast_total_wan
