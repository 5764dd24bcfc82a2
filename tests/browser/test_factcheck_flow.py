"""The fact-check page in a browser: the office pastes a text and sees green and red figures,
on a desktop and on a phone (390 px, no horizontal scrolling of the page)."""

from __future__ import annotations

import os

import pytest

from taizhang.measures import services
from tests.browser.conftest import login
from tests.test_measures import TEXT, _signed_task, ledger  # noqa: F401  (the hand-built 2022 ledger)

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("TAIZHANG_SCREENSHOTS", "/tmp/taizhang-factcheck")


def fits(page, name: str) -> None:
    os.makedirs(SHOTS, exist_ok=True)
    page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)
    width = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert width[0] <= width[1], (name, width)


@pytest.mark.parametrize(
    "viewport",
    [{"width": 1366, "height": 900}, {"width": 390, "height": 844}],
    ids=["desktop", "phone"],
)
def test_it_colours_a_pasted_text(browser, live_server, ledger, viewport):  # noqa: F811
    phone = viewport["width"] < 640
    context = browser.new_context(
        locale="zh-CN", viewport=viewport, is_mobile=phone, has_touch=phone
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    page.base_url = live_server.url
    try:
        login(page, "sup_a", "pw-sup_a")
        page.goto(live_server.url + "/factcheck/?division=410603")
        fits(page, f"{viewport['width']}-1-form")
        form = page.locator("form.factcheck-form")
        form.locator("textarea[name=text]").fill(TEXT)
        form.locator("input[name=as_of]").fill("2022-03-31")
        form.locator("button.primary").click()
        page.locator("#factcheck-result").wait_for()
        marks = page.locator(".fact-text mark")
        assert marks.count() == 8
        assert page.locator(".fact-text mark.fact-match").count() == 5
        red = page.locator(".fact-text mark.fact-mismatch")
        assert red.count() == 2
        assert "台账 0次" in red.first.get_attribute("title")
        assert page.locator(".fact-text mark.fact-unchecked").count() == 1
        row = page.locator("tr[data-status=mismatch]").last
        assert "台账 3.1亿元（截至2022-03-31）" in row.inner_text()
        fits(page, f"{viewport['width']}-2-result")
        page.goto(live_server.url + "/measures/?division=410603")
        page.locator("#measure-list").wait_for()
        fits(page, f"{viewport['width']}-3-measures")
        # The bound task's page: binding, ledger value, chart and binding form fit the screen.
        m = _signed_task(ledger.w)
        services.do_bind_task(ledger.w.scope("sup_a"), m, code="projects.signed_count")
        page.goto(live_server.url + f"/tasks/{m.pk}/")
        page.locator("#measure [data-field=ledger_value]").wait_for()
        fits(page, f"{viewport['width']}-4-task")
    finally:
        context.close()
