"""A light filter is column conditions an index can serve (`timing.light_q`), and it picks
exactly the matters whose computed light (`annotate_timing`) is that light — on every kind
of matter in the demo, on days around holidays, working Saturdays and month ends."""

from __future__ import annotations

import datetime as dt

import pytest

from taizhang.matters.models import Matter
from taizhang.matters.timing import annotate_timing, light_q

DAYS = [
    dt.date(2022, 1, 28),  # before 春节
    dt.date(2022, 2, 3),  # inside the holiday
    dt.date(2022, 6, 30),
    dt.date(2022, 9, 29),  # before 国庆
    dt.date(2022, 10, 8),  # a working Saturday
    dt.date(2022, 12, 31),
    dt.date(2023, 3, 15),
]


@pytest.mark.parametrize("day", DAYS, ids=str)
def test_it_filters_by_light_as_the_computed_light_says(demo_session, db, day):
    qs = annotate_timing(Matter.objects.all(), day)
    by_light: dict[str | None, set[int]] = {}
    for pk, light in qs.values_list("pk", "light"):
        by_light.setdefault(light, set()).add(pk)
    assert sum(len(v) for v in by_light.values()) > 100
    for light in ("red", "yellow", "green", None):
        picked = set(Matter.objects.filter(light_q(light, day)).values_list("pk", flat=True))
        assert picked == by_light.get(light, set()), (day, light)


def test_it_reads_no_calendar_per_row(db):
    """The filter's SQL compares the matter's own columns with dates; no subquery."""
    sql = str(Matter.objects.filter(light_q("yellow", dt.date(2022, 6, 30))).query).lower()
    assert "workday" not in sql
