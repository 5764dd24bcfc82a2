"""The year-end forecast on a hand-built ledger: figures, API and dashboard (issue 15)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client

from taizhang.projects import services
from taizhang.projects.forecast import forecast_figures

D = Decimal
# One project's monthly shape (万元): slow in winter and around 春节; sums to 10000.
PATTERN = [200, 300, 800, 1000, 1200, 1200, 1100, 1100, 1000, 900, 700, 500]


@pytest.fixture
def ledger(world):
    """pa (区发改委): 2019 and 2020 full years on PATTERN (×1, ×2), 2021 Jan–Mar at ×1.3, plan
    26000; pa_town (a town unit): only 2021, 100 a month, plan 2000 — no history of its own."""
    admin = world.scope("admin")
    for year, scale, plan in ((2019, 1, "10000"), (2020, 2, "20000")):
        services.do_set_project_year(admin, world.pa, year=year, level="city", annual_plan=plan)
        for month, amount in enumerate(PATTERN, start=1):
            services.do_submit_monthly_report(
                admin, world.pa, year=year, month=month, amount=D(amount * scale)
            )
    services.do_set_project_year(admin, world.pa, year=2021, level="city", annual_plan="26000")
    for month in (1, 2, 3):
        amount = D(PATTERN[month - 1]) * D("1.3")
        services.do_submit_monthly_report(admin, world.pa, year=2021, month=month, amount=amount)
    services.do_set_project_year(
        admin, world.pa_town, year=2021, level="district", annual_plan="2000"
    )
    for month in (1, 2, 3):
        services.do_submit_monthly_report(
            admin, world.pa_town, year=2021, month=month, amount=D(100)
        )
    # A report of a year whose list the project is not on never counts in that year's pattern.
    services.do_submit_monthly_report(admin, world.pa_town, year=2020, month=12, amount=D(999))
    return world


def test_it_forecasts_each_unit_from_its_own_past_years(ledger):
    w = ledger
    fig = forecast_figures(w.scope("sup_a"), w.a, 2021, 3)
    units = {u.unit: u.forecast for u in fig.by_unit}
    own = units["区发改委"]
    assert own.method == "seasonal" and own.history_years == [2019, 2020]
    # By March the past years had done 13% (200+300+800 of 10000); 1690 ÷ 0.13 = 13000.
    assert own.expected_share_pct == D("13.0")
    assert own.forecast_total_wan == D("13000.00")
    assert own.forecast_completion_pct == D("50.0")
    assert own.needed_monthly_wan == D("2701.11")  # (26000 − 1690) ÷ 9
    town = units[w.unit_a_town.name]
    assert town.method == "linear" and town.history_years == []
    assert town.forecast_completion_pct == D("60.0")  # 300 ÷ 3 × 12 = 1200 of 2000
    # The whole list: the district's pattern (pa's) on everything done: 1990 ÷ 0.13.
    assert fig.forecast.forecast_total_wan == D("15307.69")
    assert fig.forecast.forecast_completion_pct == D("54.7")
    assert fig.forecast.needed_monthly_wan == D("2890.00")  # (28000 − 1990) ÷ 9
    assert fig.sentence == "按往年节奏，预计年末完成54.7%；需月均完成0.3亿元"


def test_it_limits_the_forecast_to_the_chosen_levels(ledger):
    fig = forecast_figures(ledger.scope("sup_a"), ledger.a, 2021, 3, ["district"])
    assert [u.unit for u in fig.by_unit] == [ledger.unit_a_town.name]
    assert fig.forecast.method == "linear"


def test_it_answers_the_api_contract(ledger):
    c = Client()
    c.force_login(ledger.users["sup_a"])
    r = c.get("/api/v1/dashboard/forecast", {"division": ledger.a.code, "year": 2021, "month": 3})
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["forecast_completion_pct"] == "54.7"
    assert body["needed_monthly_wan"] == "2890.00"
    assert body["method"] == "seasonal"
    assert body["history_years"] == [2019, 2020] and body["history_months"] == 24
    assert body["estimate"] is True and "季节指数法" in body["formula"]
    assert {u["unit"] for u in body["by_unit"]} == {"区发改委", ledger.unit_a_town.name}


def test_it_refuses_bad_parameters_in_chinese(ledger):
    c = Client()
    c.force_login(ledger.users["sup_a"])
    r = c.get("/api/v1/dashboard/forecast", {"division": ledger.a.code, "year": 2021, "month": 13})
    assert r.status_code == 422
    r = c.get(
        "/api/v1/dashboard/forecast", {"division": ledger.a.code, "year": 2021, "level": "乡"}
    )
    assert r.status_code == 422 and "项目级别" in r.json()["detail"]
    r = c.get("/api/v1/dashboard/forecast", {"division": ledger.b.code, "year": 2021})
    assert r.status_code == 404


def test_it_shows_the_forecast_marked_as_an_estimate_on_the_dashboard(ledger):
    c = Client()
    c.force_login(ledger.users["sup_a"])
    r = c.get("/", {"division": ledger.a.code, "year": 2021, "month": 3})
    html = r.content.decode()
    assert r.status_code == 200
    assert "预测·估算" in html
    assert "按往年节奏，预计年末完成54.7%；需月均完成0.3亿元" in html
    assert "季节指数法" in html


def test_it_prints_the_forecast_in_the_bulletin_as_an_estimate(ledger):
    from taizhang.assessment.bulletin import forecast_section

    sec = forecast_section(ledger.scope("sup_a"), ledger.a, 2021, 3)
    assert sec.heading == "年末完成预测（估算）"
    assert sec.paragraphs[0] == (
        "按往年节奏，预计年末完成54.7%；需月均完成0.3亿元（依据2019、2020年各月完成规律）。"
    )
    assert sec.paragraphs[1].startswith("注：此为估算，不是统计数。季节指数法")


def test_it_shows_each_units_forecast_on_a_years_project_list(ledger):
    c = Client()
    c.force_login(ledger.users["sup_a"])
    html = c.get("/projects/", {"division": ledger.a.code, "year": 2021, "month": 3}).content
    text = html.decode()
    assert "预测·估算" in text and "按往年节奏，预计年末完成54.7%" in text
    assert "区发改委" in text and "50.0%" in text and "60.0%" in text
    # Without a year the list is the ledger only.
    assert "预测·估算" not in c.get("/projects/").content.decode()
