"""The demo's 湛河区 2022 推进会 and 领导批示, counted by the system and pinned through the API."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from taizhang.meetings.models import Meeting


@pytest.fixture
def demo_module(demo_session, db) -> None:
    """The demo, loaded once for every test that reads it (tests/conftest.py)."""


@pytest.fixture
def zh(demo_module, db) -> Client:
    c = Client()
    c.force_login(get_user_model().objects.get(username="zh_duchashi"))
    return c


def test_it_counts_the_2022_meetings_and_decisions_of_zhanhe(zh):
    fig = zh.get("/api/v1/meetings/figures", {"division": "湛河区", "year": 2022}).json()
    assert fig["meetings"] == 35 and fig["by_kind"] == {"progress": 34, "site": 1}
    assert (fig["decisions"], fig["done"], fig["done_on_time"], fig["overdue"], fig["open"]) == (
        71, 63, 54, 8, 0,
    )  # fmt: skip
    assert fig["on_time_rate_pct"] == "76.1"
    assert sum(m["meetings"] for m in fig["by_month"]) == 35
    # The page shows the same function's answer, with its formulas.
    body = zh.get("/meetings/", {"year": 2022, "division": "410411"}).content.decode()
    figures = dict(re.findall(r'data-figure="(\w+)">([^<]*)<', body))
    assert (figures["meetings"], figures["decisions"], figures["on_time_rate_pct"]) == (
        "35", "71", "76.1%",
    )  # fmt: skip
    assert "按时办结率 = 按时办结 ÷（已办结 + 逾期未办结）× 100%" in body


def test_it_lists_the_instructions_and_the_weekly_meetings(zh):
    ins = zh.get("/api/v1/instructions", {"division": "410411"}).json()
    assert ins["count"] == 4
    assert {i["subject"] for i in ins["items"]} >= {
        "耀中纸业二期项目",
        "湛河区银企对接工作情况汇报",
    }
    listing = zh.get("/api/v1/meetings", {"year": 2022, "kind": "progress", "limit": 5}).json()
    assert listing["count"] == 34
    assert listing["items"][0]["doc_number"].startswith("湛会纪〔2022〕")


def test_it_downloads_the_minutes_of_the_site_meeting(zh):
    site = Meeting.objects.get(kind="site")
    assert site.decisions.count() == 3
    r = zh.get(f"/meetings/{site.pk}/minutes.docx")
    assert r.status_code == 200 and r.content[:2] == b"PK"


def test_it_hides_zhanhes_meetings_from_shanchengs_office(demo_module, db):
    c = Client()
    c.force_login(get_user_model().objects.get(username="sc_duchashi"))
    assert c.get("/api/v1/meetings", {"year": 2022}).json()["count"] == 0
    site = Meeting.objects.get(kind="site")
    assert c.get(f"/meetings/{site.pk}/").status_code == 404


def test_it_opens_the_meetings_page_on_the_latest_year_with_meetings(zh):
    body = zh.get("/meetings/").content.decode()
    figures = dict(re.findall(r'data-figure="(\w+)">([^<]*)<', body))
    assert figures["meetings"] == "35" and "湛河区 2022年" in body
