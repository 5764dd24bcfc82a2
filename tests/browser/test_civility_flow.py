"""创文 end to end through the web, on a desktop and on a phone (390×844): the office inspects
a point and records a failure with a photo; the responsible unit rectifies with an
after-photo; the office re-inspects and the rectification closes. Every page fits the width."""

from __future__ import annotations

import os

import pytest
from django.utils import timezone

from taizhang.attachments.models import Attachment
from taizhang.matters.models import Matter, Status
from tests import attachment_files as af
from tests.browser.conftest import login
from tests.civility_fixtures import build_civ

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("TAIZHANG_SCREENSHOTS", "/tmp/taizhang-civility-flow")
VIEWPORTS = {
    "desktop": {"viewport": {"width": 1366, "height": 900}},
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
}


def fits(page, name: str) -> None:
    os.makedirs(SHOTS, exist_ok=True)
    page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)
    width = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert width[0] <= width[1], (name, width)


@pytest.mark.parametrize("device", VIEWPORTS)
def test_it_inspects_rectifies_and_closes(browser, live_server, world, media, tmp_path, device):
    civ = build_civ(world, year=timezone.localdate().year)
    site = tmp_path / "现场.jpg"
    site.write_bytes(af.photo_bytes())
    fixed = tmp_path / "整改后.jpg"
    fixed.write_bytes(af.photo_bytes())
    context = browser.new_context(locale="zh-CN", **VIEWPORTS[device])
    page = context.new_page()
    page.set_default_timeout(15000)
    page.base_url = live_server.url
    # The strict Content-Security-Policy: no page of the flow may trip it.
    violations: list[str] = []
    page.on(
        "console",
        lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None,
    )
    page.on("pageerror", lambda e: violations.append(f"pageerror: {e}"))
    std = civ.road_std.pk
    try:
        # 1. The office inspects the street: the road standard fails, with a photo.
        login(page, "sup_a", "pw-sup_a")
        page.goto(f"{live_server.url}/civility/points/{civ.street.pk}/")
        fits(page, f"{device}-1-point")
        page.click("text=检查此点位")
        form = page.locator("form.civ-inspect")
        form.locator(f"input[name=failed][value='{std}']").check()
        form.locator(f"input[name=note_{std}]").fill("路面坑洼积水")
        form.locator(f"input[name=photo_{std}]").set_input_files(str(site))
        fits(page, f"{device}-2-inspect")
        form.locator("button.primary").click()
        page.wait_for_url(f"**/civility/points/{civ.street.pk}/")
        fits(page, f"{device}-3-inspected")
        m = Matter.objects.get(kind="rectification")
        assert (m.status, m.lead_unit) == (Status.ASSIGNED, civ.street.unit)
        assert Attachment.objects.filter(original_name="现场.jpg", owner_id=m.pk).exists()

        # 2. The responsible unit reports the rectification with an after-photo.
        page.context.clear_cookies()
        login(page, "unit_a", "pw-unit_a")
        page.goto(f"{live_server.url}/civility/rectifications/")
        fits(page, f"{device}-4-unit-list")
        page.goto(f"{live_server.url}/civility/rectifications/{m.pk}/")
        report = page.locator("form.act-rectify")
        report.locator("input[name=note]").fill("已修补路面")
        report.locator("input[name=files]").set_input_files(str(fixed))
        fits(page, f"{device}-5-unit-report")
        # Wait for the POST's own navigation: wait_for_load_state() would return at once on
        # the page already loaded, and the next login could race the response (flaky in CI).
        with page.expect_navigation():
            report.locator("button.primary").click()
        assert Matter.objects.get(pk=m.pk).status == Status.REPORTED
        assert Attachment.objects.get(original_name="整改后.jpg").step_id is not None

        # 3. The office re-inspects: passed, closed.
        page.context.clear_cookies()
        login(page, "sup_a", "pw-sup_a")
        page.goto(f"{live_server.url}/civility/rectifications/{m.pk}/")
        page.locator("form.act-recheck_pass input[name=note]").fill("复查合格")
        with page.expect_navigation():
            page.locator("form.act-recheck_pass button").click()
        fits(page, f"{device}-6-closed")
        assert Matter.objects.get(pk=m.pk).status == Status.CLOSED
        page.goto(f"{live_server.url}/civility/?division={world.a.code}")
        fits(page, f"{device}-7-board")
        page.goto(f"{live_server.url}/civility/tree/?division={world.a.code}")
        fits(page, f"{device}-8-tree")
        assert violations == []
    finally:
        context.close()
