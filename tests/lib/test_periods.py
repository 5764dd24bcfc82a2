"""One period notation (2022, 2022Q3, 2022-08) and one month-end helper."""

from __future__ import annotations

import datetime as dt

import pytest

from taizhang.lib.periods import (
    PeriodLabelError,
    day_in_month,
    label_end,
    label_start,
    month_end,
    normalize_label,
    quarter_code,
)
from taizhang.lib.scoring import parse_period
from taizhang.lib.task_lights import report_schedule

D = dt.date


def test_it_prints_one_quarter_notation_and_reads_the_other():
    assert quarter_code(2022, 3) == "2022Q3"
    assert normalize_label("2022-Q3") == normalize_label("2022q3") == "2022Q3"
    assert normalize_label("2022-8") == "2022-08" and normalize_label(" 2022 ") == "2022"
    # Assessment periods, the CLI and task reports agree on the notation.
    assert parse_period("2022-Q3").code == parse_period("2022Q3").code == "2022Q3"
    labels = [p.label for p in report_schedule(D(2022, 1, 1), D(2022, 12, 31), "quarterly")]
    assert labels == ["2022Q1", "2022Q2", "2022Q3", "2022Q4"]
    for bad in ("2022Q5", "2022-13", "22Q3", ""):
        with pytest.raises(PeriodLabelError):
            normalize_label(bad)


def test_it_knows_month_and_period_ends():
    assert month_end(2024, 2) == D(2024, 2, 29) and month_end(2023, 2) == D(2023, 2, 28)
    assert month_end(2022, 12) == D(2022, 12, 31)
    assert day_in_month(2024, 4, 31) == D(2024, 4, 30) and day_in_month(2024, 4, 25) == D(
        2024, 4, 25
    )
    assert label_end("2022Q3") == label_end("2022-Q3") == D(2022, 9, 30)
    assert label_end("2022-02") == D(2022, 2, 28) and label_end("2022") == D(2022, 12, 31)
    assert label_start("2022Q3") == D(2022, 7, 1) and label_start("2022-08") == D(2022, 8, 1)
    assert parse_period("2022Q1").end == D(2022, 3, 31)
