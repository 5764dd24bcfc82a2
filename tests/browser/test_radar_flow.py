"""Similar problems in the browser, on a desktop and on a phone (390×844): the office submits
a reworded problem, is asked about the likely duplicate, submits anyway, merges the new one
into the old from the problem's page; then turns the radar's cluster into one task. Every
page along the way fits the screen's width (docs/similar.md)."""

from __future__ import annotations

import datetime as dt
import os

import pytest

from taizhang.enterprises import services as ent_services
from taizhang.matters.models import Kind, Matter, Status
from taizhang.similar.models import RadarLink
from tests.browser.conftest import login, pick
from tests.conftest import make_user
from tests.enterprise_fixtures import code, new_problem

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("TAIZHANG_SCREENSHOTS", "/tmp/taizhang-radar-flow")
POWER = "园区变压器容量不足，申请电力增容"
POWER_AGAIN = "厂区用电容量不够，希望协调供电公司扩容"
POWER_THIRD = "新建车间用电容量不足，申请增容"
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


@pytest.mark.parametrize("device", list(VIEWPORTS))
def test_it_suggests_merges_and_turns_the_radar_into_a_task(
    browser, live_server, eworld, settings, device
):
    # Two enterprises make a pattern here (the demo's floor is three).
    settings.TAIZHANG_RADAR_MIN_ENTERPRISES = 2
    w = eworld.w
    third = ent_services.do_create_enterprise(
        w.scope("admin"),
        {"name": "鹤飞电子", "credit_code": code(7), "division": w.a, "category": "industry"},
    )
    w.users["ent_a3"] = make_user("ent_a3", "enterprise", enterprise=third)
    day = dt.date.today()
    old = new_problem(eworld, "ent_a3", third, POWER, raised_on=day)
    other = new_problem(eworld, "ent_a2", eworld.enterprise_a2, POWER_THIRD, raised_on=day)
    context = browser.new_context(locale="zh-CN", **VIEWPORTS[device])
    page = context.new_page()
    page.set_default_timeout(15000)
    page.base_url = live_server.url
    try:
        login(page, "sup_a", "pw-sup_a")
        # 1. A reworded problem: the form comes back asking about the likely duplicates.
        page.goto(live_server.url + "/problems/new/")
        form = page.locator("form.form")
        pick(form, "enterprise", w.enterprise_a.name[:2], w.enterprise_a.name)
        form.locator("select[name=category]").select_option(label="水电气暖")
        form.locator("input[name=title]").fill(POWER_AGAIN)
        form.locator("button.primary").click()
        page.wait_for_load_state()
        notice = page.locator(".notice-duplicate")
        notice.wait_for()
        assert POWER in notice.inner_text()
        fits(page, f"{device}-1-asked")
        page.locator("input[name=confirm_duplicate]").check()
        page.locator("form.form button.primary").click()
        page.wait_for_url("**/problems/*/")
        new = Matter.objects.get(title=POWER_AGAIN)
        # 2. On its page the office sees the duplicate and merges the new one into the old.
        panel = page.locator("#similar")
        row = panel.locator(f"tr[data-similar='{old.pk}']")
        row.wait_for()
        fits(page, f"{device}-2-similar")
        row.locator("form.merge-form").first.locator("input[name=reason]").fill("同一台变压器")
        row.locator("button[value=merge-into]").click()
        page.wait_for_url(f"**/problems/{old.pk}/")
        new.refresh_from_db()
        assert new.status == Status.CLOSED and new.merged_into_id == old.pk
        assert "合并带入的企业" in page.locator("#similar").inner_text()
        fits(page, f"{device}-3-merged")
        # 3. The radar: the remaining pattern becomes one task linked to both problems.
        page.goto(live_server.url + "/radar/")
        cluster = page.locator(".radar-cluster").first
        cluster.wait_for()
        fits(page, f"{device}-4-radar")
        pick(cluster, "c0-lead_unit", w.unit_a.name[:2], w.unit_a.name)
        # Typing the title moves the focus out of the picker, which closes its list.
        cluster.locator("input[name='c0-title']").fill("园区变电站扩容")
        cluster.locator("form.radar-task button.primary").click()
        page.wait_for_url("**/tasks/*/")
        task = Matter.objects.get(kind=Kind.SUPERVISION_TASK, title="园区变电站扩容")
        assert set(RadarLink.objects.filter(task=task).values_list("problem_id", flat=True)) == {
            old.pk,
            other.pk,
        }
        fits(page, f"{device}-5-task")
        page.goto(f"{live_server.url}/problems/{other.pk}/")
        assert task.number in page.locator("#similar").inner_text()
    finally:
        context.close()
