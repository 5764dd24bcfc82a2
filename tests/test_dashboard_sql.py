"""Dashboards aggregate in the database: the same figures as counting every row in Python,
a constant number of queries whatever the number of projects and problems, and no query
that reads more than a bounded number of rows."""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from taizhang.core.models import Division
from taizhang.core.scope import Scope
from taizhang.matters.figures import compute, period, problem_figures, problem_rows, problems_in
from taizhang.matters.models import Matter, MatterStep, ProblemCategory, Status
from taizhang.matters.problems import NewProblem, insert_problems
from taizhang.projects import rollup
from taizhang.projects.models import Level, Milestone, MonthlyReport, Project, ProjectYear

D = dt.date
MAX_ROWS = 200


# ------------------------------------------------------------------ the same figures as Python


def reference(scope: Scope, division: Division, year: int, month: int | None, today: dt.date):
    """The problem figures the way they were counted before: every row of the cohort read
    (replayed from the step history for a past day) and counted in Python."""
    start, end = period(year, month)
    as_of = min(end, today)
    rows = problem_rows(problems_in(scope, division, start, end), as_of)
    out = compute(rows, as_of)
    by_status: dict[str, int] = {}
    by_category: dict[str, int] = {}
    units: dict[str, list[dict[str, Any]]] = {}
    last = month or (as_of.month if as_of.year == year else 12)
    by_month = {mo: [0, 0] for mo in range(1, last + 1)}
    for r in rows:
        label = str(Status(r["status"]).label)
        by_status[label] = by_status.get(label, 0) + 1
        cat = r["category__name"] or "未分类"
        by_category[cat] = by_category.get(cat, 0) + 1
        if r["raised_on"].month in by_month:
            by_month[r["raised_on"].month][0] += 1
        closed = r["closed_on"]
        if closed and closed.year == year and closed.month in by_month:
            by_month[closed.month][1] += 1
        if r["lead_unit__name"]:
            units.setdefault(r["lead_unit__name"], []).append(r)
    by_unit = {name: compute(urows, as_of) | {"n": len(urows)} for name, urows in units.items()}
    return out, by_status, by_category, by_month, by_unit


@pytest.fixture
def demo_loaded(demo_session, db) -> None:
    """The demo, loaded once for every test that reads it (tests/conftest.py)."""


@pytest.mark.parametrize(("code", "user"), [("410603", "sc_duchashi"), ("410411", "zh_duchashi")])
def test_it_counts_the_problem_figures_in_sql_as_python_counts_every_row(demo_loaded, code, user):
    scope = Scope(get_user_model().objects.get(username=user))
    division = Division.objects.get(code=code)
    today = timezone.localdate()
    periods = [(y, m) for y in (2021, 2022) for m in (3, 6, 8, 11, None)]
    periods += [(today.year, None), (today.year, today.month)]
    for year, month in periods:
        fig = problem_figures(scope, division, year, month, today)
        out, by_status, by_category, by_month, by_unit = reference(
            scope, division, year, month, today
        )
        for key, value in out.items():
            assert getattr(fig, key) == value, (year, month, key)
        assert {k: v for k, v in fig.by_status.items() if v} == by_status, (year, month)
        assert fig.by_category == by_category, (year, month)
        assert fig.by_month == by_month, (year, month)
        assert {u["unit"]: u["assigned"] for u in fig.by_unit} == {
            k: v["n"] for k, v in by_unit.items()
        }
        for u in fig.by_unit:
            ref = by_unit[u["unit"]]
            assert (u["resolved"], u["overdue_open"]) == (ref["resolved"], ref["overdue_open"])


# ------------------------------------------------------------------ constant queries, few rows


@contextmanager
def rows_read() -> Any:
    """Record every SELECT the block runs with its parameters, to count its rows afterwards."""
    seen: list[tuple[str, Any]] = []

    def record(execute, sql, params, many, context):
        if sql.lstrip().upper().startswith("SELECT"):
            seen.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        yield seen


def largest_result(seen: list[tuple[str, Any]]) -> tuple[int, str]:
    most, which = 0, ""
    with connection.cursor() as cur:
        for sql, params in seen:
            cur.execute(f"SELECT COUNT(*) FROM ({sql}) t", params)
            n = cur.fetchone()[0]
            if n > most:
                most, which = n, sql
    return most, which


def _grow(world, n_projects: int, n_problems: int) -> None:
    """Many listed projects (all red: a milestone overdue) with a year of reports, and many
    problems, some assigned and late, in district A."""
    year = timezone.localdate().year
    start = len(Project.objects.all())
    projects = Project.objects.bulk_create(
        Project(
            division=world.a,
            code=f"ZZ-{start + i:05d}",
            name=f"批量项目{i}",
            responsible_unit=world.unit_a,
            total_investment=Decimal("1000"),
            stage="building",
        )
        for i in range(n_projects)
    )
    ProjectYear.objects.bulk_create(
        ProjectYear(project=p, year=y, level=Level.DISTRICT, annual_plan=Decimal("500"))
        for p in projects
        for y in (year - 1, year)
    )
    MonthlyReport.objects.bulk_create(
        MonthlyReport(project=p, year=y, month=m, amount=Decimal("12.5"))
        for p in projects
        for y in (year - 1, year)
        for m in range(1, 13)
        if (y, m) < (year, timezone.localdate().month)
    )
    # Written behind the services: refresh the investment rollup as a bulk import does.
    rollup.refresh_projects([p.pk for p in projects], (year - 1, year))
    Milestone.objects.bulk_create(
        Milestone(project=p, name="开工", planned_date=D(year - 1, 3, 1)) for p in projects
    )
    scope = world.scope("sup_a")
    enterprise = world.enterprise_a
    category = ProblemCategory.objects.first()
    for _ in insert_problems(
        scope,
        (
            NewProblem(
                enterprise=enterprise,
                category=category,
                title=f"批量问题{i}",
                description="批量问题的具体情况",
                source="visit",
                raised_on=D(year - 1, 1 + i % 12, 10),
                raised_by_name="测试",
            )
            for i in range(n_problems)
        ),
        backdate=True,
    ):
        pass
    late = Matter.objects.filter(title__startswith="批量问题", title__endswith="0")
    late.update(
        status=Status.ASSIGNED,
        lead_unit=world.unit_a,
        assigned_on=D(year - 1, 2, 1),
        deadline=D(year - 1, 3, 1),
    )


def _pages(client: Client, year: int) -> list[tuple[str, dict[str, Any]]]:
    return [
        ("/", {"division": "410603", "year": year, "month": 6}),
        ("/", {"division": "410603"}),
        ("/api/v1/dashboard/projects", {"division": "410603", "year": year, "month": 6}),
        ("/api/v1/dashboard/problems", {"division": "410603", "year": year, "month": 6}),
        ("/api/v1/dashboard/problems", {"division": "410603", "year": year + 1}),
        ("/api/v1/dashboard/forecast", {"division": "410603", "year": year + 1, "month": 6}),
    ]


def _costs(client: Client, year: int) -> list[int]:
    out = []
    for path, params in _pages(client, year):
        with CaptureQueriesContext(connection) as ctx:
            r = client.get(path, params)
        assert r.status_code == 200, (path, r.content[:300])
        out.append(len(ctx.captured_queries))
    return out


def test_each_dashboard_costs_the_same_queries_and_reads_few_rows_for_many_projects(eworld):
    world = eworld.w
    if world.a.code != "410603":
        pytest.skip("the world's district A is not 410603")
    client = Client()
    client.force_login(world.users["sup_a"])
    year = timezone.localdate().year - 1
    _grow(world, 3, 5)
    _costs(client, year)  # warm the per-process caches (calendar, settings rows)
    few = _costs(client, year)
    _grow(world, 400, 600)
    many = _costs(client, year)
    assert many == few
    for path, params in _pages(client, year):
        with rows_read() as seen:
            assert client.get(path, params).status_code == 200
        most, sql = largest_result(seen)
        assert most <= MAX_ROWS, (path, params, most, sql[:300])
    body = client.get("/", {"division": "410603", "year": year, "month": 6}).content.decode()
    assert "查看全部" in body and "light=red" in body  # 400 red projects, 50 shown


def test_a_problem_stepped_after_the_cut_off_is_counted_as_it_stood_then(eworld):
    """The SQL counts only rows whose columns are their state on the day; a row stepped
    later is replayed, so moving it on does not change a past period's figures."""
    world = eworld.w
    _grow(world, 0, 24)
    scope = world.scope("sup_a")
    year = timezone.localdate().year - 1
    before = problem_figures(scope, world.a, year, 6)
    m = Matter.objects.filter(title__startswith="批量问题", status=Status.ASSIGNED).first()
    MatterStep.objects.create(
        matter=m,
        action="finish",
        from_status=Status.ASSIGNED,
        to_status=Status.REPORTED,
        date=D(year, 9, 1),
        at=timezone.now(),
    )
    Matter.objects.filter(pk=m.pk).update(status=Status.REPORTED, finished_on=D(year, 9, 1))
    after = problem_figures(scope, world.a, year, 6)
    assert after.as_contract() == before.as_contract()
    assert before.overdue_open >= 1
