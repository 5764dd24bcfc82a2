"""One truth for project lights: the database's light (lists filter, sort and page by it)
equals the Python rule (`project_statuses`, which also gives the reasons), for every
project, as-of day, year and month — including completion rates exactly on a rounding tie
and milestones due around holidays (issue 13: no list loads a whole scope into Python)."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from taizhang.core.scope import Scope
from taizhang.projects.figures import annotate_lights, project_statuses
from taizhang.projects.models import Milestone, MonthlyReport, Project, ProjectYear
from taizhang.projects.queries import ProjectFilter, filter_projects, lit

DAYS = [
    dt.date(2022, 1, 28),  # before 春节 (the next working day is 2022-02-07)
    dt.date(2022, 2, 3),  # inside the holiday
    dt.date(2022, 6, 30),
    dt.date(2022, 9, 29),  # before 国庆
    dt.date(2022, 10, 8),  # a working Saturday
    dt.date(2022, 12, 31),
    dt.date(2023, 3, 15),
]


def _world_of_projects(world, n: int = 60) -> list[Project]:
    rnd = random.Random(20221001)
    projects = []
    for i in range(n):
        p = Project.objects.create(
            division=world.a,
            code=f"LT-{i:03d}",
            name=f"亮灯项目{i}",
            responsible_unit=world.unit_a,
            total_investment=Decimal("500000"),
        )
        projects.append(p)
        for year in (2021, 2022):
            if rnd.random() < 0.15:
                continue  # no plan this year: pace is green
            plan = Decimal(rnd.choice(["1000.00", "3333.33", "12000.00", "777.77", "0.00"]))
            ProjectYear.objects.create(project=p, year=year, level="district", annual_plan=plan)
            months = rnd.randint(0, 12)
            # Aim at a rate on or next to a rounding tie of some 时序进度 threshold.
            target = Decimal(rnd.choice([25, 33.3, 41.7, 50, 58.3, 66.7, 75, 15, 0])) + Decimal(
                rnd.choice(["-0.05", "0.05", "0", "-10.05", "-9.95", "0.049", "-0.051"])
            )
            total = max(Decimal(0), (plan * target / 100).quantize(Decimal("0.01")))
            for m in range(1, months + 1):
                share = (total / months).quantize(Decimal("0.01")) if m < months else None
                amount = (
                    share
                    if share is not None
                    else total
                    - sum((total / months).quantize(Decimal("0.01")) for _ in range(months - 1))
                )
                MonthlyReport.objects.create(project=p, year=year, month=m, amount=amount)
        for j in range(rnd.randint(0, 3)):
            planned = dt.date(2022, 1, 1) + dt.timedelta(days=rnd.randint(0, 500))
            actual = None
            if rnd.random() < 0.5:
                actual = planned + dt.timedelta(days=rnd.randint(-20, 40))
            Milestone.objects.create(
                project=p, name=f"节点{j}", planned_date=planned, actual_date=actual
            )
    return projects


@pytest.mark.parametrize("as_of", DAYS)
def test_it_lights_every_project_in_sql_as_python_does(world, as_of):
    projects = _world_of_projects(world)
    seen = set()
    for year, month in [(None, None), (2022, None), (2021, None), (2022, 6), (2022, 12)]:
        python = project_statuses(projects, as_of, year=year, month=month)
        sql = dict(
            annotate_lights(
                Project.objects.filter(code__startswith="LT-"), as_of, year=year, month=month
            ).values_list("pk", "light")
        )
        wrong = {
            p.code: (python[p.pk].light.light.value, sql[p.pk], python[p.pk].light.reason)
            for p in projects
            if python[p.pk].light.light.value != sql[p.pk]
        }
        assert not wrong, (as_of, year, month, wrong)
        seen |= set(sql.values())
    assert seen == {"red", "yellow", "green"}  # the comparison is not vacuous


def test_it_pages_a_light_filtered_list_in_the_database(world):
    _world_of_projects(world, 40)
    scope = Scope(world.users["sup_a"])
    f = ProjectFilter(light="red", sort="-investment")
    rows = lit(filter_projects(scope, f), f, dt.date(2022, 9, 29))
    with CaptureQueriesContext(connection) as ctx:
        page = list(rows[:5])
    assert len(ctx.captured_queries) == 1 and "LIMIT" in ctx.captured_queries[0]["sql"].upper()
    assert page and all(p.light == "red" for p in page)
    assert rows.count() == sum(
        1
        for s in project_statuses(list(filter_projects(scope, f)), dt.date(2022, 9, 29)).values()
        if s.light.light.value == "red"
    )
