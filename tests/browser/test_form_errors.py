"""A refused form in a real browser: the page comes back scrolled to the first error, with
its input focused and what was typed still there (behaviour.js, no inline script)."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.conftest import build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _log_in(page, user) -> None:
    # A session made by Django's test client: the login page is not what is tested here.
    c = Client()
    c.force_login(user)
    host = page.base_url.split("//", 1)[1].split(":", 1)[0]
    page.context.add_cookies(
        [{"name": "sessionid", "value": c.cookies["sessionid"].value, "domain": host, "path": "/"}]
    )


def test_it_scrolls_to_the_first_error_and_keeps_the_input(page):
    w = build_world()
    _log_in(page, w.users["unit_a"])
    page.set_viewport_size({"width": 1000, "height": 500})
    page.goto(page.base_url + f"/projects/{w.pa.pk}/")
    form = page.locator("form.report-form")
    form.locator("input[name=year]").fill("2022")
    form.locator("input[name=month]").fill("4")
    form.locator("input[name=amount]").fill("三千五百块")
    form.locator("input[name=note]").fill("主体封顶")
    form.locator("button").click()
    page.wait_for_load_state()
    form = page.locator("form.report-form")
    assert form.locator("input[name=amount]").input_value() == "三千五百块"
    assert form.locator("input[name=note]").input_value() == "主体封顶"
    assert "请输入数字，如 3500 或 1.2亿" in form.locator(".errorlist").first.inner_text()
    # The first error is in view and its input has the focus.
    focused = page.evaluate("document.activeElement && document.activeElement.name")
    assert focused == "amount"
    in_view = page.evaluate(
        "(() => { const r = document.querySelector('form.report-form .errorlist')"
        ".getBoundingClientRect(); return r.top >= 0 && r.bottom <= window.innerHeight; })()"
    )
    assert in_view
