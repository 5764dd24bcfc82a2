"""A petition through the web UI, on a desktop and on a phone (390×844): the office registers
it, accepts and assigns it with a leader in charge (领导包案), records the leader's 带案下访 with
a photo, the reply (答复), the call-back rating and closes it as resolved (化解). Every page
fits the screen's width; the petitioner stays masked on the case page."""

from __future__ import annotations

import datetime as dt
import os

import pytest

from taizhang.attachments.models import Attachment
from taizhang.matters.models import Matter, Status
from taizhang.petitions.models import PetitionVisit
from tests import attachment_files as af
from tests.browser.conftest import login, pick
from tests.petition_fixtures import id_with_check

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = os.environ.get("TAIZHANG_SCREENSHOTS", "/tmp/taizhang-petition-flow")
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


def act(page, action: str) -> None:
    page.locator(f"form.act-{action} button[name=do]").click()
    page.wait_for_load_state()


@pytest.mark.parametrize("device", list(VIEWPORTS))
def test_it_runs_register_assign_visit_reply_resolve(
    browser, live_server, world, media, tmp_path, device
):
    photo = tmp_path / "下访.jpg"
    photo.write_bytes(af.photo_bytes())
    context = browser.new_context(locale="zh-CN", **VIEWPORTS[device])
    page = context.new_page()
    page.set_default_timeout(15000)
    page.base_url = live_server.url
    shot = lambda name: fits(page, f"{device}-{name}")  # noqa: E731
    try:
        login(page, "sup_a", "pw-sup_a")
        # 1. 登记
        page.goto(live_server.url + "/petitions/new/")
        form = page.locator("form.petition-form")
        form.locator("input[name=title]").fill("反映某村集体收益分配不公")
        form.locator("input[name=raised_on]").fill(dt.date.today().isoformat())
        form.locator("select[name=channel]").select_option(label="来访")
        form.locator("input[name=people_count]").fill("2")
        form.locator("input[name=is_key]").check()
        form.locator("input[name=petitioner_name]").fill("李四")
        form.locator("input[name=petitioner_phone]").fill("13912345678")
        form.locator("input[name=petitioner_id_number]").fill(id_with_check("41060319800101123"))
        shot("1-register")
        form.locator("button.primary").click()
        page.wait_for_url("**/petitions/*/")
        m = Matter.objects.get(title="反映某村集体收益分配不公")
        assert m.status == Status.SUBMITTED
        body = page.content()
        assert "139****5678" in body and "13912345678" not in body
        shot("2-registered")
        # 2. 受理, 交办 with 包案
        act(page, "accept")
        pick(page.locator("form.act-assign"), "lead_unit", "发改", "区发改委")
        act(page, "assign")
        pick(page.locator("form.act-take_charge"), "leader", "王", "王区长")
        act(page, "take_charge")
        m.refresh_from_db()
        assert (m.status, m.lead_unit, m.leader) == (Status.ASSIGNED, world.unit_a, world.leader_a)
        shot("3-assigned")
        # 3. 带案下访 with a photo
        visit = page.locator("form.petition-visit-form")
        visit.locator("input[name=place]").fill("信访人家中")
        visit.locator("input[name=met]").fill("信访人及村干部")
        visit.locator("input[name=files]").set_input_files(str(photo))
        visit.locator("button.primary").click()
        page.wait_for_load_state()
        v = PetitionVisit.objects.get(matter=m)
        assert v.leader == world.leader_a
        assert Attachment.objects.filter(original_name="下访.jpg", owner_id=v.pk).exists()
        shot("4-visited")
        # 4. 答复, 回访评价, 化解
        page.locator("form.act-report input[name=note]").fill(
            "经调查核实，已督促村委会公开收益分配"
        )
        act(page, "report")
        page.locator("form.act-rate input[value=satisfied]").check()
        act(page, "rate")
        page.locator("form.act-close select[name=resolved]").select_option("true")
        act(page, "close")
        shot("5-resolved")
        m.refresh_from_db()
        assert m.status == Status.CLOSED and m.petition.resolved_on == dt.date.today()
        assert "已化解" in page.locator("[data-field=resolved]").inner_text()
        assert page.locator("[data-field=status]").inner_text() == "已化解"
        # The ledger and its figures fit the screen too.
        page.goto(live_server.url + "/petitions/")
        assert page.locator("[data-figure=difficult_resolved]").inner_text() == "1"
        shot("6-ledger")
    finally:
        context.close()
