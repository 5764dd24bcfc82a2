"""Walk the demo as each kind of user: every page linked from the UI renders, in Chinese,
with no external URL (intranets have no internet)."""

from __future__ import annotations

import re
from collections import deque

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

HREF = re.compile(r'href="(/[^"#]*)"')
SKIP = (
    "/logout",
    "/admin",
    "/static/",
    "/api/v1/docs",
    "export",
    ".docx",
    ".xlsx",
    ".csv",
    "/template",
)


def crawl(username: str, limit: int = 120) -> dict[str, int]:
    c = Client()
    c.force_login(get_user_model().objects.get(username=username))
    seen: dict[str, int] = {}
    queue = deque(["/"])
    while queue and len(seen) < limit:
        url = queue.popleft()
        if url in seen:
            continue
        r = c.get(url, follow=True)
        seen[url] = r.status_code
        if r.status_code != 200 or "text/html" not in r.get("Content-Type", ""):
            continue
        body = r.content.decode()
        # An SVG namespace is a name, not a fetch.
        plain = body.replace("http://testserver", "").replace(
            'xmlns="http://www.w3.org/2000/svg"', ""
        )
        assert "http://" not in plain, url
        assert "https://" not in body, url
        assert 'lang="zh-hans"' in body, url
        for link in HREF.findall(body):
            link = link.replace("&amp;", "&")
            # One page per path is enough; the query variants are filters of the same view.
            path = link.split("?")[0]
            if any(s in link for s in SKIP) or path in {u.split("?")[0] for u in seen}:
                continue
            queue.append(link)
    return seen


@pytest.mark.parametrize(
    "username", ["sc_duchashi", "sc_lingdao", "sc_fgw", "sc_baolian", "qy_xintuoyang"]
)
def test_it_renders_every_linked_page(demo_session, db, username):
    seen = crawl(username)
    bad = {u: s for u, s in seen.items() if s != 200}
    assert not bad, bad
    assert len(seen) >= 3
