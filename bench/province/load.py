"""`load`: migrate an empty PostgreSQL database and COPY the generated province into it."""

from __future__ import annotations

import argparse
import datetime as dt
import time
from collections.abc import Iterable
from typing import Any

from province import gen
from province.common import pad, setup_django, split_url


class CopySink:
    """Writes rows with COPY … FROM STDIN (text format); indexes are dropped on a table's
    first rows and rebuilt at the end; foreign-key triggers do not fire during the load
    (session_replication_role = replica: the generator writes consistent ids)."""

    def __init__(self, db_url: str) -> None:
        import psycopg

        self.conn = psycopg.connect(db_url, autocommit=True)
        self.conn.execute("SET session_replication_role = replica")
        self.conn.execute("SET synchronous_commit = off")
        self.seen: dict[str, list[str]] = {}
        self.indexes: list[str] = []
        self.rows: dict[str, int] = {}
        self.secs: dict[str, float] = {}

    def _first(self, table: str) -> None:
        found = self.conn.execute(
            """SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
               FROM pg_index i WHERE i.indrelid = %s::regclass AND NOT i.indisprimary
               AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)""",
            (table,),
        ).fetchall()
        for name, definition in found:
            self.conn.execute(f"DROP INDEX {name}")
            self.indexes.append(definition)
        self.seen[table] = []

    def __call__(self, table: gen.Table, rows: Iterable[tuple]) -> None:
        if table.name not in self.seen:
            self._first(table.name)
        start = time.perf_counter()
        lines = ["\t".join(map(_text, row)) + "\n" for row in rows]
        cols = ", ".join(f'"{c}"' for c in table.columns)
        with self.conn.cursor() as cur, cur.copy(f'COPY "{table.name}" ({cols}) FROM STDIN') as cp:
            cp.write("".join(lines))
        self.rows[table.name] = self.rows.get(table.name, 0) + len(lines)
        self.secs[table.name] = self.secs.get(table.name, 0.0) + time.perf_counter() - start

    def finish(self) -> dict[str, float]:
        times = {}
        start = time.perf_counter()
        for definition in self.indexes:
            self.conn.execute(definition)
        times["indexes rebuilt"] = time.perf_counter() - start
        start = time.perf_counter()
        for table in self.seen:
            has_id = self.conn.execute(
                "SELECT pg_get_serial_sequence(%s, 'id')", (f'"{table}"',)
            ).fetchone()
            if has_id and has_id[0]:
                self.conn.execute(
                    f'SELECT setval(%s, (SELECT coalesce(max(id), 0) + 1 FROM "{table}"), false)',
                    (has_id[0],),
                )
        self.conn.execute("SET session_replication_role = DEFAULT")
        self.conn.execute("ANALYZE")
        times["sequences + ANALYZE"] = time.perf_counter() - start
        return times


_ESC = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _text(v: Any) -> str:
    if v is None:
        return "\\N"
    if v is True:
        return "t"
    if v is False:
        return "f"
    if isinstance(v, str):
        return v.translate(_ESC)
    if isinstance(v, dt.datetime):
        return v.isoformat()
    return str(v)


def cmd_load(args: argparse.Namespace) -> None:
    import psycopg

    admin_url, name = split_url(args.db)
    with psycopg.connect(admin_url, autocommit=True) as c:
        exists = c.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if exists and not args.recreate:
            raise SystemExit(f"database {name} exists: pass --recreate to drop it first")
        if exists:
            c.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        c.execute(f'CREATE DATABASE "{name}"')
    setup_django(args.db)
    from django.core.management import call_command

    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    migrate_s = time.perf_counter() - t0
    print(f"migrate: {migrate_s:.1f} s", flush=True)
    sink = CopySink(args.db)
    g = gen.Generator(args.scale, args.seed)
    print("counts:", g.n, flush=True)
    t1 = time.perf_counter()
    g.run(sink)
    load_s = time.perf_counter() - t1
    after = sink.finish()
    total = time.perf_counter() - t0
    print(f"\n{pad('table', 34)} {pad('rows', 12, True)} {pad('COPY s', 9, True)}")
    for table in sink.rows:
        print(f"{pad(table, 34)} {sink.rows[table]:>12,} {sink.secs[table]:>9.1f}")
    copy_s = sum(sink.secs.values())
    print(f"{pad('(generating rows in Python)', 34)} {'':>12} {load_s - copy_s:>9.1f}")
    for what, secs in after.items():
        print(f"{pad(what, 34)} {'':>12} {secs:>9.1f}")
    size = sink.conn.execute(
        "SELECT pg_size_pretty(pg_database_size(current_database()))"
    ).fetchone()
    print(
        f"total {total:.1f} s (migrate {migrate_s:.1f}), {sum(sink.rows.values()):,} rows, {size[0]}"
    )
