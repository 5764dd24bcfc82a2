"""The new ledgers' list pages cost a constant number of queries: a full page of the demo
costs what an empty page costs, give or take the pagination's own count (no query per row)."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

PAGES = [
    ("sfq_duchashi", "/petitions/?year=2022"),
    ("sfq_duchashi", "/civility/points/?division=410471&year=2022"),
    ("sfq_duchashi", "/civility/rectifications/?division=410471&year=2022"),
    ("sfq_duchashi", "/bonds/?year=2022"),
    ("zh_duchashi", "/services/?division=410411&year=2022"),
    ("zh_duchashi", "/financing/?division=410411&year=2022"),
    ("zh_duchashi", "/meetings/?year=2022"),
    ("zh_duchashi", "/instructions/"),
    ("zh_duchashi", "/officers/"),
    ("sc_duchashi", "/radar/"),
    ("sc_duchashi", "/problems/similar/"),
]
# Pages with no text filter are emptied by reading them as another district's office.
EMPTY_AS = {
    "/instructions/": "sc_duchashi",
    "/officers/": "sc_duchashi",
    "/radar/": "sfq_duchashi",
    "/problems/similar/": "sfq_duchashi",
}
NOTHING = "q=zzzz-no-such-row"
# A rectification is born assigned: none is still 已提交.
NOTHING_BY_URL = {"/civility/rectifications/?division=410471&year=2022": "status=submitted"}


def queries(c: Client, url: str) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as ctx:
        r = c.get(url)
    assert r.status_code == 200, url
    return len(ctx.captured_queries), r.content.decode()


@pytest.mark.parametrize("username,url", PAGES)
def test_it_costs_the_same_queries_for_a_full_page_as_for_an_empty_one(
    demo_session, db, username, url
):
    c = Client()
    c.force_login(get_user_model().objects.get(username=username))
    queries(c, url)  # warm the per-process caches (calendar, content types)
    full, body = queries(c, url)
    if url in EMPTY_AS:
        c.force_login(get_user_model().objects.get(username=EMPTY_AS[url]))
        queries(c, url)
        empty, nothing = queries(c, url)
    else:
        nothing_q = NOTHING_BY_URL.get(url, NOTHING)
        empty, nothing = queries(c, url + ("&" if "?" in url else "?") + nothing_q)
    # The demo fills the page; the other page has at most a few rows.
    assert body.count("<tr") >= 5 and nothing.count("<tr") <= body.count("<tr") - 3, url
    assert full - empty <= 3, (url, full, empty)
