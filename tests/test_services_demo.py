"""Seed 004's 湛河区 figures reproduced by the system's own computations, through the API:
686 cases, on time 100.0, satisfaction 99.0 (679 满意 of 686); 18 intentions, 50000 万元."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from taizhang.demo import load as demo
from taizhang.services.models import BankResponse, FinancingNeed, ServiceCase


@pytest.fixture(scope="module")
def demo_module(django_db_setup, django_db_blocker):
    """The demo, loaded once for this module; flushed at the end so no other test sees it."""
    with django_db_blocker.unblock():
        assert demo.load()
    yield
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)


@pytest.fixture
def zh(demo_module, db) -> Client:
    c = Client()
    c.force_login(get_user_model().objects.get(username="zh_duchashi"))
    return c


def test_it_reproduces_the_service_hall_figures_of_seed_004(zh):
    d = zh.get("/api/v1/dashboard/services", {"division": "410411", "year": 2022}).json()
    assert (d["cases"], d["on_time_rate_pct"], d["satisfaction_rate_pct"]) == (686, "100.0", "99.0")
    # 679 rated 满意 of 686: 98.98% rounds to 99.0 (680 would give 99.1).
    year = ServiceCase.objects.filter(division__code="410411", accepted_on__year=2022)
    assert year.filter(evaluation="satisfied").count() == 679
    assert float(d["avg_workdays"]) > 0
    page = zh.get("/services/figures/", {"division": "410411", "year": 2022}).content.decode()
    assert (
        'data-figure="cases">686<' in page and 'data-figure="satisfaction_rate_pct">99.0%' in page
    )
    assert "按时办结率 = 按时办结件数" in page


def test_it_reproduces_the_bank_enterprise_figures_of_seed_004(zh):
    d = zh.get("/api/v1/dashboard/financing", {"division": "湛河区", "year": 2022}).json()
    assert (d["needs"], d["intentions"], d["intention_amount_wan"]) == (22, 18, "50000.00")
    assert float(d["granted_amount_wan"]) > 0
    assert sum(b["intentions"] for b in d["by_bank"]) == 18
    assert FinancingNeed.objects.filter(division__code="410411").count() == 22
    assert BankResponse.objects.filter(status="failed").count() == 1
    page = zh.get("/financing/figures/", {"division": "410411", "year": 2022}).content.decode()
    assert 'data-figure="intentions">18<' in page and "5.0" in page


def test_it_has_a_live_overdue_case_to_escalate(zh):
    body = zh.get("/services/", {"division": "410411", "state": "overdue"}).content.decode()
    assert "超期未办结" in body and "没有符合条件的办件" not in body
