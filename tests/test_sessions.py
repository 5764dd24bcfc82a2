"""Defect 3 of issue 12: the session is not written on every page view, yet it still
expires when idle, and it ends a fixed time after login however active the user is."""

from __future__ import annotations

from unittest import mock

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from taizhang.core import sessions

T0 = 1_900_000_000.0


class Clock:
    def __init__(self) -> None:
        self.t = T0

    def __call__(self) -> float:
        return self.t


@pytest.fixture
def clock():
    c = Clock()
    with mock.patch.object(sessions, "now", c):
        yield c


def session_writes(client: Client, url: str = "/") -> tuple[int, int]:
    """(status, number of INSERT/UPDATE statements on the session table) for one GET."""
    with CaptureQueriesContext(connection) as q:
        r = client.get(url)
    writes = [
        x["sql"]
        for x in q.captured_queries
        if "django_session" in x["sql"]
        and x["sql"].lstrip().upper().startswith(("UPDATE", "INSERT"))
    ]
    return r.status_code, len(writes)


def signed_in(world, clock) -> Client:
    c = Client()
    c.force_login(world.users["sup_a"])
    return c


def test_it_does_not_write_the_session_on_a_page_view_within_a_minute(world, clock):
    c = signed_in(world, clock)
    for seconds in (1, 20, 59):
        clock.t = T0 + seconds
        assert session_writes(c) == (200, 0)


def test_it_refreshes_the_idle_timeout_at_most_once_a_minute(world, clock):
    c = signed_in(world, clock)
    clock.t = T0 + 61
    assert session_writes(c) == (200, 1)
    clock.t = T0 + 90
    assert session_writes(c) == (200, 0)
    clock.t = T0 + 125
    assert session_writes(c) == (200, 1)


def test_it_still_logs_out_an_idle_session(world, clock, settings):
    c = signed_in(world, clock)
    clock.t = T0 + settings.SESSION_COOKIE_AGE - 30
    assert c.get("/").status_code == 200
    clock.t += settings.SESSION_COOKIE_AGE + 1
    r = c.get("/")
    assert r.status_code == 302 and "login" in r.url
    clock.t += 1  # logged out for good, not only for one request
    assert c.get("/").status_code == 302


def test_it_ends_a_session_after_its_absolute_lifetime_even_when_active(world, clock, settings):
    settings.TAIZHANG = {**settings.TAIZHANG, "SESSION_ABSOLUTE_HOURS": 12}
    c = signed_in(world, clock)
    # A page every 30 minutes keeps the idle timeout fresh for the whole day...
    for half_hours in range(1, 24):
        clock.t = T0 + half_hours * 1800
        assert c.get("/").status_code == 200, half_hours
    # ...but 12 hours after the login the session ends.
    clock.t = T0 + 12 * 3600 + 1
    r = c.get("/")
    assert r.status_code == 302 and "login" in r.url


def test_it_restarts_the_lifetime_at_a_new_login(world, clock, settings):
    c = signed_in(world, clock)
    clock.t = T0 + 11 * 3600
    c.force_login(world.users["sup_a"])
    clock.t = T0 + 13 * 3600
    assert c.get("/").status_code == 200
