"""Lists page in the database: capped counts, seek cursors, and no list fetching a whole scope.

The row test clones a few thousand rows into the demo district and reads every list page
(web and API) before and after: a list whose page reads its whole scope into Python
fetches thousands more rows; a list that pages in the database fetches the same page.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, models
from django.test import Client

from taizhang.core import paging
from taizhang.core.paging import CappedPaginator, capped_count, window
from taizhang.enterprises.models import Enterprise, Visit
from taizhang.matters.models import Kind, Matter
from taizhang.projects.models import Project
from taizhang.services.models import ServiceCase

EXTRA = 2000


def login(username: str) -> Client:
    c = Client()
    c.force_login(get_user_model().objects.get(username=username))
    return c


# Capped counts --------------------------------------------------------------------------


def test_it_counts_exactly_up_to_the_cap_and_says_more_beyond(demo_session, db, monkeypatch):
    qs = Enterprise.objects.all()
    n = qs.count()
    assert capped_count(qs, cap=n) == (n, True)
    assert capped_count(qs, cap=n - 1) == (n - 1, False)
    assert paging.count_label(n - 1, False) == f"{n - 1:,}+"
    monkeypatch.setattr(paging, "CAP", n - 1)
    p = CappedPaginator(qs.order_by("pk"), 30)
    assert p.count == n - 1 and p.more_than_cap and p.count_label.endswith("+")


def test_it_prints_the_capped_count_on_the_list_page(demo_session, db, monkeypatch):
    monkeypatch.setattr(paging, "CAP", 5)
    c = login("sc_duchashi")
    body = c.get("/problems/").content.decode()
    assert "共 5+ 条" in body
    last = c.get("/problems/?page=99").content.decode()
    assert "结果超过 5 条" in last
    api = c.get("/api/v1/problems").json()
    assert api["count"] == 5 and api["count_exact"] is False


# Seek cursors ---------------------------------------------------------------------------


def test_it_walks_every_row_once_by_cursor_as_by_offset(demo_session, db):
    c = login("sc_duchashi")
    by_offset = [r["id"] for r in c.get("/api/v1/problems?limit=1000").json()["items"]]
    assert len(by_offset) > 20
    seen: list[int] = []
    url = "/api/v1/problems?limit=7"
    while True:
        page = c.get(url).json()
        seen += [r["id"] for r in page["items"]]
        if not page["next"]:
            break
        url = f"/api/v1/problems?limit=7&after={page['next']}"
    assert seen == by_offset


def test_it_refuses_a_broken_or_foreign_cursor_in_chinese(demo_session, db):
    c = login("sc_duchashi")
    first = c.get("/api/v1/problems?limit=2").json()
    r = c.get("/api/v1/problems?limit=2&after=not-a-cursor")
    assert r.status_code == 422 and "游标" in r.json()["detail"]
    # A project cursor names other keys than the problem list sorts by.
    proj = c.get("/api/v1/projects?limit=2").json()
    if proj["next"]:
        r = c.get(f"/api/v1/problems?limit=2&after={proj['next']}")
        assert r.status_code == 422 and "排序" in r.json()["detail"]
    r = c.get(f"/api/v1/problems?limit=2&offset=2&after={first['next']}")
    assert r.status_code == 422
    # A list sorted by light pages by offset only: no cursor handed out, none taken.
    lit = c.get("/api/v1/problems?limit=2&sort=light").json()
    assert lit["next"] is None
    r = c.get(f"/api/v1/problems?limit=2&sort=light&after={first['next']}")
    assert r.status_code == 422


def test_it_keeps_the_cursor_inside_the_scope(demo_session, db):
    """A cursor is only a position: another district's user gets their own rows after it."""
    mine = login("sc_duchashi").get("/api/v1/problems?limit=3").json()
    theirs = login("sfq_duchashi").get(f"/api/v1/problems?limit=50&after={mine['next']}").json()
    own = {
        r["id"] for r in login("sfq_duchashi").get("/api/v1/problems?limit=1000").json()["items"]
    }
    assert {r["id"] for r in theirs["items"]} <= own


def test_window_without_cursor_matches_slicing(demo_session, db):
    qs = Enterprise.objects.order_by("-id")
    w = window(qs, offset=3, limit=4)
    assert [e.pk for e in w.items] == [e.pk for e in qs[3:7]]
    assert w.count == qs.count() and w.count_exact and w.next


# Rows fetched per page ------------------------------------------------------------------


def _unique_names(model: type[models.Model]) -> list[str]:
    names = {
        f.attname
        for f in model._meta.concrete_fields
        if f.unique and not f.primary_key and isinstance(f, models.CharField | models.TextField)
    }
    groups = [
        getattr(c, "fields", ()) or [e.name for e in c.expressions if hasattr(e, "name")]
        for c in model._meta.constraints
    ]
    groups += list(model._meta.unique_together)
    for fields in groups:
        for name in fields:
            f = model._meta.get_field(name)
            if isinstance(f, models.CharField | models.TextField):
                names.add(f.attname)
                break
    return sorted(names)


def clone(qs: models.QuerySet, n: int, child: str | None = None) -> None:
    """n copies of the rows of `qs` (cycled), unique text fields suffixed; `child` names a
    relation copied along with each row (a petition's details, a project's years)."""
    model = qs.model
    sources = list(qs[:50])
    assert sources, model
    unique = _unique_names(model)
    rows = []
    for i in range(n):
        obj = copy.copy(sources[i % len(sources)])
        obj.pk = None
        obj.id = None
        for name in unique:
            value = getattr(obj, name)
            if value:
                f = model._meta.get_field(name.removesuffix("_id"))
                setattr(
                    obj, name, f"{value}{i:05d}"[-f.max_length :] if f.max_length else f"{value}{i}"
                )
        rows.append(obj)
    made = model.objects.bulk_create(rows, batch_size=500)
    if child:
        rel = model._meta.get_field(child)
        kids = []
        for i, obj in enumerate(made):
            found = getattr(sources[i % len(sources)], child)
            for kid in found.all() if rel.one_to_many else [found]:
                kid = copy.copy(kid)
                if not rel.one_to_one:
                    kid.pk = None
                setattr(kid, rel.field.attname, obj.pk)
                kids.append(kid)
        rel.related_model.objects.bulk_create(kids, batch_size=500)
    if connection.vendor == "postgresql":
        # As a loaded database would have: statistics that know the tables grew (without
        # them PostgreSQL plans 2,000 new rows as the handful it last saw).
        with connection.cursor() as cur:
            for m in {model, *([model._meta.get_field(child).related_model] if child else [])}:
                cur.execute(f'ANALYZE "{m._meta.db_table}"')


@contextmanager
def fetched_rows() -> Iterator[list[tuple[str, Any]]]:
    """Every SELECT a block runs, with its parameters (to count its rows afterwards)."""
    seen: list[tuple[str, Any]] = []

    def record(execute, sql, params, many, context):
        if not many and sql.lstrip().upper().startswith("SELECT"):
            seen.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        yield seen


def rows_of(seen: list[tuple[str, Any]]) -> list[int]:
    counts = []
    with connection.cursor() as cur:
        for sql, params in seen:
            cur.execute(f"SELECT COUNT(*) FROM ({sql}) AS fetched", params)
            counts.append(cur.fetchone()[0])
    return counts


PETITIONS = (lambda: Matter.objects.filter(kind=Kind.PETITION), "petition")

PROJECTS = (lambda: Project.objects.filter(years__year=2022), "years")

TASKS = (lambda: Matter.objects.filter(kind=Kind.SUPERVISION_TASK, task__isnull=False), "task")

LISTS = [
    # (account, URL, rows to multiply)
    ("sc_duchashi", "/problems/", lambda: Matter.objects.filter(kind=Kind.ENTERPRISE_PROBLEM)),
    (
        "sc_duchashi",
        "/problems/?light=red",
        lambda: Matter.objects.filter(kind=Kind.ENTERPRISE_PROBLEM),
    ),
    (
        "sc_duchashi",
        "/api/v1/problems?limit=50",
        lambda: Matter.objects.filter(kind=Kind.ENTERPRISE_PROBLEM),
    ),
    ("sc_duchashi", "/projects/?year=2022", PROJECTS),
    ("sc_duchashi", "/api/v1/projects?year=2022&limit=50", PROJECTS),
    ("sc_duchashi", "/enterprises/", lambda: Enterprise.objects.all()),
    ("sc_duchashi", "/api/v1/enterprises?limit=50", lambda: Enterprise.objects.all()),
    ("sc_duchashi", "/visits/", lambda: Visit.objects.all()),
    ("sc_duchashi", "/api/v1/visits?limit=50", lambda: Visit.objects.all()),
    ("sfq_duchashi", "/petitions/?year=2022", PETITIONS),
    ("sfq_duchashi", "/api/v1/petitions?year=2022&limit=50", PETITIONS),
    ("zh_duchashi", "/services/?division=410411&year=2022", lambda: ServiceCase.objects.all()),
    (
        "zh_duchashi",
        "/api/v1/services/cases?division=410411&year=2022&limit=50",
        lambda: ServiceCase.objects.all(),
    ),
    # Supervision tasks: lights and overdue filtered, counted and paged in SQL (stored dates).
    ("sc_duchashi", "/tasks/", TASKS),
    ("sc_duchashi", "/tasks/?light=red", TASKS),
    ("sc_duchashi", "/tasks/overdue/", TASKS),
    ("sc_duchashi", "/api/v1/tasks?limit=50", TASKS),
    ("sc_duchashi", "/api/v1/tasks?light=yellow&limit=50", TASKS),
    ("sc_duchashi", "/api/v1/tasks/figures", TASKS),
]


@pytest.mark.parametrize("username,url,rows", LISTS, ids=[u for _, u, _ in LISTS])
def test_it_fetches_one_page_whatever_the_size_of_the_scope(demo_session, db, username, url, rows):
    c = login(username)
    c.get(url)  # warm the per-process caches
    with fetched_rows() as before:
        assert c.get(url).status_code == 200
    small = rows_of(before)
    rows, child = rows if isinstance(rows, tuple) else (rows, None)
    clone(rows(), EXTRA, child)
    with fetched_rows() as after:
        assert c.get(url).status_code == 200
    big = rows_of(after)
    # Same queries (no query per row) and, apart from the page itself filling up, the
    # same rows: a list that read its scope into Python would fetch ~EXTRA more.
    assert abs(len(after) - len(before)) <= 2, (url, len(before), len(after))
    # A query may read a few rows per listed row (a project's milestones), never the scope.
    assert max(big) <= max(small) + 101, (url, max(small), max(big))
    assert sum(big) - sum(small) <= 101, (url, sum(small), sum(big))


def test_it_reads_a_deep_page_by_its_keys_first_with_the_same_rows(demo_session, db, monkeypatch):
    c = login("sc_duchashi")
    urls = ["/api/v1/problems?limit=9&offset=13", "/api/v1/projects?year=2022&limit=7&offset=5"]
    shallow = [c.get(u).json() for u in urls]
    monkeypatch.setattr(paging, "DEEP", 0)
    deep = [c.get(u).json() for u in urls]
    assert deep == shallow and all(len(p["items"]) > 3 for p in deep)
    page = CappedPaginator(Enterprise.objects.order_by("-id"), 5).page(3)
    assert [e.pk for e in page] == [e.pk for e in Enterprise.objects.order_by("-id")[10:15]]


def test_the_dashboard_runs_the_same_queries_whatever_the_number_of_tasks(demo_session, db):
    """The task section counts in SQL (its rows fetched are bounded: /api/v1/tasks/figures
    above). The light trend's past month ends still replay, in Python, the tasks written
    after each of them (their stored dates hold from their last write on), so only the
    number of queries is constant here, not the rows."""
    c = login("sc_duchashi")
    c.get("/")
    with fetched_rows() as before:
        assert c.get("/").status_code == 200
    rows, child = TASKS
    clone(rows(), EXTRA, child)
    with fetched_rows() as after:
        assert c.get("/").status_code == 200
    assert len(after) == len(before)
