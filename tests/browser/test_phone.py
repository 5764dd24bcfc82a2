"""Every page a non-office role reaches from the menu, and one detail page of each list,
fits a 390 px phone without sideways scrolling; the office's desktop at 1280 px too.

Screenshots go to a temporary directory (TAIZHANG_SCREENSHOTS to keep them somewhere).
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path

import pytest

from taizhang.demo import load as demo
from taizhang.demo.org import DEMO_PASSWORD
from tests.browser.conftest import login

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
# Detail pages reached from a list: the first link of each kind on any menu page.
# Pages reached from a button rather than the menu, where a phone user works.
EXTRA = {
    "sc_baolian": ["/problems/new/", "/visits/", "/password/"],
    "sc_moushan": ["/visits/"],
}
DETAIL = re.compile(r"^/(projects|enterprises|problems|tasks|portal/problems)/\d+/$")
# The elements sticking out to the right, to say what to fix when a page overflows.
WIDE = """() => {
  const w = document.documentElement.clientWidth, out = [];
  for (const el of document.querySelectorAll('body *')) {
    if (el.closest('.table-wide')) continue;
    const r = el.getBoundingClientRect();
    if (r.right > w + 0.5 && r.width > 0) out.push(el.tagName.toLowerCase() + '.' + el.className + ' ' + Math.round(r.right));
  }
  return out.slice(0, 5);
}"""


# Every URL in the browser's Cache Storage, once the service worker is active.
CACHED = """async () => {
  await navigator.serviceWorker.ready;
  const out = [];
  for (const name of await caches.keys()) {
    const cache = await caches.open(name);
    for (const req of await cache.keys()) out.push(new URL(req.url).pathname);
  }
  return out;
}"""


def shots() -> Path:
    where = os.environ.get("TAIZHANG_SCREENSHOTS") or tempfile.mkdtemp(prefix="taizhang-phone-")
    Path(where).mkdir(parents=True, exist_ok=True)
    return Path(where)


def menu_links(page) -> list[str]:
    hrefs = page.eval_on_selector_all(".mainnav a", "els => els.map(e => e.getAttribute('href'))")
    return list(dict.fromkeys(hrefs))


def check(page, url: str, name: str, out: Path, problems: list[str]) -> None:
    response = page.goto(page.base_url + url)
    assert response is not None and response.status == 200, (
        name,
        url,
        response and response.status,
    )
    fits = page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )
    page.screenshot(path=str(out / f"{name}{url.replace('/', '_') or '_'}.png"), full_page=True)
    if not fits:
        problems.append(f"{name} {url}: {page.evaluate(WIDE)}")


def visit_all(page, username: str, out: Path) -> list[str]:
    page.context.clear_cookies()
    login(page, username, DEMO_PASSWORD)
    problems: list[str] = []
    details: dict[str, str] = {}
    for url in menu_links(page):
        check(page, url, username, out, problems)
        for href in page.eval_on_selector_all(
            "main a", "els => els.map(e => e.getAttribute('href'))"
        ):
            m = DETAIL.match(href or "")
            if m:
                details.setdefault(m.group(1), href)
    for url in [*details.values(), *EXTRA.get(username, [])]:
        check(page, url, username, out, problems)
    assert len(details) >= 1, (username, "no detail page found from the menu pages")
    return problems


def test_it_fits_every_page_of_every_non_office_role_on_a_phone(browser, live_server):
    demo.load()
    out = shots()
    context = browser.new_context(locale="zh-CN", viewport=PHONE, device_scale_factor=1)
    page = context.new_page()
    page.set_default_timeout(20000)
    page.base_url = live_server.url  # type: ignore[attr-defined]
    problems: list[str] = []
    try:
        check(page, "/login/", "anon", out, problems)
        for username in ("sc_lingdao", "sc_moushan", "sc_baolian", "qy_xintuoyang"):
            problems += visit_all(page, username, out)
        # The menu button opens the collapsed menu.
        assert not page.is_visible(".mainnav")
        page.click(".nav-button")
        assert page.is_visible(".mainnav a >> nth=0")
        assert page.locator(".nav-button").bounding_box()["height"] >= 44
        page.screenshot(path=str(out / "menu-open.png"))
        # The service worker is running and has cached static files only, never a page.
        cached = page.evaluate(CACHED)
        assert "/static/taizhang/app.css" in cached, cached
        assert all(p.startswith("/static/") for p in cached), cached
    finally:
        context.close()
    assert not problems, "\n".join(problems)


def test_it_keeps_the_desktop_for_the_office(browser, live_server):
    demo.load()
    out = shots()
    context = browser.new_context(locale="zh-CN", viewport=DESKTOP)
    page = context.new_page()
    page.set_default_timeout(20000)
    page.base_url = live_server.url  # type: ignore[attr-defined]
    try:
        problems = visit_all(page, "sc_duchashi", out)
        # The desktop shows the whole menu in the top bar and no menu button.
        assert page.is_visible(".mainnav") and not page.is_visible(".nav-button")
        assert page.locator(".topbar").bounding_box()["height"] == 52
        # Down to 1024 px the menu stays one line: every item one line high, nothing sideways;
        # the other ledgers open from 专项台账 on hover (or focus, for keyboards and taps).
        page.set_viewport_size({"width": 1024, "height": 768})
        page.goto(page.base_url + "/")
        tall = page.eval_on_selector_all(
            ".mainnav > a, .navgroup-label",
            "els => els.filter(e => e.getBoundingClientRect().height > 52).map(e => e.textContent)",
        )
        assert tall == [] and page.evaluate(
            "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
        )
        assert not page.is_visible(".navgroup-menu >> text=信访")
        page.hover(".mainnav .navgroup-label >> text=专项台账")
        page.click(".navgroup-menu >> text=信访")
        page.wait_for_url("**/petitions/")
        page.screenshot(path=str(out / "desktop-1024.png"))
    finally:
        context.close()
    assert not problems, "\n".join(problems)


def test_it_fits_the_narrowest_phone_too(browser, live_server):
    """360 px, the small end of the range: the leader (who reaches the most pages) and the
    enterprise (whose portal holds a form)."""
    demo.load()
    out = shots() / "360"
    out.mkdir(exist_ok=True)
    context = browser.new_context(locale="zh-CN", viewport={"width": 360, "height": 740})
    page = context.new_page()
    page.set_default_timeout(20000)
    page.base_url = live_server.url  # type: ignore[attr-defined]
    try:
        problems = visit_all(page, "sc_lingdao", out) + visit_all(page, "qy_xintuoyang", out)
    finally:
        context.close()
    assert not problems, "\n".join(problems)
