"""The dashboard's marked forecast and the office's evidence pack, on a desktop and a phone."""

from __future__ import annotations

import datetime as dt
import io
import os

import pytest
from docx import Document

from tests.browser.conftest import login
from tests.browser.test_csp_pages import watch
from tests.enterprise_fixtures import accept_and_assign, new_problem
from tests.test_forecast import ledger  # noqa: F401  (the hand-built ledger fixture)

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

VIEWPORTS = {
    "desktop": {"viewport": {"width": 1366, "height": 900}},
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
}


def fits(page, name: str) -> None:
    width = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert width[0] <= width[1], (name, width)


@pytest.mark.parametrize("device", list(VIEWPORTS))
@pytest.mark.usefixtures("ledger")
def test_it_shows_the_forecast_and_downloads_an_evidence_pack(
    browser, live_server, eworld, world, device
):
    w = world
    m = new_problem(
        eworld, "sup_a", w.enterprise_a, "污水管网接入迟迟未批", raised_on=dt.date(2022, 9, 26)
    )
    m = accept_and_assign(
        eworld, m, "sup_a", w.unit_a, day=dt.date(2022, 9, 28), deadline=dt.date(2022, 10, 10)
    )
    context = browser.new_context(locale="zh-CN", **VIEWPORTS[device])
    page = context.new_page()
    page.set_default_timeout(15000)
    page.base_url = live_server.url
    violations = watch(page)
    try:
        login(page, "sup_a", "pw-sup_a")
        page.goto(f"{live_server.url}/?division={w.a.code}&year=2021&month=3")
        section = page.locator("#forecast")
        section.wait_for()
        assert section.locator(".tag.estimate").inner_text() == "预测·估算"
        assert "季节指数法" in (section.locator(".tag.estimate").get_attribute("title") or "")
        sentence = section.locator("[data-figure=forecast]").inner_text()
        assert sentence == "按往年节奏，预计年末完成54.7%；需月均完成0.3亿元"
        fits(page, f"{device}-dashboard")

        page.goto(f"{live_server.url}/problems/{m.pk}/")
        fits(page, f"{device}-problem")
        with page.expect_download() as info:
            page.click("a[data-evidence]")
        download = info.value
        assert download.suggested_filename == f"{m.number}-问责佐证材料.docx"
        body = open(download.path(), "rb").read()
        text = "\n".join(p.text for p in Document(io.BytesIO(body)).paragraphs)
        assert "交办 2022-09-28 + 5个工作日 = 2022-10-10" in text

        page.goto(f"{live_server.url}/evidence/?from=2022-10-01&to=2022-12-31")
        assert page.locator("table", has_text="区发改委").count() == 1
        fits(page, f"{device}-evidence")
        assert violations == []  # nothing inline: the pages run under the strict CSP
    finally:
        context.close()
