"""The demo reproduces, through the system's own computations, what the papers printed."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from taizhang.demo import load as demo
from taizhang.projects.models import Project


@pytest.fixture
def demo_db(demo_session, db):
    return get_user_model()


def api(username: str, **params) -> dict:
    c = Client()
    c.force_login(get_user_model().objects.get(username=username))
    r = c.get("/api/v1/dashboard/projects", params)
    assert r.status_code == 200, r.content
    return r.json()


def test_it_reproduces_shancheng_2022(demo_db):
    body = api("sc_duchashi", division="山城区", year=2022, month=8)
    assert body["project_count"] == 35
    assert body["total_investment_wan"] == "2179000.00"
    assert body["completed_wan"] == "1233000.00"
    assert body["completion_rate_pct"] == "143.2"
    h1 = api("sc_duchashi", division="410603", year=2022, month=6)
    assert (h1["signed_count"], h1["signed_investment_wan"]) == (11, "690000.00")
    assert (h1["landed_count"], h1["landed_investment_wan"]) == (9, "590000.00")


def test_it_reproduces_mazhuang_february_2022(demo_db):
    body = api("zh_duchashi", division="马庄街道", year=2022, month=2, level="省市")
    assert body["project_count"] == 11
    assert body["total_investment_wan"] == "750000.00"
    assert body["annual_plan_wan"] == "200000.00"
    assert body["completed_wan"] == "22000.00"
    assert body["completion_rate_pct"] == "11.0"


def test_it_reproduces_shancheng_2023_provincial_and_city(demo_db):
    body = api("sc_lingdao", division="山城区", year=2023, month=12, level="省市")
    assert body["project_count"] == 15
    assert body["completed_wan"] == "347000.00"
    assert body["completion_rate_pct"] == "121.3"


def test_it_shows_the_figures_on_the_supervisors_dashboard(demo_db):
    c = Client()
    c.force_login(get_user_model().objects.get(username="sc_duchashi"))
    body = c.get("/").content.decode()
    for text in ("217.9", "123.3", "143.2%"):
        assert text in body


def test_it_loads_only_once(demo_db):
    count = Project.objects.count()
    assert demo.load() is False
    assert Project.objects.count() == count


def test_it_keeps_other_districts_out_of_sight(demo_db):
    c = Client()
    c.force_login(get_user_model().objects.get(username="zh_duchashi"))
    assert (
        c.get("/api/v1/dashboard/projects", {"division": "山城区", "year": 2022}).status_code == 404
    )
