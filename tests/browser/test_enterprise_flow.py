"""An enterprise problem from the portal to close-out, through two rounds, all in the browser."""

from __future__ import annotations

import os

import pytest
from django.utils import timezone

from taizhang.demo import load as demo
from taizhang.demo.org import DEMO_PASSWORD
from taizhang.matters.models import Matter, Status
from tests.browser.conftest import login, pick

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "新厂房消防验收迟迟未排期"


def as_user(page, username: str) -> None:
    page.context.clear_cookies()
    login(page, username, DEMO_PASSWORD)


def open_problem(page) -> None:
    page.click("text=问题台账")
    page.fill("input[name=q]", TITLE)
    page.click("button:has-text('筛选')")
    page.click(f"text={TITLE}")
    page.wait_for_load_state()


def act(page, action: str) -> None:
    page.locator(f"form.act-{action} button[name=do]").click()
    page.wait_for_load_state()


def status(page) -> str:
    return page.locator("[data-field=status]").inner_text()


def test_it_takes_a_problem_from_the_portal_to_close_out_in_two_rounds(page):
    demo.load()
    today = timezone.localdate()

    # The enterprise submits a problem in its portal.
    as_user(page, "qy_xintuoyang")
    assert page.url.endswith("/portal/")
    form = page.locator("#submit-problem")
    form.locator("select[name=category]").select_option(label="审批手续")
    form.locator("input[name=title]").fill(TITLE)
    form.locator("textarea[name=description]").fill("新厂房已竣工，消防验收申请提交一个月未排期")
    form.locator("button").click()
    page.wait_for_load_state()
    assert "已提交，等待督查室受理" in page.locator(".messages").inner_text()
    assert status(page) == "待受理"

    # The supervision office accepts it and assigns it to the park, due today.
    as_user(page, "sc_duchashi")
    open_problem(page)
    act(page, "accept")
    assert status(page) == "已受理"
    assign = page.locator("form.act-assign")
    pick(assign, "lead_unit", "msyq", "牟山园区管委会")
    pick(assign, "co_units", "住房", "区住房和城乡建设局")
    assign.locator("input[name=deadline]").fill(today.isoformat())
    act(page, "assign")
    assert status(page) == "已交办"
    assert page.locator("[data-field=lead_unit]").inner_text() == "牟山园区管委会"
    first_deadline = page.locator("[data-field=deadline]").inner_text()
    assert first_deadline.startswith(today.isoformat())

    # The unit finds it in its work list and reports the result.
    as_user(page, "sc_moushan")
    page.click("text=我的待办")
    page.click(f"text={TITLE}")
    page.locator("form.act-report input[name=note]").fill("已协调消防部门，下周一现场验收")
    act(page, "report")
    assert status(page) == "已办结"

    # The enterprise is not satisfied: the problem goes back with a new deadline.
    as_user(page, "qy_xintuoyang")
    page.click(f"text={TITLE}")
    page.locator("form.act-rate input[value=unsatisfied]").check()
    page.locator("form.act-rate input[name=comment]").fill("只是排了期，验收还没做")
    act(page, "rate")
    assert status(page) == "退回重办"
    second_deadline = page.locator("[data-field=deadline]").inner_text()
    assert second_deadline[:10] > first_deadline[:10]
    assert "企业评价：不满意，退回重办" in page.locator("table.steps").inner_text()

    # Second round: the unit reports again, the enterprise is satisfied.
    as_user(page, "sc_moushan")
    page.click("text=我的待办")
    page.click(f"text={TITLE}")
    page.locator("form.act-report input[name=note]").fill("消防验收已通过，合格意见书已送达")
    act(page, "report")
    as_user(page, "qy_xintuoyang")
    page.click(f"text={TITLE}")
    page.locator("form.act-rate input[value=satisfied]").check()
    act(page, "rate")
    assert status(page) == "已评价"

    # The office closes it out.
    as_user(page, "sc_duchashi")
    open_problem(page)
    act(page, "close")
    assert status(page) == "已销号"
    m = Matter.objects.get(title=TITLE)
    assert m.status == Status.CLOSED and m.round == 2 and m.rating == "satisfied"
    assert list(m.steps.values_list("action", flat=True)) == [
        "submit",
        "accept",
        "assign",
        "report",
        "rate",
        "report",
        "rate",
        "close",
    ]
