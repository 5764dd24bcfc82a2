"""The three hottest queries are answered from an index, not by reading the table.

The problem list's first page (any role), the red-light filter and a district's page.
The test database is tiny, so the planner is told that a sequential scan is not an option
(PostgreSQL: enable_seqscan off) and must say which index serves the query; without a
fitting index the plan still reads the whole table (Seq Scan / SCAN) and sorts it.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from taizhang.core.scope import Scope
from taizhang.matters.queries import ProblemFilter, filter_problems, with_lights

DAY = dt.date(2022, 8, 31)


def plan(qs) -> str:
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SET LOCAL enable_seqscan = off")
    return qs.explain()


def scope_of_user(username: str) -> Scope:
    return Scope(get_user_model().objects.get(username=username))


def matter_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if "matters_matter" in line]


def reads_whole_table(text: str) -> bool:
    if connection.vendor == "postgresql":
        return any("Seq Scan on matters_matter" in line for line in text.splitlines())
    return any(
        line.strip().lstrip("-|` ").startswith("SCAN matters_matter") and "INDEX" not in line
        for line in text.splitlines()
    )


@pytest.mark.parametrize("username", ["admin", "sc_duchashi"])
def test_it_reads_the_first_page_from_the_list_order_index(demo_session, db, username):
    qs = with_lights(
        filter_problems(scope_of_user(username), ProblemFilter()), ProblemFilter(), DAY
    )
    text = plan(qs[:30])
    assert not reads_whole_table(text), text
    if username == "admin":
        # The whole installation in list order: the index hands rows over already sorted.
        assert "matter_kind_raised_idx" in text, text


def test_it_finds_red_problems_by_index(demo_session, db):
    f = ProblemFilter(light="red")
    qs = with_lights(filter_problems(scope_of_user("admin"), f), f, DAY)
    text = plan(qs[:30])
    assert not reads_whole_table(text), text
