"""推进会 through the web UI, on a desktop and on a phone: the office registers a meeting with
two decisions (the second row added with 再加一条), both become tracked supervision tasks
assigned to their units, and the minutes (.docx) download from the meeting's page."""

from __future__ import annotations

import datetime as dt
import io
import os

import pytest
from docx import Document

from taizhang.matters.models import Status
from taizhang.meetings.models import Meeting
from tests.browser.conftest import login, pick

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("TAIZHANG_SCREENSHOTS", "/tmp/taizhang-meeting-flow")
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


@pytest.mark.parametrize("device", sorted(VIEWPORTS))
def test_it_registers_a_meeting_whose_decisions_become_tasks(browser, live_server, world, device):
    context = browser.new_context(locale="zh-CN", **VIEWPORTS[device])
    page = context.new_page()
    page.set_default_timeout(15000)
    page.base_url = live_server.url
    deadline = (dt.date.today() + dt.timedelta(days=60)).isoformat()
    try:
        login(page, "sup_a", "pw-sup_a")
        page.goto(live_server.url + "/meetings/")
        page.click("main >> text=登记会议")
        form = page.locator("form.meeting-form")
        form.locator("input[name=title]").fill("工业园区专班重点产业项目推进会")
        form.locator("input[name=place]").fill("区政府三楼会议室")
        pick(form, "chair", "王", "王区长")
        pick(form, "projects", "新拓洋", "新拓洋生物科技产业园")
        form.locator("textarea[name='d-0-text']").fill("协调新拓洋产业园用电增容")
        pick(form, "d-0-lead_unit", "发改", "区发改委")
        form.locator("input[name='d-0-deadline']").fill(deadline)
        # Only one row is filled: 再加一条 keeps it and offers one more empty row.
        form.locator("button[name=more]").click()
        page.wait_for_load_state()
        form = page.locator("form.meeting-form")
        assert form.locator("textarea[name='d-0-text']").input_value() == "协调新拓洋产业园用电增容"
        assert form.locator("fieldset.decision-row").count() == 2
        form.locator("textarea[name='d-1-text']").fill("清理综合体周边占道")
        pick(form, "d-1-lead_unit", "红旗", "红旗街道办事处")
        form.locator("input[name='d-1-deadline']").fill(deadline)
        fits(page, f"{device}-1-form")
        form.locator("button[name=save]").click()
        page.wait_for_load_state()
        assert "2条议定事项已转为督办任务" in page.locator(".messages").inner_text()
        fits(page, f"{device}-2-meeting")

        m = Meeting.objects.get()
        tasks = [d.matter for d in m.decisions.select_related("matter").order_by("order")]
        assert [t.lead_unit.name for t in tasks] == ["区发改委", "红旗街道办事处"]
        assert all(t.status == Status.ASSIGNED and t.task.task_source == "meeting" for t in tasks)
        assert page.locator("table.decisions tbody tr").count() == 2

        # The minutes download from the meeting's page.
        with page.expect_download() as info:
            page.click("a[data-minutes]")
        path = info.value.path()
        assert info.value.suggested_filename.endswith(".docx")
        with open(path, "rb") as fh:
            text = "\n".join(p.text for p in Document(io.BytesIO(fh.read())).paragraphs)
        assert m.doc_number in text and "清理综合体周边占道" in text

        # Each decision is a tracked matter: its task page names the meeting it came from.
        page.click(f"table.decisions a[href='/tasks/{tasks[1].pk}/']")
        page.wait_for_load_state()
        assert "来源：会议议定" in page.locator("#instructions").inner_text()
        fits(page, f"{device}-3-task")
        # The lead unit finds it among its tasks.
        page.context.clear_cookies()
        login(page, "unit_a_town", "pw-unit_a_town")
        page.goto(live_server.url + "/tasks/")
        assert page.locator(f"tr[data-task='{tasks[1].pk}']").count() == 1
    finally:
        context.close()
