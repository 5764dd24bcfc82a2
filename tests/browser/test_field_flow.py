"""The field, on a phone (390×844), end to end: the cadre logs a visit with a photo and a
problem raised on the spot; the office assigns it; the lead unit reports 办结 with a photo;
the enterprise rates it. Every page shown along the way fits the screen's width."""

from __future__ import annotations

import datetime as dt
import os

import pytest

from taizhang.attachments.models import Attachment
from taizhang.enterprises.models import Visit
from taizhang.matters.models import Matter, Status
from tests import attachment_files as af
from tests.browser.conftest import login, pick
from tests.enterprise_fixtures import accept_and_assign

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("TAIZHANG_SCREENSHOTS", "/tmp/taizhang-field-flow")


def fits(page, name: str) -> None:
    """No horizontal scrolling of the page itself; a screenshot of the step."""
    os.makedirs(SHOTS, exist_ok=True)
    page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)
    width = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    assert width[0] <= width[1], (name, width)


def test_it_runs_the_field_flow_on_a_phone(browser, live_server, eworld, media, tmp_path):
    w = eworld.w
    site = tmp_path / "现场.jpg"
    site.write_bytes(af.photo_bytes())
    fixed = tmp_path / "整改后.jpg"
    fixed.write_bytes(af.photo_bytes())
    context = browser.new_context(
        locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    page.base_url = live_server.url
    try:
        # 1. The cadre logs a visit: the enterprise picked by search, a photo, a problem.
        login(page, "cadre_a", "pw-cadre_a")
        fits(page, "1-cadre-landing")
        page.goto(live_server.url + "/visits/")
        page.click("text=登记走访/座谈")
        form = page.locator("form.visit-form")
        pick(form, "enterprises", w.enterprise_a.name[:2], w.enterprise_a.name)
        form.locator("textarea[name=notes]").fill("现场查看厂区道路")
        form.locator("input[name='problems-0-title']").fill("厂区门前道路破损")
        form.locator("select[name='problems-0-category']").select_option(label="用工")
        form.locator("input[name=files]").set_input_files(str(site))
        fits(page, "2-cadre-visit-form")
        form.locator("button.primary").click()
        page.wait_for_url("**/visits/*/")
        fits(page, "3-cadre-visit-saved")
        visit = Visit.objects.get(notes="现场查看厂区道路")
        problem = visit.problems.get()
        assert problem.title == "厂区门前道路破损"
        assert Attachment.objects.filter(original_name="现场.jpg", owner_id=visit.pk).exists()

        # The office accepts and assigns it (its desk work, not part of the phone flow).
        day = dt.date.today()
        accept_and_assign(eworld, problem, "sup_a", w.unit_a, day=day)

        # 2. The lead unit reports 办结 with a photo, from its today page.
        page.context.clear_cookies()
        login(page, "unit_a", "pw-unit_a")
        page.goto(live_server.url + "/today/")
        fits(page, "4-unit-today")
        page.goto(f"{live_server.url}/problems/{problem.pk}/")
        fits(page, "5-unit-problem")
        report = page.locator("form.act-report")
        report.locator("input[name=note]").fill("道路已修复")
        report.locator("input[name=files]").set_input_files(str(fixed))
        report.locator("button[name=do]").click()
        page.wait_for_load_state()
        fits(page, "6-unit-reported")
        assert Matter.objects.get(pk=problem.pk).status == Status.REPORTED
        evidence = Attachment.objects.get(original_name="整改后.jpg")
        assert evidence.step_id is not None

        # 3. The enterprise rates it.
        page.context.clear_cookies()
        login(page, "ent_a", "pw-ent_a")
        page.goto(f"{live_server.url}/problems/{problem.pk}/")
        fits(page, "7-enterprise-problem")
        page.locator("form.act-rate input[value=satisfied]").check()
        page.locator("form.act-rate button[name=do]").click()
        page.wait_for_load_state()
        fits(page, "8-enterprise-rated")
        done = Matter.objects.get(pk=problem.pk)
        assert (done.status, done.rating) == (Status.RATED, "satisfied")
    finally:
        context.close()
