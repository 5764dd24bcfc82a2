"""The batched commit path: the same rows, written with bulk inserts and one audit insert per batch."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import Model

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
    from django.db import connection

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
