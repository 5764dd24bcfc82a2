from __future__ import annotations

import pytest
from django.utils import timezone

from taizhang.demo import load as demo
from taizhang.demo.org import DEMO_PASSWORD
from taizhang.projects.models import MonthlyReport, Project
from tests.browser.conftest import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_shows_the_dashboard_and_takes_a_monthly_report(page):
    demo.load()
    login(page, "sc_duchashi", DEMO_PASSWORD)
    assert page.locator("[data-figure=completion_rate]").inner_text() == "143.2%"
    assert page.locator("[data-figure=total_investment]").inner_text() == "217.9"
    assert page.locator("[data-figure=completed]").inner_text() == "123.3"

    page.click("text=重点项目")
    page.fill("input[name=q]", "xty")  # pinyin initials of 新拓洋
    page.click("button:has-text('筛选')")
    page.click("text=新拓洋生物科技产业园项目")
    assert page.locator("h1").inner_text().startswith("新拓洋生物科技产业园项目")

    today = timezone.localdate()
    form = page.locator("form.report-form")
    form.locator("input[name=year]").fill(str(today.year))
    form.locator("input[name=month]").fill(str(today.month))
    form.locator("input[name=amount]").fill("1234.5")
    form.locator("input[name=note]").fill("主体施工")
    form.locator("button").click()
    page.wait_for_load_state()
    assert "已报送" in page.locator(".messages").inner_text()
    project = Project.objects.get(name="新拓洋生物科技产业园项目")
    report = MonthlyReport.objects.get(project=project, year=today.year, month=today.month)
    assert str(report.amount) == "1234.50"

    # A future month is refused with a Chinese message and nothing is saved.
    nxt = today.month % 12 + 1
    year = today.year + (1 if today.month == 12 else 0)
    form = page.locator("form.report-form")
    form.locator("input[name=year]").fill(str(year))
    form.locator("input[name=month]").fill(str(nxt))
    form.locator("input[name=amount]").fill("10")
    form.locator("button").click()
    page.wait_for_load_state()
    assert "不能报送未来月份" in page.locator(".messages").inner_text()
    assert not MonthlyReport.objects.filter(project=project, year=year, month=nxt).exists()
