from __future__ import annotations

import pytest

from taizhang.imports import jobs
from taizhang.projects.models import Project
from tests.browser.conftest import login
from tests.import_sheets import xlsx

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_uploads_maps_previews_and_commits(page, world, tmp_path, settings):
    # The in-memory test database cannot take the job thread's writes beside the live
    # server's requests, so the test plays the worker (`taizhang importworker`) itself.
    settings.TAIZHANG = {**settings.TAIZHANG, "IMPORT_INLINE_THREAD": False}
    settings.SESSION_SAVE_EVERY_REQUEST = False
    sheet = tmp_path / "我的项目表.xlsx"
    sheet.write_bytes(
        xlsx(
            [
                ["山城区重点项目（自制表）"],
                ["项目编号", "项目名称", "负责部门", "总投资（万元）"],
                ["SC-701", "浏览器导入项目", "区发改委", "1.2亿"],
                ["SC-702", "单位写错的项目", "区没有的局", "500"],
                ["注：单位万元"],
            ]
        )
    )
    login(page, "sup_a", "pw-sup_a")
    page.hover("nav .navgroup-label >> text=核查与设置")  # the office's tools menu
    page.click("nav >> text=导入")
    page.select_option("select[name=kind]", "projects")
    page.set_input_files("input[name=file]", str(sheet))
    page.click("#import-upload button[type=submit]")
    page.wait_for_selector("#job-progress")
    assert jobs.run_pending() == 1
    page.wait_for_selector("#missing-columns")
    assert "责任单位" in page.locator("#missing-columns").inner_text()
    page.select_option("select[data-header='负责部门']", "unit")
    page.click("#mapping-form button[type=submit]")
    page.wait_for_selector("#job-progress")
    assert jobs.run_pending() == 1
    page.wait_for_selector("#preview-counts")
    assert page.locator("[data-count=create]").inner_text() == "1"
    assert page.locator("[data-count=error]").inner_text() == "1"
    assert "区没有的局" in page.locator("#error-rows").inner_text()
    page.click("#commit-form button[type=submit]")
    page.wait_for_selector("#job-progress")
    assert jobs.run_pending() == 1
    page.wait_for_selector("text=已导入：新增 1 行")
    assert str(Project.objects.get(code="SC-701").total_investment) == "12000.00"
