"""A cadre logs a visit in the browser: the enterprise picked by pinyin initials, a problem
raised on the spot and the position from the browser, on a phone and on a desktop."""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from taizhang.enterprises import services as ent_services
from taizhang.enterprises.models import Visit
from taizhang.matters.models import ensure_default_categories
from tests.browser.conftest import login, pick
from tests.enterprise_fixtures import code

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HOME = {"latitude": 35.7478, "longitude": 114.2973}


@pytest.mark.parametrize(("width", "height"), [(390, 844), (1280, 900)])
def test_it_logs_a_visit_with_a_problem_picked_by_pinyin(
    browser, live_server, world, width, height
):
    ensure_default_categories()
    admin = world.scope("admin")
    tianhai = ent_services.do_create_enterprise(
        admin, {"name": "鹤壁天海电子有限公司", "credit_code": code(31), "division": world.a}
    )
    ent_services.do_add_liaison(
        admin, person=world.cadre_a, role="cadre", start=dt.date(2022, 1, 1), enterprise=tianhai
    )
    context = browser.new_context(
        locale="zh-CN",
        viewport={"width": width, "height": height},
        geolocation=HOME,
        permissions=["geolocation"],
    )
    page = context.new_page()
    page.set_default_timeout(15000)
    page.base_url = live_server.url
    try:
        login(page, "cadre_a", "pw-cadre_a")
        page.goto(live_server.url + "/visits/")
        page.click("text=登记走访/座谈")
        form = page.locator("form.visit-form")
        # The enterprise by its pinyin initials (鹤壁天海 → hbth), not from a long list.
        pick(form, "enterprises", "hbth", "鹤壁天海电子有限公司")
        form.locator("textarea[name=notes]").fill("查看新生产线，了解用工")
        form.locator("input[name='problems-0-title']").fill("缺少技术工人")
        form.locator("select[name='problems-0-category']").select_option(label="用工")
        form.locator("textarea[name='problems-0-description']").fill("急需焊工20名")
        form.locator("button.visit-locate").click()
        # The browser answers asynchronously; expect() waits for the text.
        expect(form.locator("output.visit-position-text")).to_contain_text("已记录位置")
        assert form.locator("input[name=latitude]").input_value() == "35.747800"
        # Nothing in the form is wider than the screen.
        assert form.evaluate("f => f.scrollWidth <= f.clientWidth")
        page.screenshot(path=f"/tmp/picker-visit-{width}.png", full_page=True)
        form.locator("button.primary").click()
        page.wait_for_url("**/visits/*/")
        assert "现场收集问题1个" in page.locator(".messages").inner_text()
        assert "缺少技术工人" in page.locator("main").inner_text()
        visit = Visit.objects.get(notes="查看新生产线，了解用工")
        assert list(visit.enterprises.all()) == [tianhai]
        assert (visit.latitude, visit.longitude) == (Decimal("35.747800"), Decimal("114.297300"))
        problem = visit.problems.get()
        assert (problem.title, problem.enterprise_id) == ("缺少技术工人", tianhai.pk)
        assert problem.description == "急需焊工20名"
    finally:
        context.close()
