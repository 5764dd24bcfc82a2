"""Defect 6 of issue 12: `POST /problems/bulk-assign/` with next=https://… redirected off-site.

Every `next` of the web layer goes through taizhang.web.common.safe_next.
"""

from __future__ import annotations

import datetime as dt
import pathlib

import pytest
from django.test import Client

import taizhang.web
from tests.enterprise_fixtures import new_problem

OFF_SITE = [
    "https://evil.example/phish",
    "//evil.example/phish",
    "http:///evil.example",
    "\\\\evil.example",
    "javascript:alert(1)",
    "https://testserver.evil.example/",
]


def _sup(eworld) -> Client:
    c = Client()
    c.force_login(eworld.w.users["sup_a"])
    return c


@pytest.mark.parametrize("target", OFF_SITE)
def test_it_never_redirects_bulk_assignment_off_site(eworld, target):
    r = _sup(eworld).post("/problems/bulk-assign/", {"ids": [], "next": target})
    assert r.status_code == 302
    assert r["Location"] == "/problems/"


def test_it_goes_back_to_a_page_of_this_site_after_bulk_assignment(eworld):
    r = _sup(eworld).post(
        "/problems/bulk-assign/", {"ids": [], "next": "/problems/?status=accepted"}
    )
    assert r["Location"] == "/problems/?status=accepted"


@pytest.mark.parametrize("target", OFF_SITE[:2])
def test_it_never_redirects_a_workflow_step_off_site(eworld, target):
    m = new_problem(eworld, "ent_a", eworld.w.enterprise_a, "招工难", raised_on=dt.date(2022, 3, 1))
    r = _sup(eworld).post(f"/matters/{m.pk}/steps/accept/", {"version": m.version, "next": target})
    assert r.status_code == 302
    assert r["Location"] == "/my/"


def test_it_reads_next_only_through_the_one_helper():
    # A new view reading request.POST/GET["next"] itself would bypass the host check.
    web = pathlib.Path(taizhang.web.__file__).parent
    readers = [
        str(p.relative_to(web))
        for p in web.rglob("*.py")
        if 'get("next")' in p.read_text() or "['next']" in p.read_text()
    ]
    assert readers == ["common.py"]
