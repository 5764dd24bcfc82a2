"""`run --wrk SECONDS`: requests per second under wrk at 8 connections (the issue's throughput case).

wrk runs on the same 2-core machine as gunicorn and PostgreSQL, so the figure is a floor
for a machine with a separate load generator. Each case reports wrk's requests/s, its
latency percentiles and every error it counted (socket errors, non-2xx responses).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass

from province.cases import Case, Client

CONNECTIONS = 8
THREADS = 2


@dataclass
class Throughput:
    case: str
    role: str
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    errors: int
    detail: str


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def parse(out: str) -> tuple[float, float, float, int, int, str]:
    """(requests/s, p50 ms, p99 ms, requests, errors, error text) from wrk --latency output."""
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = _ms(re.search(r"\s50%\s+(\S+)", out).group(1))
    p99 = _ms(re.search(r"\s99%\s+(\S+)", out).group(1))
    requests = int(re.search(r"(\d+) requests in", out).group(1))
    errors, detail = 0, []
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if m:
        errors += sum(int(g) for g in m.groups())
        detail.append(m.group(0))
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if m:
        errors += int(m.group(1))
        detail.append(m.group(0))
    return rps, p50, p99, requests, errors, "; ".join(detail)


def wrk_case(case: Case, client: Client, seconds: int) -> Throughput:
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (apt-get install -y wrk)")
    # A last plain request checks the case answers 200 before it is loaded.
    status, _ = client.request(case.method, case.url, case.body, session=case.session)
    if status != 200:
        raise SystemExit(f"{case.name}: HTTP {status} before wrk")
    headers = []
    if case.session:
        cookie = "; ".join(f"{c.name}={c.value}" for c in client.jar)
        headers = ["-H", f"Cookie: {cookie}"]
    elif client.token:
        headers = ["-H", f"Authorization: Bearer {client.token}"]
    out = subprocess.run(
        [
            "wrk",
            f"-t{THREADS}",
            f"-c{CONNECTIONS}",
            f"-d{seconds}s",
            "--latency",
            "--timeout",
            "30s",
        ]
        + headers
        + [client.base + case.url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps, p50, p99, requests, errors, detail = parse(out)
    return Throughput(case.name, case.role, rps, p50, p99, requests, errors, detail)


def pick_cases(cases: list[Case]) -> list[Case]:
    """Detail (API and HTML) and the dashboards: the cases the issue asks a throughput of."""
    return [
        c
        for c in cases
        if c.method == "GET" and re.search(r"detail|dashboard", c.name) and "HTML /" not in c.name
    ]


def print_throughput(rows: list[Throughput], seconds: int) -> None:
    print(f"\nThroughput: wrk -t{THREADS} -c{CONNECTIONS} -d{seconds}s on the same machine\n")
    print("| case | role | req/s | p50 ms | p99 ms | requests | errors |")
    print("|---|---|---:|---:|---:|---:|---|")
    for r in rows:
        err = f"{r.errors} ({r.detail})" if r.errors else "0"
        print(
            f"| {r.case} | {r.role} | {r.rps:,.1f} | {r.p50_ms:.1f} | {r.p99_ms:.1f} | "
            f"{r.requests:,} | {err} |"
        )
