"""`sqlite`: one big district in a throw-away SQLite file, every list timed in-process."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import tempfile
import time
import warnings
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from province import gen
from province.common import setup_django
from province.run import fmt_ms


class SqliteSink:
    def __init__(self) -> None:
        from django.db import connection

        self.connection = connection
        self.rows: dict[str, int] = {}
        self.secs: dict[str, float] = {}

    def __call__(self, table: gen.Table, rows: Iterable[tuple]) -> None:
        start = time.perf_counter()

        def value(v: Any) -> Any:
            if isinstance(v, dt.datetime):
                return v.astimezone(dt.UTC).replace(tzinfo=None).isoformat(" ")
            if isinstance(v, dt.date):
                return v.isoformat()
            if isinstance(v, Decimal):
                return str(v)
            return v

        data = [tuple(map(value, row)) for row in rows]
        cols = ", ".join(f'"{c}"' for c in table.columns)
        marks = ", ".join("%s" for _ in table.columns)
        with self.connection.cursor() as cur:
            cur.executemany(f'INSERT INTO "{table.name}" ({cols}) VALUES ({marks})', data)
        self.rows[table.name] = self.rows.get(table.name, 0) + len(data)
        self.secs[table.name] = self.secs.get(table.name, 0.0) + time.perf_counter() - start


def cmd_sqlite(args: argparse.Namespace) -> None:
    # No collectstatic in a throw-away data directory; whitenoise's warning about it is noise.
    warnings.filterwarnings("ignore", message="No directory at")
    data_dir = tempfile.mkdtemp(prefix="tz-province-sqlite-")
    os.environ.pop("DATABASE_URL", None)
    setup_django(None, data_dir)
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test import Client as DjangoClient

    from taizhang.core.models import Profile, Role

    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    sizes = {
        "cities": 1,
        "districts": 1,
        "projects": args.projects,
        "enterprises": args.problems // 6,
        "visits": args.problems // 8,
        "problems": args.problems,
        "accounts": 3000,
    }
    g = gen.Generator(0, args.seed, sizes=sizes)
    sink = SqliteSink()
    with transaction.atomic():
        g.run(sink)
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    print(
        f"built in {time.perf_counter() - t0:.1f} s: "
        + ", ".join(f"{t} {n:,}" for t, n in sink.rows.items() if n > 1000)
    )
    d = g.districts[0]
    roles = {
        "district office": Profile.objects.get(user_id=d.supervisor_user).user,
        "province admin": Profile.objects.filter(role=Role.ADMIN).first().user,
        "unit staff": Profile.objects.get(user_id=d.unit_users[d.units[9]]).user,
    }
    lists = [
        "/api/v1/projects?limit=25",
        f"/api/v1/projects?limit=25&offset={args.projects - 25}",
        "/api/v1/problems?limit=25",
        f"/api/v1/problems?limit=25&offset={args.problems // 5}",
        "/api/v1/problems?limit=25&light=red",
        "/api/v1/problems?limit=25&sort=light",
        "/api/v1/problems/mine",
        "/api/v1/enterprises?limit=25",
        "/api/v1/visits?limit=25",
        "/problems/",
        "/problems/?light=red",
        f"/problems/?page={args.problems // 5 // 30}",
        "/projects/",
        f"/projects/?page={args.projects // 20}",
        "/enterprises/",
        "/visits/",
        "/my/",
    ]
    print(
        f"\nSQLite, one district: {args.projects:,} projects, {args.problems:,} problems; ms per list (median of {args.runs}, in-process test Client)\n"
    )
    print("| list | " + " | ".join(roles) + " |")
    print("|---|" + "---:|" * len(roles))
    clients = {}
    for role, user in roles.items():
        c = DjangoClient()
        c.force_login(user)
        clients[role] = c
    for url in lists:
        cells = []
        for role in roles:
            c = clients[role]
            times = []
            status = 0
            for i in range(args.runs + 1):
                start = time.perf_counter()
                try:
                    resp = c.get(url)
                    status = resp.status_code
                except Exception as e:  # a crash is a result, not the end of the benchmark
                    status = type(e).__name__
                if i:
                    times.append((time.perf_counter() - start) * 1000)
            med = statistics.median(times)
            cells.append(f"{fmt_ms(med)}" + ("" if status == 200 else f" ({status})"))
        print(f"| {url} | " + " | ".join(cells) + " |", flush=True)
