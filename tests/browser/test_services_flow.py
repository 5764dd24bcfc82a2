"""政务服务 and 银企对接 through the browser, on a desktop and on a phone (390 px):
import the hall's sheet → see the figures → turn an overdue case into a supervision task;
publish a financing need → a bank takes it up → 达成意向. Every page fits the screen."""

from __future__ import annotations

import os

import pytest

from taizhang.imports import jobs
from taizhang.services.models import BankResponse, FinancingNeed, ServiceCase
from tests.browser.conftest import login, pick
from tests.import_sheets import xlsx

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS = {"desktop": (1366, 900), "phone": (390, 844)}


def fits(page, name: str) -> None:
    width = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert width[0] <= width[1], (name, width)


def new_page(browser, live_server, size: str):
    w, h = VIEWPORTS[size]
    phone = size == "phone"
    context = browser.new_context(
        locale="zh-CN", viewport={"width": w, "height": h}, is_mobile=phone, has_touch=phone
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    page.base_url = live_server.url
    # The pages run under the strict CSP: any violation or script error is collected.
    page.violations = []
    page.on(
        "console",
        lambda m: page.violations.append(m.text) if "Content Security Policy" in m.text else None,
    )
    page.on("pageerror", lambda e: page.violations.append(f"pageerror: {e}"))
    return context, page


@pytest.mark.parametrize("size", sorted(VIEWPORTS))
def test_it_imports_cases_shows_figures_and_escalates_an_overdue_one(
    browser, live_server, world, tmp_path, settings, size
):
    # The test plays the import worker itself (see test_import_flow.py).
    settings.TAIZHANG = {**settings.TAIZHANG, "IMPORT_INLINE_THREAD": False}
    settings.SESSION_SAVE_EVERY_REQUEST = False
    sheet = tmp_path / "办件.xlsx"
    sheet.write_bytes(
        xlsx(
            [
                [
                    "办件编号",
                    "事项名称",
                    "办理单位",
                    "受理日期",
                    "承诺时限（工作日）",
                    "办结日期",
                    "评价",
                ],
                ["ZH-1", "食品经营许可", "区发改委", "2022-03-07", 5, "2022-03-14", "满意"],
                ["ZH-2", "营业执照", "区发改委", "2022-03-07", 1, "2022-03-08", "基本满意"],
                ["ZH-3", "建设工程规划许可", "红旗街道办事处", "2022-03-07", 5, "", ""],
            ]
        )  # fmt: skip
    )
    context, page = new_page(browser, live_server, size)
    try:
        login(page, "sup_a", "pw-sup_a")
        page.goto(live_server.url + "/imports/")
        page.select_option("select[name=kind]", "service_cases")
        page.set_input_files("input[name=file]", str(sheet))
        page.click("#import-upload button[type=submit]")
        page.wait_for_selector("#job-progress")
        assert jobs.run_pending() == 1
        page.wait_for_selector("#preview-counts")
        assert page.locator("[data-count=create]").inner_text() == "3"
        fits(page, "preview")
        page.click("#commit-form button[type=submit]")
        page.wait_for_selector("#job-progress")
        assert jobs.run_pending() == 1
        page.wait_for_selector("text=已导入：新增 3 行")
        assert ServiceCase.objects.count() == 3
        # The figures: 2 on time of 3 decided (ZH-3 is open past its limit), 1 满意 of 2.
        page.goto(live_server.url + "/services/figures/?year=2022")
        assert page.locator("[data-figure=cases]").first.inner_text() == "3"
        assert page.locator("[data-figure=on_time_rate_pct]").first.inner_text() == "66.7%"
        assert page.locator("[data-figure=satisfaction_rate_pct]").first.inner_text() == "50.0%"
        assert "按时办结率 =" in page.content()
        fits(page, "figures")
        page.goto(live_server.url + "/services/?year=2022&state=overdue")
        fits(page, "overdue list")
        page.click("text=建设工程规划许可")
        page.click("button[name=escalate]")
        page.wait_for_selector("[data-escalated]")
        fits(page, "escalated")
        case = ServiceCase.objects.get(number="ZH-3")
        assert case.matter is not None and case.matter.lead_unit.name == "红旗街道办事处"
        page.click("[data-escalated]")
        page.wait_for_selector("[data-source-case]")
        assert "ZH-3" in page.locator("[data-source-case]").inner_text()
        assert page.violations == []
    finally:
        context.close()


@pytest.mark.parametrize("size", sorted(VIEWPORTS))
def test_it_publishes_a_need_and_records_a_banks_intention(browser, live_server, world, size):
    context, page = new_page(browser, live_server, size)
    try:
        login(page, "sup_a", "pw-sup_a")
        page.goto(live_server.url + "/financing/new/")
        form = page.locator("form.form")
        pick(form, "enterprise", world.enterprise_a.name[:2], world.enterprise_a.name)
        form.locator("input[name=amount]").fill("0")
        form.locator("input[name=purpose]").fill("技改设备购置")
        form.locator("input[name=term_months]").fill("24")
        form.locator("input[name=published_on]").fill("2022-03-01")
        form.locator("button.primary").click()
        page.wait_for_selector("text=必须大于0")
        assert not FinancingNeed.objects.exists()
        form = page.locator("form.form")
        form.locator("input[name=amount]").fill("3000")
        fits(page, "need form")
        form.locator("button.primary").click()
        page.wait_for_selector("#add-response")
        fits(page, "need detail")
        page.locator("#add-response select[name=bank]").select_option(label="中原银行")
        page.locator("#add-response input[name=started_on]").fill("2022-03-02")
        page.locator("#add-response button").click()
        page.wait_for_selector("[data-status=matching]")
        advance = page.locator("form.resp-advance[data-bank=中原银行]")
        advance.locator("select[name=status]").select_option("intention")
        advance.locator("input[name=date]").fill("2022-03-09")
        advance.locator("input[name=amount]").fill("2000")
        advance.locator("button").click()
        page.wait_for_selector("[data-status=intention]")
        fits(page, "intention")
        r = BankResponse.objects.get()
        assert (r.status, str(r.intention_amount)) == ("intention", "2000.00")
        page.goto(live_server.url + "/financing/?year=2022")
        assert page.locator("[data-figure=intentions]").inner_text() == "1"
        fits(page, "needs list")
        assert page.violations == []
    finally:
        context.close()
