"""The demo's planted duplicate and radar pattern, found by the system's own computations
(taizhang/demo/similar.py, docs/similar.md)."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from taizhang.core.scope import Scope
from taizhang.demo.similar import POWER, SEWAGE
from taizhang.enterprises.models import Enterprise
from taizhang.matters.models import Matter, ProblemCategory
from taizhang.similar import figures


@pytest.fixture
def demo_module(demo_session, db) -> None:
    """The demo, loaded once for every test that reads it (tests/conftest.py)."""


@pytest.fixture
def office(demo_module, db):
    return get_user_model().objects.get(username="sc_duchashi")


def test_it_suggests_the_planted_duplicates_when_a_reworded_problem_is_submitted(office):
    planted = {m.pk: m for m in Matter.objects.filter(title__in=SEWAGE)}
    assert len(planted) == 2
    other = (
        Enterprise.objects.filter(park__name="牟山园区管委会")
        .exclude(matters__title__in=SEWAGE)
        .order_by("pk")
        .first()
    )
    c = Client()
    c.force_login(office)
    r = c.post(
        "/problems/new/",
        {
            "enterprise": other.pk,
            "category": ProblemCategory.objects.get(name="基础设施").pk,
            "title": "厂区污水接不进园区污水管网，无法排放",
            "source": "visit",
        },
    )
    html = r.content.decode()
    assert r.status_code == 200 and 'name="confirm_duplicate"' in html
    for pk in planted:
        assert f'href="/problems/{pk}/"' in html
    # The office's 疑似重复 list pairs the two planted problems.
    pairs = figures.duplicate_pairs(Scope(office))
    assert any({p.a.pk, p.b.pk} == set(planted) for p in pairs)


def test_it_shows_the_parks_power_capacity_pattern_on_the_radar(office):
    clusters = figures.radar(Scope(office))
    power = [c for c in clusters if set(POWER) <= {m.title for m in c.problems}]
    assert len(power) == 1
    c = power[0]
    assert len(c.enterprises) >= len(POWER) and c.parks == ["牟山园区管委会"]
    c = Client()
    c.force_login(office)
    html = c.get("/radar/").content.decode()
    assert all(title in html for title in POWER)
