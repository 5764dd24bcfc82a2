"""The pace forecast on the demo: figures pinned, computed by the system from the demo's ledger."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from taizhang.core.models import Division
from taizhang.core.scope import Scope
from taizhang.projects.forecast import backtest, mean_abs_error

D = Decimal


@pytest.fixture
def demo_module(demo_session, db) -> None:
    """The demo, loaded once for every test that reads it (tests/conftest.py)."""


@pytest.fixture
def sc(demo_module, db) -> Client:
    c = Client()
    c.force_login(get_user_model().objects.get(username="sc_duchashi"))
    return c


def test_it_forecasts_2025_from_the_two_full_years_before(sc):
    r = sc.get("/api/v1/dashboard/forecast", {"division": "410603", "year": 2025, "month": 6})
    body = r.json()
    assert body["method"] == "seasonal"
    assert body["history_years"] == [2023, 2024]
    # 1—6月 done 18919.08 of a 41830.44 plan; 2023 and 2024 had done 47.7% by June on average.
    assert body["completed_wan"] == "18919.08" and body["expected_share_pct"] == "47.7"
    assert body["forecast_completion_pct"] == "94.8"
    assert body["needed_monthly_wan"] == "3818.56"
    assert body["sentence"] == "按往年节奏，预计年末完成94.8%；需月均完成0.4亿元"


def test_it_backtests_better_than_the_linear_pace_by_midyear(demo_module, db):
    scope = Scope(get_user_model().objects.get(username="admin"))
    rows = backtest(scope, Division.objects.get(code="410603"), [2023, 2024, 2025])
    seasonal = [r for r in rows if r.method == "seasonal"]
    assert {r.year for r in seasonal} == {2025}
    mae, linear = mean_abs_error(seasonal), mean_abs_error(seasonal, "linear_pct")
    # The figures docs/forecast.md reports (bench/bench_forecast.py prints the whole table).
    assert mae[6] == D("9.2") and linear[6] == D("13.5")
    assert all(mae[m] < linear[m] for m in range(1, 9))


def test_it_shows_this_years_forecast_on_the_dashboard(sc):
    year = timezone.localdate().year
    body = sc.get("/", {"year": year}).content.decode()
    assert "预测·估算" in body and "按往年节奏，预计年末完成" in body
    assert "2024、2025" in body


def test_it_adds_the_marked_forecast_to_the_bulletin(sc):
    import io

    from docx import Document

    r = sc.get(
        "/assessment/bulletin.docx", {"division": "410603", "period": "2022Q3", "recompute": "1"}
    )
    assert r.status_code == 200
    text = "\n".join(p.text for p in Document(io.BytesIO(r.content)).paragraphs)
    assert "年末完成预测（估算）" in text
    # 2022's list has no full past year in the ledger: the linear pace, and it says so.
    assert "按线性进度，预计年末完成" in text and "往年完整数据不足两年" in text
