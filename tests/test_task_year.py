"""A task belongs to its own year: a 2027 task created on 2 December 2026 is numbered DB2027-…,
owes no 2026 progress report and has 0% 时序进度 until 2027 begins."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from taizhang.lib.task_lights import report_schedule
from taizhang.matters.models import Matter
from taizhang.tasks import services
from taizhang.tasks.status import schedule_of, task_status
from tests import task_fixtures
from tests.task_fixtures import frozen

tworld = task_fixtures.tworld  # the fixture, used by name below

CREATED = dt.date(2026, 12, 2)


def _task_2027(tw, *, quantitative: bool = True, cycle: str = "monthly") -> Matter:
    data = {
        "title": "2027年城镇新增就业4000人以上",
        "task_source": "work_report",
        "year": 2027,
        "lead_unit": tw.unit_rs,
        "leader": tw.w.leader_a,
        "deadline": dt.date(2027, 12, 31),
        "cycle": cycle,
        "raised_on": CREATED,
    }
    if quantitative:
        data.update({"target_value": 4000, "target_unit": "人", "comparator": ">="})
    with frozen(CREATED):
        m = services.do_create_task(tw.scope("sup_a"), data)
    return Matter.objects.select_related("task").get(pk=m.pk)


def test_it_numbers_a_2027_task_in_2027(tworld):
    m = _task_2027(tworld)
    assert m.number == f"DB2027-{m.pk:05d}"
    assert m.task.number == m.number
    # The number does not depend on whether the detail was loaded with the matter.
    assert Matter.objects.get(pk=m.pk).number == m.number
    # An enterprise problem keeps the year it was raised in.
    assert tworld.task.number.startswith("DB2024-")


def test_it_schedules_reports_from_january_of_the_tasks_year(tworld):
    m = _task_2027(tworld)
    labels = [p.label for p in schedule_of(m)]
    assert labels[0] == "2027-01" and labels[-1] == "2027-12" and len(labels) == 12
    assert services.reportable_periods(m, CREATED) == []
    assert [p.label for p in services.reportable_periods(m, dt.date(2027, 1, 3))] == ["2027-01"]
    q = _task_2027(tworld, cycle="quarterly")
    assert [p.label for p in schedule_of(q)][0] == "2027Q1"
    # Without the year the schedule still starts where the task does (pure function).
    assert report_schedule(CREATED, dt.date(2027, 2, 28))[0].label == "2026-12"
    assert report_schedule(CREATED, dt.date(2027, 2, 28), year=2027)[0].label == "2027-01"


def test_it_measures_pace_within_the_tasks_year(tworld):
    m = _task_2027(tworld)
    before = task_status(m, CREATED)
    assert before.missed == [] and before.next_due.label == "2027-01"
    assert before.pace_pct in (None, Decimal("0.0"))
    with frozen(dt.date(2027, 2, 3)):
        services.do_submit_progress(
            tworld.scope("unit_rs"),
            m,
            period="2027-01",
            text="1月新增就业400人",
            actual_value=400,
            expected_version=m.version,
        )
    st = task_status(Matter.objects.select_related("task").get(pk=m.pk), dt.date(2027, 2, 3))
    # As of the end of January 2027: 31 of 365 days → 8.5%; 400 of 4000 → 10.0%.
    assert st.pace_pct == Decimal("8.5") and st.progress_pct == Decimal("10.0")


def test_it_reads_the_old_quarter_notation_and_stores_the_one_notation(tworld):
    m = _task_2027(tworld, cycle="quarterly")
    with frozen(dt.date(2027, 3, 5)):
        r = services.do_submit_progress(
            tworld.scope("unit_rs"),
            m,
            period="2027-Q1",
            text="一季度新增就业900人",
            actual_value=900,
            expected_version=m.version,
        ).created
    assert r.period == "2027Q1"
    st = task_status(Matter.objects.select_related("task").get(pk=m.pk), dt.date(2027, 4, 1))
    assert "2027Q1" not in [p.label for p in st.missed]
