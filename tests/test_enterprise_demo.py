"""The demo reproduces the seeds' enterprise-service figures through the system's own computations."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from taizhang.demo import load as demo
from taizhang.enterprises.models import Enterprise
from taizhang.lib.credit_code import is_valid
from taizhang.matters.models import Matter, Status


@pytest.fixture
def demo_module(demo_session, db) -> None:
    """The demo, loaded once for every test that reads it (tests/conftest.py)."""


@pytest.fixture
def demo_loaded(demo_module, db):
    return None


def as_user(username: str) -> Client:
    c = Client()
    c.force_login(get_user_model().objects.get(username=username))
    return c


def test_it_reproduces_zhanhe_2021(demo_loaded):
    r = as_user("zh_duchashi").get(
        "/api/v1/dashboard/problems", {"division": "湛河区", "year": 2021}
    )
    assert r.status_code == 200
    d = r.json()
    assert d["problems_raised"] == 61 and d["problems_resolved"] == 61
    assert d["resolution_rate_pct"] == "100.0"
    assert d["forums"] == 32 and d["visits"] >= 180
    assert d["service_officers"] == 82


def test_it_reproduces_shancheng_2022(demo_loaded):
    c = as_user("sc_duchashi")
    d = c.get("/api/v1/dashboard/problems", {"division": "410603", "year": 2022}).json()
    assert d["enterprises_under_liaison"] == 265 and d["enterprises"] == 265
    assert d["service_officers"] == 403
    assert d["visits"] >= 1100
    assert d["problems_resolved"] == 207
    assert d["satisfaction_rate_pct"] == "100.0"
    # Through August, as the September 2022 bulletin counted it, the figures are the same.
    d8 = c.get(
        "/api/v1/dashboard/problems", {"division": "山城区", "year": 2022, "month": 8}
    ).json()
    assert (d8["visits"], d8["problems_resolved"]) == (d["visits"], 207)


def test_it_shows_both_on_the_web_dashboard(demo_loaded):
    body = as_user("zh_duchashi").get("/", {"division": "410411", "year": 2021}).content.decode()

    def figure(name: str, html: str) -> str:
        return re.search(rf'data-figure="{name}">([^<]*)<', html).group(1)

    assert figure("problems_raised", body) == "61" and figure("problems_resolved", body) == "61"
    assert figure("resolution_rate", body) == "100.0%"
    assert "61 ÷ 61" in body
    body = as_user("sc_duchashi").get("/").content.decode()
    assert figure("enterprises_under_liaison", body) == "265"
    assert figure("service_officers", body) == "403"
    assert figure("completion_rate", body) == "143.2%"  # the project section is intact
    assert "解决率 = 已解决（已销号）问题数 ÷ 期内提出问题数" in body


def test_it_marks_synthetic_rows_and_uses_valid_codes(demo_loaded):
    assert all(is_valid(c) for c in Enterprise.objects.values_list("credit_code", flat=True))
    assert (
        not Enterprise.objects.filter(is_synthetic=True).exclude(name__contains="（合成）").exists()
    )
    assert Enterprise.objects.filter(name__startswith="新拓洋", is_synthetic=False).exists()


def test_it_gives_the_enterprise_account_its_own_portal(demo_loaded):
    assert "qy_xintuoyang" in {u for u, *_ in demo.accounts()}
    c = as_user("qy_xintuoyang")
    body = c.get("/portal/").content.decode()
    assert "生物工程车间留抵退税办理" in body and "请评价" in body
    assert "稀有气体充装站" not in body  # another enterprise's problem
    titles = {i["title"] for i in c.get("/api/v1/problems").json()["items"]}
    assert titles and all(
        Matter.objects.get(title=t).enterprise.name.startswith("新拓洋") for t in titles
    )


def test_it_has_live_problems_that_remind_picks_up(demo_loaded):
    states = set(Matter.objects.filter(is_synthetic=False).values_list("status", flat=True))
    assert {
        Status.SUBMITTED,
        Status.ACCEPTED,
        Status.ASSIGNED,
        Status.IN_PROGRESS,
        Status.REPORTED,
        Status.RATED,
        Status.RETURNED,
    } <= states
    out = StringIO()
    call_command("remind", stdout=out)
    text = out.getvalue()
    assert "黄灯0条" not in text and "红灯0条" not in text
    again = StringIO()
    call_command("remind", stdout=again)
    assert "黄灯0条，红灯0条，升级0条，通知0人次" in again.getvalue()
    # The unit's "my work" lists what is waiting for it.
    body = as_user("sc_moushan").get("/my/").content.decode()
    assert "二期项目一线普工招聘缺口120人" in body


def test_it_enters_its_history_through_the_ledgers_own_creation_rows(demo_loaded):
    """Historical problems get the 提出 step and audit entry every new problem gets, dated
    before their later steps; synthetic enterprises are audited like any other."""
    from taizhang.core.models import AuditEntry
    from taizhang.matters.models import MatterStep

    closed = Matter.objects.filter(is_synthetic=True, kind="enterprise_problem")
    assert closed.count() == 207 + 61
    m = closed.first()
    steps = list(MatterStep.objects.filter(matter=m))
    assert [s.action for s in steps] == ["submit", "accept", "assign", "report", "rate", "close"]
    assert steps[0].date == m.raised_on and steps[0].at < steps[-1].at
    created = AuditEntry.objects.filter(object_type="matters.matter", action="create")
    assert (
        created.filter(
            object_id__in=[str(pk) for pk in closed.values_list("pk", flat=True)]
        ).count()
        == 268
    )
    ents = Enterprise.objects.filter(is_synthetic=True).values_list("pk", flat=True)
    audited = AuditEntry.objects.filter(object_type="enterprises.enterprise", action="create")
    assert audited.filter(object_id__in=[str(pk) for pk in ents]).count() == len(ents)
