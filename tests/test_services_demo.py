"""Seed 004's 湛河区 figures reproduced by the system's own computations, through the API:
686 cases, on time 100.0, satisfaction 99.0 (679 满意 of 686); 18 intentions, 50000 万元."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from taizhang.services.models import BankResponse, FinancingNeed, ServiceCase


@pytest.fixture
def demo_module(demo_session, db) -> None:
    """The demo, loaded once for every test that reads it (tests/conftest.py)."""


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


def test_it_reports_both_ledgers_in_the_districts_bulletin(zh, demo_module):
    from taizhang.assessment import bulletin
    from taizhang.core.models import Division
    from taizhang.core.scope import Scope

    scope = Scope(get_user_model().objects.get(username="zh_duchashi"))
    g = bulletin.gather(scope, Division.objects.get(code="410411"), "2022Q1")
    section = next(s for s in g.content.sections if s.heading == "政务服务和银企对接情况")
    text = "".join(section.paragraphs)
    assert "受理各类行政许可和服务事项686件，按时办结率100.0%，群众满意度99.0%" in text
    assert "达成银企合作意向18个，意向金额5.0亿元" in text
    figures = dict(map(tuple, bulletin.figures_of(g)))
    assert figures["政务服务办件办理情况（按办理单位）·区市场监督管理局·受理"] == str(
        ServiceCase.objects.filter(
            unit__name="区市场监督管理局", accepted_on__year=2022, accepted_on__month__lte=3
        ).count()
    )
