"""The demo's 专项债, 三个一批 and 驻厂专员 figures, reproduced by the system and read through the API."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from taizhang.projects.bonds import BatchEvent


@pytest.fixture
def demo_module(demo_session, db) -> None:
    """The demo, loaded once for every test that reads it (tests/conftest.py)."""


@pytest.fixture
def admin(demo_module, db) -> Client:
    c = Client()
    c.force_login(get_user_model().objects.get(username="admin"))
    return c


def test_it_reproduces_the_shifanqu_bond_pool_through_the_api(admin):
    # The contract example names the division as reports do, without the city.
    r = admin.get("/api/v1/dashboard/bonds", {"division": "城乡一体化示范区", "year": 2022})
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["bond_projects"] == 6
    assert body["total_investment_wan"] == "263000.00"
    assert body["bond_applied_wan"] == "155000.00"
    assert body["bond_approved_wan"] == "0.00"
    assert body["by_status"]["入库"] == 6


def test_it_shows_the_same_bond_totals_on_the_page(admin):
    body = admin.get("/bonds/", {"division": "410471", "year": 2022}).content.decode()
    figures = dict(re.findall(r'data-figure="(\w+)">([^<]*)<', body))
    assert figures["bond_projects"] == "6"
    assert figures["total_investment"].replace(",", "").startswith("263000")
    assert figures["bond_applied"].replace(",", "").startswith("155000")
    assert "拟申请专项债 = 各项目拟申请额之和" in body


def test_it_counts_82_stationed_officers_in_zhanhe_apart_from_service_officers(admin):
    r = admin.get("/api/v1/dashboard/problems", {"division": "410411", "year": 2022})
    body = r.json()
    assert body["stationed_officers"] == 82
    assert "service_officers" in body and "visits" in body


def test_it_lists_the_82_officers_with_their_workload(admin):
    r = admin.get("/api/v1/officers/workload", {"division": "410411", "year": 2021})
    rows = r.json()
    assert len(rows) == 82
    assert sum(row["visits"] for row in rows) > 0
    assert all(row["enterprises"] >= 1 for row in rows)
    page = admin.get("/officers/", {"division": "410411", "year": 2021}).content.decode()
    assert "共 82 名" in page


def test_it_adds_started_and_producing_counts_keeping_the_old_keys(admin):
    r = admin.get("/api/v1/dashboard/projects", {"division": "410603", "year": 2022, "month": 12})
    body = r.json()
    for key in ("signed_count", "landed_count", "project_count", "completed_wan"):
        assert key in body
    for key in ("started_count", "producing_count"):
        assert isinstance(body[key], int)
    assert float(body["started_investment_wan"]) >= 0


def test_it_sums_each_batch_events_investment_from_its_projects(admin):
    event = BatchEvent.objects.first()
    assert event is not None, "the demo has batch events"
    r = admin.get(f"/api/v1/batch-events/{event.pk}")
    body = r.json()
    total = sum(p.total_investment for p in event.projects.all())
    assert body["project_count"] == event.projects.count() >= 2
    assert float(body["total_investment_wan"]) == pytest.approx(float(total))
