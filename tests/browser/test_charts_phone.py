"""The server-drawn charts fit a 390 px phone: no sideways scrolling, each SVG no wider
than the screen (viewBox + width 100%)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.conf import settings
from django.test import Client

from taizhang.matters.models import Kind, Matter, ProblemCategory, Status
from taizhang.projects import rollup
from taizhang.projects.models import MonthlyReport

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


def _ledger(w) -> None:
    for mo, amount in ((1, "1000"), (2, "2500"), (3, "4000")):
        MonthlyReport.objects.create(project=w.pa, year=2022, month=mo, amount=Decimal(amount))
    # Written behind the services: refresh the investment rollup as they do.
    rollup.refresh_projects([w.pa.pk], [2022])
    cat = ProblemCategory.objects.create(name="要素保障")
    y = dt.date.today().year
    for d in (3, 9, 15):
        Matter.objects.create(
            kind=Kind.ENTERPRISE_PROBLEM,
            division=w.a,
            title=f"问题{d}",
            enterprise=w.enterprise_a,
            category=cat,
            raised_on=dt.date(y, 1, d),
            lead_unit=w.unit_a,
            status=Status.ASSIGNED,
        )


def test_it_fits_every_chart_on_a_phone(browser, live_server, world) -> None:
    _ledger(world)
    c = Client()
    c.force_login(world.users["sup_a"])
    context = browser.new_context(locale="zh-CN", viewport=PHONE)
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": c.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    page = context.new_page()
    try:
        for url, charts in (
            # The investment trend; this world has no 2022 tasks, so the dashboard says so
            # instead of drawing an empty lights chart.
            (f"/?division={world.a.code}&year=2022&month=8", 1),
            (f"/projects/{world.pa.pk}/", 1),
            (f"/problems/figures/?division={world.a.code}", 3),
        ):
            resp = page.goto(live_server.url + url)
            assert resp is not None and resp.status == 200, url
            widths = page.eval_on_selector_all(
                "svg.tz-chart", "els => els.map(e => e.getBoundingClientRect().right)"
            )
            assert len(widths) == charts, url
            assert all(0 < r <= PHONE["width"] for r in widths), (url, widths)
            assert page.evaluate(
                "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
            ), url
    finally:
        context.close()
