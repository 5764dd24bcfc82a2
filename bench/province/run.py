"""`run`: gunicorn with 2 workers, a urllib browser, each case timed next to its bare SQL."""

from __future__ import annotations

import argparse
import re
import signal
import statistics
import sys
import time
from typing import Any

from province import gen
from province.cases import Case, Client, build_cases, free_port, pick, quantile, start_gunicorn
from province.common import setup_django
from province.throughput import pick_cases, print_throughput, wrk_case


def time_case(
    case: Case, client: Client, conn: Any, runs: int, warmups: int, budget: float
) -> None:
    def http_once(i: int) -> tuple[float, int | str, int]:
        body = case.body
        if body and "code" in body:
            body = {**body, "code": f"BENCH-{time.time_ns()}"}
        start = time.perf_counter()
        status, data = client.request(case.method, case.url, body, session=case.session)
        return (time.perf_counter() - start) * 1000, status, len(data)

    def sql_once() -> float:
        start = time.perf_counter()
        for sql, params in case.bare:
            params = tuple(f"BARE-{time.time_ns()}" if p == "BARE" else p for p in params)
            cur = conn.execute(sql, params)
            if cur.description:
                cur.fetchall()
        return (time.perf_counter() - start) * 1000

    statuses: dict[str, int] = {}
    times: list[float] = []
    size = 0
    n = runs
    for i in range(warmups + runs):
        ms, status, size = http_once(i)
        statuses[str(status)] = statuses.get(str(status), 0) + 1
        if i >= warmups:
            times.append(ms)
        # A slow case gets fewer runs, judged on the last warm-up (the first may meet a
        # worker that gunicorn is still restarting after a timeout).
        if i == max(warmups, 1) - 1 and ms / 1000 * (runs + warmups) > budget:
            n = max(3, int(budget / max(ms / 1000, 0.001)))
            runs = min(runs, n)
        if len(times) >= runs:
            break
    bare = []
    for _ in range(2):
        sql_once()
    for _ in range(max(runs, 5)):
        bare.append(sql_once())
    case.results = {
        "p50": statistics.median(times) if times else float("nan"),
        "p95": quantile(times, 0.95) if times else float("nan"),
        "bare": statistics.median(bare),
        "runs": len(times),
        "status": ", ".join(f"{k}×{v}" for k, v in sorted(statuses.items())),
        "bytes": size,
    }


def fmt_ms(ms: float) -> str:
    if ms != ms:
        return "—"
    return f"{ms:,.0f}" if ms >= 100 else f"{ms:.1f}"


def print_table(cases: list[Case], title: str) -> None:
    print(f"\n{title}\n")
    print("| case | role | p50 ms | p95 ms | bare SQL ms | ratio | runs | HTTP status | bytes |")
    print("|---|---|---:|---:|---:|---:|---:|---|---:|")
    for c in cases:
        r = c.results
        if not r:
            continue
        ratio = r["p50"] / r["bare"] if r["bare"] else float("nan")
        print(
            f"| {c.name} | {c.role} | {fmt_ms(r['p50'])} | {fmt_ms(r['p95']) if c.p95 else ''} | "
            f"{fmt_ms(r['bare'])} | {ratio:,.1f}× | {r['runs']} | {r['status']} | {r['bytes']:,} |"
        )


def cmd_run(args: argparse.Namespace) -> None:
    setup_django(args.db)
    ctx = pick(args)
    ctx["db"] = args.db
    cases = build_cases(ctx)
    port = free_port()
    proc = start_gunicorn(args.db, port, args.worker_timeout)
    # Killed from outside: stop gunicorn too (the finally below runs on SystemExit).
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    base = f"http://127.0.0.1:{port}"
    try:
        clients = {}
        for role, user in ctx["users"].items():
            c = Client(base, args.timeout)
            c.token = ctx["tokens"][role]
            if role != "unit staff" and not c.login(user.username, gen.BENCH_PASSWORD):
                print(f"warning: login as {user.username} failed", file=sys.stderr)
            clients[role] = c
        d = ctx["district"]
        print(
            f"district {d.code} {d.name}; gunicorn -w 2 on :{port}; {args.runs} runs after {args.warmups} warm-ups"
        )
        for case in cases:
            if args.only and not re.search(args.only, case.name):
                continue
            time_case(case, clients[case.role], ctx["conn"], args.runs, args.warmups, args.budget)
            r = case.results
            print(
                f"  {case.role:16} {case.name:50} p50 {fmt_ms(r['p50']):>8} ms  bare {fmt_ms(r['bare']):>7} ms  {r['status']}",
                flush=True,
            )
        n = (
            ctx["conn"]
            .execute("SELECT count(*) FROM core_division WHERE level = 'district'")
            .fetchone()[0]
        )
        print_table(
            cases,
            f"PostgreSQL, {n} districts; district {d.code}; p50/p95 in ms (wall clock per request)",
        )
        if args.wrk:
            rows = []
            for case in pick_cases(cases):
                if args.only and not re.search(args.only, case.name):
                    continue
                rows.append(wrk_case(case, clients[case.role], args.wrk))
                r = rows[-1]
                print(
                    f"  wrk {case.role:16} {case.name:44} {r.rps:8.1f} req/s  errors {r.errors}",
                    flush=True,
                )
            print_throughput(rows, args.wrk)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
