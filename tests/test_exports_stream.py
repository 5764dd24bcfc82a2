"""Exports read their rows in chunks: the same number of queries for 10 rows as for 200
(no query per row), and the body arrives as a stream that a client reads chunk by chunk."""

from __future__ import annotations

import csv
import datetime as dt
import io
import tempfile
from collections.abc import Callable
from typing import Any
from unittest import mock

import openpyxl
from django.db import connection
from django.db.models import Model
from django.test import Client
from django.test.utils import CaptureQueriesContext

from taizhang.core.bulk import IdsIn
from taizhang.enterprises.models import Liaison
from taizhang.exports.render import Column, Table, iter_csv, iter_xlsx
from taizhang.matters.models import Matter
from taizhang.projects.models import Milestone, MonthlyReport, ProjectYear
from taizhang.tasks.models import TaskDetail, TaskReport
from tests import task_fixtures
from tests.streams import streamed
from tests.task_fixtures import frozen

tworld = task_fixtures.tworld  # the fixture, used by name below


def login(world: Any, name: str) -> Client:
    c = Client()
    c.force_login(world.users[name])
    return c


def copies(obj: Model, n: int, change: Callable[[int], dict[str, Any]]) -> list[Any]:
    """``n`` copies of a row (its own columns), with ``change(i)`` for the unique ones."""
    model = type(obj)
    cols = {
        f.attname: getattr(obj, f.attname)
        for f in model._meta.concrete_fields
        if not (f.primary_key and f.auto_created)
    }
    return model.objects.bulk_create([model(**(cols | change(i))) for i in range(n)])


def related_copies(model: type[Model], fk: str, source: Any, targets: list[Any]) -> None:
    """Copy the rows of ``model`` hanging off ``source`` (by ``fk``) onto every target."""
    rows = list(model.objects.filter(**{fk: source}))
    out = []
    for t in targets:
        for r in rows:
            cols = {
                f.attname: getattr(r, f.attname)
                for f in model._meta.concrete_fields
                if not (f.primary_key and f.auto_created)
            }
            out.append(model(**(cols | {f"{fk}_id": t.pk})))
    model.objects.bulk_create(out)


def queries(c: Client, url: str, params: dict | None = None) -> tuple[int, bytes]:
    """Queries of one export, the streamed body included (it reads the rows as it goes)."""
    with CaptureQueriesContext(connection) as ctx:
        r = c.get(url, params or {})
        assert r.status_code == 200
        assert r.streaming  # never built in memory as one response
        body = streamed(r)
    return len(ctx.captured_queries), body


def csv_len(body: bytes) -> int:
    return len(list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))) - 1


def assert_constant(c: Client, url: str, grow: Callable[[int], None], *, params=None) -> None:
    grow(10)
    for fmt in ("csv", "xlsx"):
        queries(c, f"{url}.{fmt}", params)  # warm caches (content types, calendar)
    small = {fmt: queries(c, f"{url}.{fmt}", params) for fmt in ("csv", "xlsx")}
    grow(190)
    big = {fmt: queries(c, f"{url}.{fmt}", params) for fmt in ("csv", "xlsx")}
    assert csv_len(big["csv"][1]) >= csv_len(small["csv"][1]) + 190
    for fmt in ("csv", "xlsx"):
        assert big[fmt][0] == small[fmt][0], (fmt, small[fmt][0], big[fmt][0])


def test_problem_export_costs_the_same_queries_for_200_rows_as_for_10(eworld):
    template = eworld.problem_a2  # assigned, with a co-unit

    def grow(n: int) -> None:
        made = copies(template, n, lambda i: {})
        through = Matter.co_units.through
        through.objects.bulk_create(
            [through(matter_id=m.pk, unit_id=u.pk) for m in made for u in template.co_units.all()]
        )

    c = login(eworld, "sup_a")
    assert_constant(c, "/problems/export", grow)
    # Each copy prints its co-unit, read for the whole chunk in one query.
    rows = list(
        csv.DictReader(io.StringIO(streamed(c.get("/problems/export.csv")).decode("utf-8-sig")))
    )
    names = "、".join(u.name for u in template.co_units.all())
    assert names and sum(r["协办单位"] == names for r in rows) >= 200


def test_project_export_costs_the_same_queries_for_200_rows_as_for_10(world):
    template = world.pa
    counter = iter(range(10**6))

    def grow(n: int) -> None:
        made = copies(template, n, lambda i: {"code": f"WT{next(counter):06d}"})
        for model in (ProjectYear, Milestone, MonthlyReport):
            related_copies(model, "project", template, made)

    assert_constant(login(world, "sup_a"), "/projects/export", grow)


def test_enterprise_export_costs_the_same_queries_for_200_rows_as_for_10(eworld):
    template = eworld.enterprise_a2
    counter = iter(range(10**6))

    def grow(n: int) -> None:
        made = copies(
            template,
            n,
            lambda i: {"credit_code": f"WT{next(counter):016d}", "name": f"复制企业{i}"},
        )
        related_copies(Liaison, "enterprise", template, made)

    assert_constant(login(eworld, "sup_a"), "/enterprises/export", grow)


def test_task_export_costs_the_same_queries_for_200_rows_as_for_10(tworld):
    template = tworld.task

    def grow(n: int) -> None:
        made = copies(template, n, lambda i: {})
        detail = TaskDetail.objects.get(matter=template)
        cols = {
            f.attname: getattr(detail, f.attname)
            for f in TaskDetail._meta.concrete_fields
            if not f.primary_key
        }
        TaskDetail.objects.bulk_create([TaskDetail(matter_id=m.pk, **cols) for m in made])
        related_copies(TaskReport, "matter", template, made)
        through = Matter.co_units.through
        through.objects.bulk_create(
            [through(matter_id=m.pk, unit_id=u.pk) for m in made for u in template.co_units.all()]
        )

    with frozen(dt.date(2024, 6, 1)):
        assert_constant(login(tworld, "sup_a"), "/tasks/export/list", grow)


def test_csv_goes_out_in_chunks_as_the_rows_are_read():
    read = []

    def rows():
        for i in range(5000):
            read.append(i)
            yield [f"第{i}行", "=1+1"]

    chunks = iter_csv(Table("t", [Column("名称"), Column("备注")], rows()), chunk=4096)
    first = next(chunks)
    assert first.startswith("\ufeff序号,名称,备注\r\n".encode())
    assert len(read) < 5000  # the first chunk left before the last row was read
    text = (first + b"".join(chunks)).decode("utf-8-sig")
    assert len(read) == 5000 and text.count("'=1+1") == 5000


def test_the_workbook_streams_from_memory_and_leaves_nothing_on_disk(world):
    # It used to go through a temporary file sent once complete (first byte = last byte);
    # now the zip is written as the rows are read, and no file is ever made.
    made: list[Any] = []
    real = tempfile.NamedTemporaryFile

    def spy(*args: Any, **kwargs: Any) -> Any:
        made.append(args)
        return real(*args, **kwargs)

    with mock.patch("tempfile.NamedTemporaryFile", spy):
        r = login(world, "sup_a").get("/projects/export.xlsx")
        assert r.streaming and not r.has_header("Content-Length")
        data = b"".join(r.streaming_content)
        r.close()
    assert made == []
    ws = openpyxl.load_workbook(io.BytesIO(data)).active
    assert ws.cell(3, 1).value == "序号" and ws.freeze_panes == "A4"


def test_the_workbook_goes_out_in_chunks_as_the_rows_are_read():
    read = []

    def rows():
        for i in range(20000):
            read.append(i)
            yield [f"第{i}行", i]

    chunks = iter_xlsx(Table("t", [Column("名称"), Column("数", "int")], rows()), chunk=4096)
    first = next(chunks)
    assert first.startswith(b"PK") and len(read) < 20000
    rest = b"".join(chunks)
    assert len(read) == 20000
    ws = openpyxl.load_workbook(io.BytesIO(first + rest), read_only=True).active
    last = list(ws.iter_rows(min_row=20003, max_row=20003, values_only=True))
    assert last == [(20000, "第19999行", 19999)]


def test_ids_in_selects_the_rows_field_in_selects(eworld):
    ids = sorted(Matter.objects.values_list("pk", flat=True))
    for wanted in ([], ids[::2], [*ids[:3], 10**9]):
        got = Matter.objects.filter(IdsIn("pk", wanted)).values_list("pk", flat=True)
        assert sorted(got) == sorted(
            Matter.objects.filter(pk__in=wanted).values_list("pk", flat=True)
        )
    # Joined and combined with other conditions like any filter.
    through = Matter.co_units.through.objects
    assert sorted(
        through.filter(IdsIn("matter_id", ids), unit__isnull=False).values_list("pk")
    ) == sorted(through.filter(matter_id__in=ids).values_list("pk"))
