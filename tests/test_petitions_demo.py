"""The demo's petitions reproduce seed 001 (示范区纪工委, 2022) by the system's own computations."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.http import Http404
from django.test import Client

from taizhang.core.models import Division
from taizhang.core.scope import Scope
from taizhang.measures import factcheck
from taizhang.petitions.figures import petition_figures
from taizhang.petitions.models import PetitionVisit


@pytest.fixture
def demo_module(demo_session, db) -> None:
    """The demo, loaded once for every test that reads it (tests/conftest.py)."""


@pytest.fixture
def sfq(demo_module, db) -> Client:
    c = Client()
    c.force_login(get_user_model().objects.get(username="sfq_duchashi"))
    return c


def test_it_reproduces_the_seed_figures_of_2022(demo_module, db):
    scope = Scope(get_user_model().objects.get(username="sfq_duchashi"))
    f = petition_figures(scope, Division.objects.get(code="410471"), 2022)
    assert f.petitions_accepted == 16
    assert 80 <= f.people_received < 90  # 接待群众80余人次
    assert f.cases_under_leader == 9
    assert f.difficult_resolved == 12


def test_it_answers_the_figures_contract_by_name_and_by_code(sfq):
    # The contract's example writes the name as reports do, without the city.
    for ref in ("410471", "平顶山市城乡一体化示范区", "城乡一体化示范区"):
        r = sfq.get("/api/v1/dashboard/petitions", {"division": ref, "year": 2022})
        assert r.status_code == 200, r.content
        body = r.json()
        assert body["petitions_accepted"] == 16
        assert body["people_received"] >= 80
        assert body["cases_under_leader"] == 9
        assert body["difficult_resolved"] == 12
        assert body["satisfaction_rate_pct"] == "100.0"
        assert body["on_time_rate_pct"] is not None


def test_it_keeps_the_august_19_feedback_visit(demo_module, db):
    v = PetitionVisit.objects.get(date=dt.date(2022, 8, 19))
    assert "反馈办理结果" in v.note
    assert v.matter.status == "closed"


def test_it_shows_the_figures_with_their_formulas_on_the_page(sfq):
    body = sfq.get("/petitions/", {"division": "410471", "year": 2022}).content.decode()
    assert 'data-figure="petitions_accepted">16<' in body
    assert 'data-figure="cases_under_leader">9<' in body
    assert 'data-figure="difficult_resolved">12<' in body
    assert "受理信访件 = " in body


def test_it_finds_a_division_by_its_short_name_only_inside_scope(demo_module, db):
    sfq = Scope(get_user_model().objects.get(username="sfq_duchashi"))
    zh = Scope(get_user_model().objects.get(username="zh_duchashi"))
    assert sfq.division_by_ref("城乡一体化示范区").code == "410471"
    with pytest.raises(Http404):
        zh.division_by_ref("城乡一体化示范区")  # another district's office
    with pytest.raises(Http404):
        sfq.division_by_ref("一体化示范区")  # a tail that is not "city + name"


def test_it_fact_checks_the_seed_sentence_against_the_petition_ledger(demo_module, db):
    text = (
        "截至目前,区纪工委受理信访件16次,接待群众80余人次,化解疑难重点信访12起。"
        "区纪工委受理信访件17次。"
    )
    items = factcheck.check(text, Division.objects.get(code="410471"), dt.date(2022, 12, 31))
    got = [(i.measure.code if i.measure else None, i.status) for i in items]
    assert got == [
        ("petitions.accepted", "match"),
        ("petitions.people_received", "match"),
        ("petitions.difficult_resolved", "match"),
        ("petitions.accepted", "mismatch"),  # a wrong figure is caught, with the ledger's
    ]
    assert items[3].ledger == 16
