"""Bulk writes for large batches (imports, demo history): the rows an ordinary save would write,
with bulk inserts and one audit insert per batch; and reads by a chunk of ids (exports)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from django.db.models import BooleanField, Expression, F, Model

from taizhang.core import audit


def batched(items: list[Any], size: int) -> Iterator[list[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


# The column values of the entry audit.record would write, for insert_rows.
audit_entry = audit.entry_values
snapshot = audit.snapshot


def insert_rows(model: type[Model], rows: list[dict[str, Any]]) -> None:
    """INSERT rows whose ids nobody reads back (audit entries, steps, keys) with executemany.

    Rows are dicts keyed by attname ("matter_id"); missing columns take the
    field default. Building model instances and letting bulk_create prepare
    every value through several layers costs more than the database does on a
    100,000-row import, so values go through the field's own get_db_prep_save
    only where the type needs it (JSON, dates, decimals): what lands is what
    bulk_create would write.
    """
    if not rows:
        return
    from django.db import connection, transaction

    if model._meta.label_lower == "core.auditentry":
        # Audit entries join the hash chain; the head stays locked until the caller commits.
        from taizhang.core import chain

        with transaction.atomic():
            chain.link(rows)
            _insert(connection, model, rows)
        return
    _insert(connection, model, rows)


def _insert(connection, model: type[Model], rows: list[dict[str, Any]]) -> None:
    qn = connection.ops.quote_name
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    typed = {"JSONField", "DateTimeField", "DateField", "DecimalField", "GenericIPAddressField"}
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        qn(model._meta.db_table),
        ", ".join(qn(f.column) for f in fields),
        ", ".join(["%s"] * len(fields)),
    )
    plan = []
    for f in fields:
        plan.append((f.attname, f.get_internal_type() in typed, f, f.get_default()))
    values = [
        [
            f.get_db_prep_save(row.get(name, default), connection)
            if slow
            else row.get(name, default)
            for name, slow, f, default in plan
        ]
        for row in rows
    ]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY streams the rows in one round trip; executemany sends one statement each.
            copy_sql = "COPY {} ({}) FROM STDIN".format(
                qn(model._meta.db_table), ", ".join(qn(f.column) for f in fields)
            )
            with cursor.cursor.copy(copy_sql) as copy:
                for row in values:
                    copy.write_row(row)
        else:
            cursor.executemany(sql, values)


def insert_returning(model: type[Model], objs: list[Model], batch: int = 500) -> None:
    """INSERT model instances in multi-row statements and set their primary keys.

    The same value preparation as insert_rows, for rows whose ids the import
    needs next (a problem's steps and audit entries point at it). SQLite (3.35+)
    returns the ids in VALUES order, as Django's bulk_create assumes; on
    PostgreSQL the ids are drawn from the table's sequence first and the rows
    streamed with COPY (multi-row VALUES measured slower there than bulk_create).
    """
    if not objs:
        return
    from django.db import connection

    if connection.vendor == "postgresql":
        _copy_with_reserved_ids(connection, model, objs)
        return
    qn = connection.ops.quote_name
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    typed = {"JSONField", "DateTimeField", "DateField", "DecimalField", "GenericIPAddressField"}
    # Stay inside the bind-variable limit Django assumes for the backend.
    limit = connection.features.max_query_params or 65535
    batch = max(1, min(batch, limit // len(fields)))
    head = "INSERT INTO {} ({}) VALUES ".format(
        qn(model._meta.db_table), ", ".join(qn(f.column) for f in fields)
    )
    one = "(" + ", ".join(["%s"] * len(fields)) + ")"
    pk = qn(model._meta.pk.column)
    with connection.cursor() as cursor:
        for start in range(0, len(objs), batch):
            chunk = objs[start : start + batch]
            params: list[Any] = []
            for o in chunk:
                for f in fields:
                    value = getattr(o, f.attname)
                    if f.get_internal_type() in typed:
                        value = f.get_db_prep_save(value, connection)
                    params.append(value)
            cursor.execute(f"{head}{', '.join([one] * len(chunk))} RETURNING {pk}", params)
            for o, (new_id,) in zip(chunk, cursor.fetchall(), strict=True):
                o.pk = new_id
                o._state.adding = False
                o._state.db = connection.alias


def _copy_with_reserved_ids(connection, model: type[Model], objs: list[Model]) -> None:
    qn = connection.ops.quote_name
    table = model._meta.db_table
    pk = model._meta.pk
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    typed = {"JSONField", "DateTimeField", "DateField", "DecimalField", "GenericIPAddressField"}
    with connection.cursor() as cursor:
        # nextval() hands out each id once, whatever else inserts concurrently.
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [table, pk.column, len(objs)],
        )
        ids = [row[0] for row in cursor.fetchall()]
        columns = ", ".join(qn(c) for c in [pk.column, *(f.column for f in fields)])
        with cursor.cursor.copy(f"COPY {qn(table)} ({columns}) FROM STDIN") as copy:
            for o, new_id in zip(objs, ids, strict=True):
                row = [new_id]
                for f in fields:
                    value = getattr(o, f.attname)
                    if f.get_internal_type() in typed:
                        value = f.get_db_prep_save(value, connection)
                    row.append(value)
                copy.write_row(row)
    for o, new_id in zip(objs, ids, strict=True):
        o.pk = new_id
        o._state.adding = False
        o._state.db = connection.alias


class IdsIn(Expression):
    """``field IN (ids)`` for a chunk of thousands of ids, bound as one parameter.

    ``filter(field__in=ids)`` prepares and binds every id on its own: with 2000 ids that
    costs ~30 ms of Python a query (the database itself needs well under 1 ms), which was
    a third of a 100k-row export's time on PostgreSQL. Here the ids go as one array on
    PostgreSQL (``= ANY(%s)``) and one JSON list on SQLite (``json_each``). Integers only.
    """

    output_field = BooleanField()
    conditional = True

    def __init__(self, field: str | F, ids: Iterable[int]) -> None:
        super().__init__()
        self.ref: Any = F(field) if isinstance(field, str) else field
        self.ids = [int(i) for i in ids]

    def get_source_expressions(self) -> list[Any]:
        return [self.ref]

    def set_source_expressions(self, exprs: list[Any]) -> None:
        (self.ref,) = exprs

    def resolve_expression(self, *args: Any, **kwargs: Any) -> IdsIn:
        c = self.copy()
        c.ref = self.ref.resolve_expression(*args, **kwargs)
        return c

    def as_sql(self, compiler: Any, connection: Any) -> tuple[str, list[Any]]:
        sql, params = compiler.compile(self.ref)
        if connection.vendor == "postgresql":
            return f"{sql} = ANY(%s)", [*params, self.ids]
        return f"{sql} IN (SELECT value FROM json_each(%s))", [*params, json.dumps(self.ids)]
