"""In the browser: the lead unit reports 办结 with a photo from the step form, and the
problem page shows its thumbnail (served by the scoped thumbnail view) and the file."""

from __future__ import annotations

import os

import pytest

from taizhang.attachments.models import Attachment
from taizhang.matters.models import Matter, Status
from tests import attachment_files as af
from tests.browser.conftest import login

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_reports_finish_with_a_photo_and_shows_its_thumbnail(page, eworld, media, tmp_path):
    photo = tmp_path / "修复后.jpg"
    photo.write_bytes(af.photo_bytes())
    m = eworld.problem_a
    login(page, "unit_a", "pw-unit_a")
    page.goto(f"{page.base_url}/problems/{m.pk}/")
    form = page.locator("form.act-report")
    form.locator("input[name=note]").fill("道路已修复")
    form.locator("input[name=files]").set_input_files(str(photo))
    form.locator("button[name=do]").click()
    page.wait_for_load_state()
    assert Matter.objects.get(pk=m.pk).status == Status.REPORTED
    a = Attachment.objects.get()
    assert a.step_id is not None and a.original_name == "修复后.jpg"
    thumb = page.locator(f"#attachments img[src='/attachments/{a.pk}/thumb/']")
    thumb.wait_for()
    # The thumbnail is loading="lazy": bring it on screen, then wait until the browser has
    # decoded it (naturalWidth is 0 until then, which made this test depend on timing).
    thumb.scroll_into_view_if_needed()
    thumb.evaluate(
        "img => img.complete ? null"
        " : new Promise((ok, bad) => { img.onload = ok; img.onerror = bad; })"
    )
    assert thumb.evaluate("img => img.naturalWidth") == 320
    assert page.locator("#attachments .att-list").inner_text().count("修复后.jpg") == 1
    with page.expect_download() as info:
        page.locator(f"#attachments .att-list a[href='/attachments/{a.pk}/']").click()
    assert info.value.suggested_filename == "修复后.jpg"
