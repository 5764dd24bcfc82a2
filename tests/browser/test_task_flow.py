"""A new user pastes seed 003 (山城区2024年政府工作报告摘要), publishes the draft as tasks, and the
lead unit's user submits a monthly report and sees the progress and the light change."""

from __future__ import annotations

import datetime as dt
import os
from unittest import mock

import pytest

from taizhang.demo import load as demo
from taizhang.demo.org import DEMO_PASSWORD
from taizhang.matters.models import Matter
from tests.browser.conftest import login, pick
from tests.seeds import REPORT_2024, seed_path

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# A fixed "today" (the live server runs in this process, so the patch reaches it too):
# the March report falls due on the 25th, one working day away.
TODAY = dt.date(dt.date.today().year, 3, 24)
while TODAY.weekday() >= 5:
    TODAY -= dt.timedelta(days=1)


def as_user(page, username: str) -> None:
    page.context.clear_cookies()
    login(page, username, DEMO_PASSWORD)


def test_it_turns_a_pasted_work_report_into_tasks_and_reports_on_one(page):
    text = seed_path(REPORT_2024).read_text(encoding="utf-8")
    year = TODAY.year
    with mock.patch("django.utils.timezone.localdate", return_value=TODAY):
        demo.load()

        # The supervision office pastes the report.
        as_user(page, "sc_duchashi")
        page.click("nav.mainnav >> text=督查任务")
        page.click("nav.subnav >> text=报告分解")
        page.fill("#new-draft textarea[name=text]", text)
        page.click("#new-draft button.primary")
        page.wait_for_load_state()
        assert "已生成任务分解草稿" in page.locator(".messages").inner_text()
        assert page.locator("#draft-head input[name=year]").input_value() == "2024"

        # This year's table: move the draft to this year, then complete the employment row.
        page.fill("#draft-head input[name=year]", str(year))
        page.click("#draft-head button")
        page.wait_for_load_state()
        row = page.locator(
            "tr[data-kind=target]", has=page.locator("input[name=title][value='城镇新增就业']")
        )
        assert row.locator("mark").inner_text() == "3760"
        assert row.locator("input[name=target_value]").input_value() == "3760"
        pick(row, "lead_unit", "qfzhggwyh", "区发展和改革委员会")
        row.locator("button[value=save]").click()
        page.wait_for_load_state()
        assert "已保存第" in page.locator(".messages").inner_text()

        # Publishing a row without a lead unit is refused as a whole, naming the row.
        row = page.locator(
            "tr[data-kind=target]", has=page.locator("input[name=title][value='城镇新增就业']")
        )
        other = page.locator(
            "tr[data-kind=target]", has=page.locator("input[name=title][value='新开工项目']")
        )
        row.locator("input[name=ids]").check()
        other.locator("input[name=ids]").check()
        page.click("button[value=publish]")
        page.wait_for_load_state()
        assert "行（新开工项目）：请选择牵头单位" in page.locator(".messages").inner_text()
        assert not Matter.objects.filter(title="城镇新增就业").exists()

        row = page.locator(
            "tr[data-kind=target]", has=page.locator("input[name=title][value='城镇新增就业']")
        )
        row.locator("input[name=ids]").check()
        page.click("button[value=publish]")
        page.wait_for_load_state()
        assert "已发布1项督办任务" in page.locator(".messages").inner_text()
        task = Matter.objects.get(title="城镇新增就业")
        assert task.deadline == dt.date(year, 12, 31)

        # The lead unit sees the task, yellow: the March report is due tomorrow.
        as_user(page, "sc_fgw")
        page.click("nav.mainnav >> text=督查任务")
        page.click("table.tasks >> text=城镇新增就业")
        page.wait_for_load_state()
        assert page.locator("[data-field=light] .light").get_attribute("data-light") == "yellow"
        assert f"{year}-03进度应于" in page.locator("[data-field=light_reason]").inner_text()
        assert page.locator("[data-field=progress]").inner_text() == "—"

        form = page.locator("form.act-submit_report")
        assert form.locator("select[name=period]").input_value() == f"{year}-03"
        form.locator("input[name=actual_value]").fill("980")
        form.locator("input[name=text]").fill("一季度新增就业980人")
        form.locator("button[name=do]").click()
        page.wait_for_load_state()
        assert f"已完成「{year}-03进度报送」" in page.locator(".messages").inner_text()
        # 980 of 3760 = 26.1%, ahead of the 24.7% of the year gone by 31 March: green.
        assert page.locator("[data-field=progress]").inner_text() == "26.1%"
        assert page.locator("[data-field=light] .light").get_attribute("data-light") == "green"
        assert page.locator("table.reports tr[data-period]").count() == 1
