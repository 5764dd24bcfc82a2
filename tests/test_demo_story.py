"""The demo tells one story: besides the seeds' years, the current year has live data."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from tests.streams import streamed


@pytest.fixture
def demo_module(demo_session, db) -> None:
    """The demo, loaded once for every test that reads it (tests/conftest.py)."""


@pytest.fixture
def sc(demo_module, db) -> Client:
    c = Client()
    c.force_login(get_user_model().objects.get(username="sc_duchashi"))
    return c


def year() -> int:
    return timezone.localdate().year


def test_it_lists_this_years_projects_with_red_and_green_lights(sc):
    body = sc.get("/projects/", {"year": year()}).content.decode()
    count = int(re.search(r"共 (\d+) 个", body).group(1))
    assert count >= 12
    assert 'class="light red' in body and 'class="light green' in body


def test_it_shows_this_years_figures_on_the_dashboard(sc):
    body = sc.get("/", {"year": year()}).content.decode()
    figures = dict(re.findall(r'data-figure="(\w+)">([^<]*)<', body))
    assert int(figures["project_count"]) > 0
    for name in ("total_investment", "annual_plan", "completed"):
        assert float(figures[name]) > 0, name


def test_it_opens_the_task_list_on_a_year_with_tasks(sc):
    body = sc.get("/tasks/").content.decode()
    assert int(re.search(r"共 (\d+) 项", body).group(1)) > 0
    assert "共 0 项" not in body


def test_it_has_open_problems_and_visits_this_year(sc):
    from taizhang.enterprises.models import Visit
    from taizhang.matters.models import Kind, Matter, Status

    this_year = Matter.objects.filter(kind=Kind.ENTERPRISE_PROBLEM, raised_on__year=year())
    assert this_year.exclude(status=Status.CLOSED).exists()
    assert Visit.objects.filter(date__year=year()).exists()
    body = sc.get("/problems/").content.decode()
    assert int(re.search(r"共 (\d+) 条", body).group(1)) > 0


def test_it_fills_every_amount_column_of_this_years_export(sc):
    r = sc.get("/projects/export.csv", {"year": year()})
    assert r.status_code == 200
    rows = list(csv.DictReader(io.StringIO(streamed(r).decode("utf-8-sig"))))
    assert rows
    for column in ("总投资（万元）", "本年计划（万元）", "本年完成（万元）", "完成率"):
        assert all(row[column] for row in rows), column
    # Amounts to the cent on every backend (SQLite once printed 43312.5000000000).
    assert all(re.fullmatch(r"\d+(\.\d{1,2})?", row["本年完成（万元）"]) for row in rows)


def test_it_points_the_default_dashboard_to_this_years_tasks(sc):
    # The seeds' period (2022) opens the dashboard; it had no supervision tasks in the demo.
    body = sc.get("/").content.decode()
    section = body[body.index('id="tasks"') :]
    section = section[: section.index("</section>")]
    assert "共 0 项" not in section
    assert f"?year={year()}#tasks" in section
    this = sc.get("/", {"year": year()}).content.decode()
    section = this[this.index('id="tasks"') :]
    assert int(re.search(r"共 (\d+) 项", section).group(1)) > 0


def test_it_answers_suggestions_and_proposals_this_year(demo_module, db):
    from taizhang.core.models import Division
    from taizhang.core.scope import Scope
    from taizhang.tasks.queries import answer_figures

    admin = Scope(get_user_model().objects.get(username="sc_duchashi"))
    figures = answer_figures(admin, Division.objects.get(code="410603"), year())
    assert len(figures) == 2
    # Closed through the workflow (not only opened), unless it is still January–February.
    if timezone.localdate().month >= 4:
        assert all(f["finished"] > 0 for f in figures), figures


def test_it_lights_this_year_by_this_years_nodes(sc):
    # Nodes left open in 2022 once made this year's list red "已逾期1174个工作日".
    r = sc.get("/projects/export.csv", {"year": year()})
    rows = list(csv.DictReader(io.StringIO(streamed(r).decode("utf-8-sig"))))
    late = [int(n) for row in rows for n in re.findall(r"已逾期(\d+)个工作日", row["亮灯原因"])]
    assert late and max(late) < 250
