"""Export benchmark: the 问题台账 export of N enterprise problems, end to end, streamed.

    .venv/bin/python bench/bench_export.py [--rows 100000]
    DATABASE_URL=postgres://postgres@127.0.0.1:55432/taizhang_bench_export \\
        .venv/bin/python bench/bench_export.py
    .venv/bin/python bench/bench_export.py --renderer-only [--rows 100000]

Builds a throw-away database (a temporary SQLite file, or the PostgreSQL database named
in DATABASE_URL, created and dropped) with one district and N problems written the way
the app writes them (bench_problem_list.build_world: clean_problem + insert_problems and
each problem's later steps). Then, for CSV and xlsx, a fresh subprocess (so its memory is
its own) downloads /problems/export.<fmt> as the district's supervision office through
django.test.Client and reads the streamed body chunk by chunk, printing:

* time to first byte: from the request until the first chunk of the body is in hand;
* total time until the last chunk, size, and rows per second;
* memory: peak RSS during the export (VmHWM, reset just before the request) and its growth
  over the RSS just before it (the process already holds Django and a warmed-up first
  export), plus the RSS after the first chunk and at the end — flat means they barely differ;
* the bare SQL: the export's own SELECT (same rows, joins, order and lights, as the ORM
  compiles it) executed and fetched in chunks of 2000 with no Python objects, and the
  ratio of each export to it.

Targets (issue 13): first byte within 1 s, 100k rows in at most 8 s, memory flat.
``--renderer-only`` times the renderer alone on synthetic rows (no database).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

FORMATS = ("csv", "xlsx")


def rss_mb() -> float:
    """The current resident set size (Linux), in MB."""
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def peak_mb() -> float:
    """Peak RSS since :func:`reset_peak` (VmHWM), else of the whole process (ru_maxrss)."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KB on Linux


def reset_peak() -> None:
    """Start the peak over (Linux ≥ 4.0): Django's start-up peak is not the export's."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass


# --------------------------------------------------------------------------- parent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--renderer-only", action="store_true")
    parser.add_argument("--child", choices=FORMATS + ("sql",), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child)))
        return
    if args.renderer_only:
        renderer_only(args.rows)
        return

    # Sets TAIZHANG_DATA_DIR to its temporary directory when there is no DATABASE_URL.
    import bench_problem_list as bpl
    import django

    pg = os.environ.get("DATABASE_URL", "").startswith("postgres")
    if pg:
        bpl._fresh_postgres()
    django.setup()
    from django.core.management import call_command
    from django.db import connections

    call_command("migrate", verbosity=0)
    print(f"数据库：{'PostgreSQL' if pg else 'SQLite'}；企业问题 {args.rows} 条")
    t = time.perf_counter()
    bpl.build_world(args.rows)
    print(f"造数 {time.perf_counter() - t:.1f} s")
    connections.close_all()
    try:
        env = dict(os.environ)  # the child finds the same database (DATA_DIR or DATABASE_URL)
        results = {name: run_child(name, env) for name in ("sql", *FORMATS)}
    finally:
        if pg:
            bpl._drop_postgres()
        import shutil

        # Made on import even for PostgreSQL (then empty): remove it either way.
        shutil.rmtree(bpl._tmp, ignore_errors=True)
    report(results)


def run_child(name: str, env: dict[str, str]) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", name],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        raise SystemExit(f"{name} failed:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def report(results: dict[str, dict[str, Any]]) -> None:
    sql = results["sql"]
    print(
        f"裸 SQL（导出的同一 SELECT，分块取 {sql['rows']} 行）：{sql['total']:.2f} s，"
        f"首块 {sql['first']:.3f} s"
    )
    for fmt in FORMATS:
        r = results[fmt]
        print(
            f"export {fmt}: first byte {r['first']:.2f} s, total {r['total']:.2f} s "
            f"({r['rows'] / r['total']:,.0f} rows/s, {r['bytes'] / 1e6:.1f} MB, "
            f"{r['chunks']} chunks); ×{r['total'] / sql['total']:.1f} the bare SQL; "
            f"RSS before {r['rss_before']:.0f} MB, after first chunk {r['rss_first']:.0f} MB, "
            f"at end {r['rss_end']:.0f} MB, peak {r['peak']:.0f} MB "
            f"(+{r['peak'] - r['rss_before']:.0f} MB over before)"
        )


# --------------------------------------------------------------------------- child


def child(name: str) -> dict[str, Any]:
    import warnings

    warnings.filterwarnings("ignore", message="No directory at")
    os.environ.setdefault("TAIZHANG_TESTING", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "taizhang.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.test import Client

    office = get_user_model().objects.get(username="office")
    if name == "sql":
        return bare_sql(office)
    c = Client()
    c.force_login(office)
    # Warm up imports, the calendar and the connection on a small export.
    for _ in b_chunks(c.get(f"/problems/export.{name}", {"q": "基准问题1："})):
        pass
    before = rss_mb()
    reset_peak()
    t0 = time.perf_counter()
    r = c.get(f"/problems/export.{name}")
    assert r.status_code == 200, r.status_code
    first = total = 0.0
    size = chunks = 0
    rss_first = 0.0
    for chunk in b_chunks(r):
        if not chunks:
            first = time.perf_counter() - t0
            rss_first = rss_mb()
        chunks += 1
        size += len(chunk)
    total = time.perf_counter() - t0
    r.close()
    from taizhang.matters.models import Matter

    return {
        "first": first,
        "total": total,
        "bytes": size,
        "chunks": chunks,
        "rows": Matter.objects.count(),
        "rss_before": before,
        "rss_first": rss_first,
        "rss_end": rss_mb(),
        "peak": peak_mb(),
    }


def b_chunks(response: Any) -> Iterator[bytes]:
    yield from response.streaming_content


def bare_sql(office: Any) -> dict[str, Any]:
    from django.db import connection
    from django.utils import timezone

    from taizhang.core.scope import Scope
    from taizhang.matters.queries import ProblemFilter
    from taizhang.web.exports.problems import export_queryset

    qs = export_queryset(Scope(office), ProblemFilter(), timezone.localdate())
    sql, params = qs.query.sql_with_params()

    def run() -> tuple[float, float, int]:
        t0 = time.perf_counter()
        first, n = 0.0, 0
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            while rows := cursor.fetchmany(2000):
                if not n:
                    first = time.perf_counter() - t0
                n += len(rows)
        return first, time.perf_counter() - t0, n

    run()  # warm the cache, as the export child does
    first, total, n = run()
    return {"first": first, "total": total, "rows": n}


# --------------------------------------------------------------------------- renderer only


def synthetic_rows(n: int) -> Iterator[list[Any]]:
    for i in range(n):
        yield [
            f"WQ2022{i:06d}",
            f"企业（合成）{i % 997}号",
            "融资",
            "区发展和改革委员会",
            dt.date(2022, 1 + i % 12, 1 + i % 28),
            Decimal(i % 100000) / 100,
            87.5 + (i % 10),
            "办理中",
            "=可疑内容" if i % 1000 == 0 else "按期推进",
        ]


def renderer_only(n: int) -> None:
    import tempfile

    from taizhang.exports.render import Column, Table, iter_csv, write_xlsx

    cols = [
        Column("编号"),
        Column("企业"),
        Column("类别"),
        Column("主办单位"),
        Column("交办日期", "date"),
        Column("金额（万元）", "money"),
        Column("完成率", "rate"),
        Column("状态"),
        Column("备注"),
    ]

    def table() -> Table:
        return Table(
            "问题台账",
            cols,
            synthetic_rows(n),
            unit_name="山城区督查室",
            as_of=dt.date(2022, 9, 30),
        )

    t0 = time.perf_counter()
    with tempfile.NamedTemporaryFile(suffix=".xlsx") as tmp:
        write_xlsx(table(), tmp)
        size = tmp.tell()
    took = time.perf_counter() - t0
    print(f"render xlsx: {n} rows in {took:.2f} s ({n / took:,.0f} rows/s), {size / 1e6:.1f} MB")
    t0 = time.perf_counter()
    size = sum(len(c) for c in iter_csv(table()))
    took = time.perf_counter() - t0
    print(f"render csv: {n} rows in {took:.2f} s ({n / took:,.0f} rows/s), {size / 1e6:.1f} MB")
    print(f"peak RSS: {peak_mb():.0f} MB")


if __name__ == "__main__":
    main()
