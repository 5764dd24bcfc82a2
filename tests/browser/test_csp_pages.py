"""The pages whose inline code moved to static files work under the strict CSP, and the
browser reports no CSP violation on them (issue 12, headers)."""

from __future__ import annotations

import pytest

from taizhang.imports import jobs
from tests.browser.conftest import login
from tests.import_sheets import xlsx

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def watch(page) -> list[str]:
    seen: list[str] = []
    page.on(
        "console",
        lambda m: seen.append(m.text) if "Content Security Policy" in m.text else None,
    )
    page.on("pageerror", lambda e: seen.append(f"pageerror: {e}"))
    return seen


def test_it_runs_the_main_pages_without_a_csp_violation(page, world, settings):
    settings.TAIZHANG = {**settings.TAIZHANG, "IMPORT_INLINE_THREAD": False}
    violations = watch(page)
    login(page, "sup_a", "pw-sup_a")
    for path in ("/", "/tasks/", "/assessment/", "/projects/", "/problems/", "/imports/"):
        page.goto(page.base_url + path)
        page.wait_for_load_state()
    job = jobs.create(
        world.users["sup_a"],
        "projects",
        "p.xlsx",
        xlsx([["项目编号", "项目名称", "责任单位", "总投资"], ["CS-1", "x", "区发改委", "1"]]),
    )
    page.goto(page.base_url + f"/imports/{job.pk}/")
    assert page.locator("#job-progress progress").count() == 1
    assert jobs.run_pending() == 1
    page.wait_for_selector("#preview-counts")  # progress.js polled and reloaded the page
    assert violations == [], violations
    # The watcher does see a violation: a style attribute set from script is refused.
    page.evaluate("document.body.setAttribute('style', 'color: red')")
    page.wait_for_timeout(300)
    assert any("Content Security Policy" in v for v in violations)


def test_it_serves_the_api_docs_under_its_own_policy(page, world):
    violations = watch(page)
    login(page, "admin", "pw-admin")
    page.goto(page.base_url + "/api/v1/docs")
    page.wait_for_selector("#swagger-ui .info", timeout=20000)
    assert violations == [], violations


def test_it_goes_back_from_the_forbidden_page_without_javascript_urls(page, world):
    violations = watch(page)
    login(page, "unit_a", "pw-unit_a")
    page.goto(page.base_url + "/projects/")
    page.goto(page.base_url + "/imports/")  # 403 for a unit
    page.click("a[data-back]")
    page.wait_for_url("**/projects/")
    assert violations == [], violations
