"""The stored light dates of a task (tasks/lights.py) give, on every day from their base on,
exactly the light and "overdue" of the one Python rule (``task_status``, ``is_overdue``).

Seeded random tasks (deadlines, cycles, due days, targets and comparators), written only
through the service functions (created, reported on time, late or not at all, finished or
not, at random days), are checked day by day from each task's ``light_base`` to past its
horizon — through the 2024 Spring Festival and National Day holidays, the working
weekends, every due day — both by the stored dates and by the SQL filters. That the dates
hold on *every* day also checks the monotonicity the binary search relies on.
"""

from __future__ import annotations

import datetime as dt
import random

from taizhang.matters.models import FINISHED, Matter
from taizhang.tasks import lights, services
from taizhang.tasks.lights import horizon, overdue_q, stored_light, task_light_q
from taizhang.tasks.models import TaskDetail
from taizhang.tasks.status import is_overdue, task_status
from tests import task_fixtures
from tests.task_fixtures import frozen

tworld = task_fixtures.tworld

D = dt.date
SEED = 20241
COMPARATORS = [">=", ">", "=", "≈", "<=", "<"]


def _create(tw, rnd: random.Random, i: int) -> Matter:
    raised = D(2024, 1, 2) + dt.timedelta(days=rnd.randrange(0, 200))
    deadline = rnd.choice(
        [None, raised + dt.timedelta(days=rnd.randrange(5, 300)), D(2024, 12, 31)]
    )
    data = {
        "title": f"随机任务{i}",
        "task_source": "work_report",
        "year": 2024,
        "lead_unit": tw.unit_rs,
        "deadline": deadline,
        "cycle": rnd.choice(["monthly", "monthly", "quarterly", "none"]),
        "due_day": rnd.choice([1, 10, 25, 28, 31]),
        "raised_on": raised,
    }
    if rnd.random() < 0.6:
        data.update(
            target_value=rnd.choice([100, 3760, 5]),
            target_unit="人",
            comparator=rnd.choice(COMPARATORS),
        )
    with frozen(raised):
        return services.do_create_task(tw.scope("sup_a"), data)


def _write(tw, rnd: random.Random, m: Matter) -> None:
    """Reports at random days (some periods skipped, some late), maybe 办结 at the end."""
    unit = tw.scope("unit_rs")
    day = m.raised_on
    for _ in range(rnd.randrange(0, 6)):
        day += dt.timedelta(days=rnd.randrange(10, 70))
        if day > D(2025, 2, 1):
            break
        m = Matter.objects.select_related("task").get(pk=m.pk)
        if m.status in FINISHED:
            break
        with frozen(day):
            periods = [p.label for p in services.reportable_periods(m, day)]
            if m.task.cycle == "none":
                periods.append(f"2024-{rnd.randrange(1, 13):02d}")
            if not periods:
                continue
            target = m.task.target_value or 100
            services.do_submit_progress(
                unit,
                m,
                period=rnd.choice(periods),
                text="按计划推进",
                actual_value=str(round(float(target) * rnd.uniform(0.1, 1.2), 1))
                if m.task.quantitative
                else None,
                expected_version=m.version,
            )
    if rnd.random() < 0.25:
        day += dt.timedelta(days=rnd.randrange(1, 40))
        m = Matter.objects.get(pk=m.pk)
        with frozen(day):
            services.do_finish_task(
                unit, m, note="已完成", evidence="文号2024-1", expected_version=m.version
            )


def _days(m: Matter) -> list[dt.date]:
    base = m.task.light_base
    end = horizon(m, base) + dt.timedelta(days=3)
    return [base + dt.timedelta(days=n) for n in range((end - base).days + 1)]


def test_the_stored_dates_give_the_rules_light_on_every_day_from_their_base(tworld):
    rnd = random.Random(SEED)
    made = [_create(tworld, rnd, i) for i in range(24)]
    for m in made:
        _write(tworld, rnd, m)
    tasks = list(
        Matter.objects.filter(pk__in=[m.pk for m in made])
        .select_related("task")
        .prefetch_related("task_reports")
    )
    seen = {"red": 0, "yellow": 0, "green": 0}
    for m in tasks:
        assert m.task.light_base is not None, m.title
        for day in _days(m):
            st = task_status(m, day)
            assert stored_light(m.task, day) == st.light.light, (m.title, day, st.light)
            over = m.task.overdue_from is not None and m.task.overdue_from <= day
            assert over == is_overdue(m, st, day), (m.title, day)
            seen[st.light.light.value] += 1
    assert all(seen.values()), seen  # every light occurs
    # The SQL filters say the same on sample days.
    for day in (D(2024, 2, 8), D(2024, 9, 30), D(2024, 12, 31), D(2025, 3, 3)):
        qs = Matter.objects.filter(pk__in=[m.pk for m in tasks])
        for light in ("red", "yellow", "green"):
            got = set(qs.filter(task_light_q(light, day)).values_list("pk", flat=True))
            want = {
                m.pk
                for m in tasks
                if m.task.light_base <= day and task_status(m, day).light.light.value == light
            }
            assert got == want, (day, light)
        got = set(qs.filter(overdue_q(day)).values_list("pk", flat=True))
        want = {
            m.pk
            for m in tasks
            if m.task.light_base <= day and is_overdue(m, task_status(m, day), day)
        }
        assert got == want, day


def test_every_write_leaves_the_dates_fresh(tworld):
    """After the service writes the stored dates are those a rebuild would write."""
    rnd = random.Random(SEED + 1)
    made = [_create(tworld, rnd, i) for i in range(8)]
    for m in made:
        _write(tworld, rnd, m)
    fields = lights.FIELDS
    before = {
        pk: row
        for pk, *row in Matter.objects.filter(pk__in=[m.pk for m in made]).values_list(
            "pk", *(f"task__{f}" for f in fields)
        )
    }
    for m in made:
        last = before[m.pk][0]
        with frozen(last):
            lights.rebuild(Matter.objects.filter(pk=m.pk))
    after = {
        pk: row
        for pk, *row in Matter.objects.filter(pk__in=[m.pk for m in made]).values_list(
            "pk", *(f"task__{f}" for f in fields)
        )
    }
    assert after == before


def test_a_calendar_override_and_the_command_rewrite_the_dates(tworld):
    """A working day made a day off moves the yellow window of an open task; the override's
    save rewrites the dates, and `taizhang tasklights` finds nothing left to rewrite."""
    from io import StringIO

    from django.core.management import call_command

    from taizhang.core.models import CalendarOverride

    m = Matter.objects.select_related("task").get(pk=tworld.task.pk)
    before = m.task.yellow_from
    assert before is not None
    # A working day inside the yellow window (before the report's due date) made a day
    # off: the window of N working days starts earlier.
    day = before
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    with frozen(m.task.light_base):
        CalendarOverride.objects.create(date=day, is_workday=False, note="测试")
    m = Matter.objects.select_related("task").get(pk=m.pk)
    assert m.task.yellow_from is not None and m.task.yellow_from < before
    out = StringIO()
    with frozen(m.task.light_base):
        call_command("tasklights", stdout=out)
    assert "0 项亮灯日期需重算" in out.getvalue()
    with frozen(m.task.light_base):
        call_command("tasklights", "--rebuild", stdout=out)
    assert "已重算" in out.getvalue()


def test_tasks_of_an_upgraded_database_get_their_dates_after_migrate(tworld):
    m = Matter.objects.select_related("task").get(pk=tworld.task.pk)
    kept = [getattr(m.task, f) for f in lights.FIELDS]
    assert kept[0] is not None
    TaskDetail.objects.filter(matter=m).update(**dict.fromkeys(lights.FIELDS))
    with frozen(kept[0]):
        lights.fill_after_migrate(using="default")
    m = Matter.objects.select_related("task").get(pk=m.pk)
    assert [getattr(m.task, f) for f in lights.FIELDS] == kept
