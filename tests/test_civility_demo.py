"""The demo's 创文 figures (seed 001: 9个测评项目板块、72项测评内容、140条测评标准) come from
the system's own counts: the API contract, the page and the bulletin agree."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from docx import Document


@pytest.fixture
def demo_module(demo_session, db) -> None:
    """The demo, loaded once for every test that reads it (tests/conftest.py)."""


@pytest.fixture
def sfq(demo_module, db) -> Client:
    c = Client()
    c.force_login(get_user_model().objects.get(username="sfq_duchashi"))
    return c


PINNED = {
    "sections": 9,
    "contents": 72,
    "standards": 140,
    "points": 30,
    "inspections": 60,
    "failures": 57,
    "rectified": 50,
    "rectified_on_time_rate_pct": "82.0",
}


def test_it_returns_the_seed_figures_from_the_api(sfq):
    r = sfq.get("/api/v1/dashboard/civility?division=城乡一体化示范区&year=2022")
    assert r.status_code == 200
    got = r.json()
    assert {k: got[k] for k in PINNED} == PINNED


def test_it_shows_the_same_figures_on_the_page_with_formulas(sfq):
    page = sfq.get("/civility/?division=410471&year=2022").content.decode()
    for key in ("sections", "contents", "standards", "points", "failures", "rectified"):
        assert f'data-figure="{key}">{PINNED[key]}<' in page
    assert 'data-figure="rectified_on_time_rate_pct">82.0%<' in page
    assert "飞虎榜" in page and "蜗牛榜" in page


def test_it_prints_the_figures_in_the_bulletin(sfq):
    r = sfq.get("/civility/bulletin.docx?division=410471&year=2022")
    text = "\n".join(p.text for p in Document(io.BytesIO(r.content)).paragraphs)
    assert "9个测评项目板块、72项测评内容、140条测评标准" in text
    assert "按时整改率82.0%" in text


def test_it_lists_overdue_rectifications_with_red_lights(sfq):
    r = sfq.get("/api/v1/civility/boards?division=410471&year=2022").json()
    assert sum(u["overdue_open"] for u in r["units"]) == 7
    assert len(r["tigers"]) == 3 and len(r["snails"]) == 3
    page = sfq.get("/civility/rectifications/?light=red").content.decode()
    assert page.count('class="light red"') == 7
