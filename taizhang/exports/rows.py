"""Rows for exports read from the database in chunks, never a whole scope at once."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from itertools import islice
from typing import Any, TypeVar

from django.db import connections, transaction
from django.db.models import Model, QuerySet

# Rows per database round trip: large enough that 100k rows cost 50 fetches (and 50 of each
# prefetch), small enough that one chunk of model objects stays a few MB.
CHUNK = 2000

M = TypeVar("M", bound=Model)


def batches(qs: QuerySet[M], size: int = CHUNK) -> Iterator[list[M]]:
    """The rows of ``qs`` in lists of ``size``, read through one cursor.

    ``iterator(chunk_size)`` keeps no result cache and (Django ≥ 4.1) runs the queryset's
    prefetch_related once per chunk, so a chunk's related rows cost one query each; a
    caller looks up what the chunk needs (files, liaisons, statuses) once per list.
    """
    with _streaming_cursor(qs.db):
        rows = qs.iterator(chunk_size=size)
        while batch := list(islice(rows, size)):
            yield batch


@contextmanager
def _streaming_cursor(alias: str) -> Iterator[None]:
    """On PostgreSQL, a transaction planned for all rows without JIT: the cursor streams.

    Outside a transaction Django declares the server-side cursor WITH HOLD, and PostgreSQL
    then runs the whole query and stores every row when the declaring statement commits:
    the first row of a 100k-row export came after 2 s. Inside one, rows come as they are
    fetched. And the light's correlated Workday lookups put a ledger's estimated cost over
    the JIT thresholds: compiling took ~1 s (3.7 s of CPU over the parallel workers)
    before the first row, for a query that runs in under 2 s without it. An export reads
    every row, so the cursor is planned for all of them (cursor_tuple_fraction 1.0), not
    for the first 10%: the province admin's export of one district (25k rows of 2M) got a
    nested loop over the district's divisions that took 4.7 s instead of 0.7 s.
    Not on SQLite: its transactions here begin IMMEDIATE and would hold the write lock for
    the whole export.
    """
    connection = connections[alias]
    if connection.vendor != "postgresql":
        yield
        return
    if connection.in_atomic_block:
        # Already in a transaction (a test's, a caller's): the settings last until it ends,
        # and no savepoint is left open inside a generator that a test may never finish —
        # one collected later by the garbage collector ran its rollback while psycopg held
        # the connection's lock, and the thread waited on itself.
        _plan_for_all_rows(connection)
        yield
        return
    with transaction.atomic(using=alias):
        _plan_for_all_rows(connection)
        yield


def _plan_for_all_rows(connection: Any) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")
        cursor.execute("SET LOCAL cursor_tuple_fraction = 1.0")


def each(rows: Iterable[M]) -> Iterator[M]:
    """Rows one by one: a QuerySet read in chunks (never cached whole), anything else as is."""
    if isinstance(rows, QuerySet):
        for batch in batches(rows):
            yield from batch
    else:
        yield from rows


def choice_labels(model: type[Model], field: str) -> dict[Any, str]:
    """{value: label} of a field's choices, translated once per export.

    ``get_FOO_display()`` rebuilds a hashable dict of lazy labels on every call, which
    costs more than the rest of a row; an export of 100k rows asks it 200k times.
    """
    return {k: str(v) for k, v in model._meta.get_field(field).flatchoices}


class Labels:
    """``obj.get_FOO_display()`` for many rows: each field's choices translated once."""

    def __init__(self) -> None:
        self._maps: dict[tuple[type[Model], str], dict[Any, str]] = {}

    def __call__(self, obj: Model, field: str) -> Any:
        key = (type(obj), field)
        labels = self._maps.get(key)
        if labels is None:
            labels = self._maps[key] = choice_labels(type(obj), field)
        value = getattr(obj, field)
        return labels.get(value, value)
