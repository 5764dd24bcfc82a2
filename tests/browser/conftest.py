"""Browser tests drive Debian's Chromium through Playwright against pytest-django's live server."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = "/usr/lib/chromium/chromium"
# Playwright's sync API runs an event loop in this thread; Django's DB calls in the
# test body are still synchronous, so the async-safety guard must be relaxed here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail("Debian chromium 未安装（apt-get install -y chromium）")
        pytest.skip("Debian chromium 未安装")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
                "--disable-sync",
                "--lang=zh-CN",
            ],
        )
        yield b
        b.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(locale="zh-CN", viewport={"width": 1366, "height": 900})
    pg = context.new_page()
    pg.set_default_timeout(15000)
    pg.base_url = live_server.url  # type: ignore[attr-defined]
    yield pg
    context.close()


def login(page, username: str, password: str) -> None:
    page.goto(page.base_url + "/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    # The POST's own navigation: wait_for_load_state() returns at once on the login page
    # already loaded, and a goto right after could abort the login under load (CI flake).
    with page.expect_navigation():
        page.click("button[type=submit]")


def pick(within, field: str, query: str, choice: str) -> None:
    """Choose `choice` in the searchable picker of form field `field` by typing `query`."""
    box = within.locator(f"div.picker[data-pick-field='{field}']")
    box.locator("input.picker-search").fill(query)
    box.locator(".picker-results li.picker-option", has_text=choice).first.click()
    box.locator(".picker-chosen li", has_text=choice).wait_for()
