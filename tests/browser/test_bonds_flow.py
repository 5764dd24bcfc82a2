"""The 专项债 ledger in the browser, on a desktop and on a phone (390×844): the office puts a
project on the ledger at 包装 with the amount it applies for, moves it 入库 → 申报, corrects the
amount, and the list's totals follow. Every page fits the screen's width."""

from __future__ import annotations

import os
import re

import pytest

from taizhang.projects.bonds import BondProject
from tests.browser.conftest import login, pick

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("TAIZHANG_SCREENSHOTS", "/tmp/taizhang-bonds-flow")
VIEWPORTS = {
    "desktop": {"viewport": {"width": 1366, "height": 900}},
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
}


def fits(page, name: str) -> None:
    """No horizontal scrolling of the page itself; a screenshot of the step."""
    os.makedirs(SHOTS, exist_ok=True)
    page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)
    width = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert width[0] <= width[1], (name, width)


def figure(page, name: str) -> str:
    return page.locator(f"[data-figure='{name}']").inner_text().replace(",", "").strip()


@pytest.mark.parametrize("device", list(VIEWPORTS))
def test_it_moves_a_bond_project_through_packaging_and_the_totals_follow(
    browser, live_server, world, device
):
    context = browser.new_context(locale="zh-CN", **VIEWPORTS[device])
    page = context.new_page()
    page.set_default_timeout(15000)
    page.base_url = live_server.url
    try:
        login(page, "sup_a", "pw-sup_a")
        page.goto(live_server.url + "/bonds/?year=2022")
        assert figure(page, "bond_projects") == "0"
        fits(page, f"{device}-1-empty-list")

        page.goto(live_server.url + "/bonds/new/")
        form = page.locator("form.form")
        pick(form, "project", world.pa.name[:3], world.pa.name)
        form.locator("input[name=year]").fill("2022")
        form.locator("select[name=field]").select_option(label="市政和产业园区基础设施")
        form.locator("select[name=status]").select_option(label="包装")
        form.locator("input[name=date]").fill("2022-03-01")
        form.locator("input[name=applied]").fill("1.5亿")
        fits(page, f"{device}-2-new-form")
        form.locator("button.primary").click()
        page.wait_for_url(re.compile(r".*/bonds/\d+/$"))
        assert page.locator("#bond-status").inner_text() == "包装"
        fits(page, f"{device}-3-detail")

        for label, day in (("入库", "2022-04-01"), ("申报", "2022-05-10")):
            status = page.locator("#bond-status-form")
            status.locator("select[name=to_status]").select_option(label=label)
            status.locator("input[name=date]").fill(day)
            status.locator("button.primary").click()
            page.wait_for_load_state()
            assert page.locator("#bond-status").inner_text() == label
        bond = BondProject.objects.get()
        assert bond.status == "applied"
        assert list(bond.changes.values_list("to_status", flat=True)) == [
            "packaging",
            "pooled",
            "applied",
        ]

        page.goto(live_server.url + "/bonds/?year=2022")
        assert figure(page, "bond_projects") == "1"
        assert figure(page, "bond_applied") == "15000.00"
        assert figure(page, "total_investment") == "300000.00"
        fits(page, f"{device}-4-list")

        # The amount is corrected on the detail page; the list's total follows.
        page.click(f"text={world.pa.name}")
        amounts = page.locator("#bond-amounts-form")
        amounts.locator("input[name=applied]").fill("16000")
        amounts.locator("button.primary").click()
        page.wait_for_load_state()
        assert "16,000.00" in page.locator("#bond-applied").inner_text()
        # An approved amount before 获批 is refused with a Chinese message and nothing saved.
        amounts = page.locator("#bond-amounts-form")
        amounts.locator("input[name=approved]").fill("100")
        amounts.locator("button.primary").click()
        page.wait_for_load_state()
        assert page.get_by_text("尚未到「获批」状态").count() >= 1
        bond.refresh_from_db()
        assert bond.approved == 0
        page.goto(live_server.url + "/bonds/?year=2022")
        assert figure(page, "bond_applied") == "16000.00"
        fits(page, f"{device}-5-list-after")
    finally:
        context.close()


def test_it_fits_the_batch_event_and_officer_pages_on_a_phone(browser, live_server, world):
    import datetime as dt

    from taizhang.enterprises import services as ent_services
    from taizhang.projects import bond_services

    sup = world.scope("sup_a")
    event = bond_services.do_create_batch_event(
        sup,
        {
            "division": world.a,
            "kind": "start",
            "date": dt.date(2022, 4, 1),
            "title": "山城区2022年第一批重点项目集中开工仪式",
            "place": "新拓洋生物科技产业园项目现场",
            "projects": [world.pa, world.pa_town],
        },
    )
    ent_services.do_add_liaison(
        sup,
        person=world.cadre_a,
        role="stationed",
        start=dt.date(2022, 1, 1),
        enterprise=world.enterprise_a,
    )
    context = browser.new_context(locale="zh-CN", **VIEWPORTS["phone"])
    page = context.new_page()
    page.set_default_timeout(15000)
    page.base_url = live_server.url
    try:
        login(page, "sup_a", "pw-sup_a")
        page.goto(live_server.url + "/batches/?division=410603&start=2022-01-01&end=2022-12-31")
        assert page.get_by_text(event.title).count() == 1
        fits(page, "phone-6-batches")
        page.goto(f"{live_server.url}/batches/{event.pk}/")
        assert "305,000.00" in page.locator("#event-total").inner_text()
        fits(page, "phone-7-batch-detail")
        page.goto(live_server.url + "/batches/new/")
        fits(page, "phone-8-batch-form")
        page.goto(live_server.url + "/officers/?division=410603&year=2022")
        assert page.get_by_text(world.cadre_a.name).count() >= 1
        fits(page, "phone-9-officers")
    finally:
        context.close()
