"""Province scale (issue 13): generate a province into PostgreSQL, then time every page of
the issue's table through gunicorn next to the bare SQL that answers the same question.

    .venv/bin/python bench/province.py load --db postgres://postgres@127.0.0.1:55432/province_x --scale 0.05
    .venv/bin/python bench/province.py run --db postgres://postgres@127.0.0.1:55432/province_x [--district 410102]
    .venv/bin/python bench/province.py sqlite [--projects 2000 --problems 50000]

`load` migrates an empty database with Django's migrations, COPYs the generated rows
(bench/province_gen.py) into the real models' tables, rebuilds the indexes it dropped for
the load, resets the sequences and ANALYZEs. `run` starts `gunicorn taizhang.wsgi -w 2`
(DEBUG off) on a free port, signs in through the login form (HTML pages, exports) and
with API tokens issued in the database (API), and times each case sequentially (2 warm-ups,
then N runs), printing p50, p95, the bare SQL's p50 and the ratio. `sqlite` builds one big
district in a throw-away SQLite file and times every list in-process (django.test.Client).
A 500 or a timeout is recorded, never fatal. See docs/province.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.cookiejar
import json
import math
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import unicodedata
import urllib.error
import urllib.parse
import urllib.request
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import province_gen as gen  # noqa: E402

ENV = {
    "DJANGO_SETTINGS_MODULE": "taizhang.settings",
    "SECRET_KEY": "bench-province-not-a-secret-0123456789abcdef",
    "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
    "SECURE_COOKIES": "0",
    "TAIZHANG_2FA_ENFORCE": "0",
    "TAIZHANG_API_RATE_PER_TOKEN": "0",
    "TAIZHANG_API_RATE_PER_IP": "0",
    "LOG_LEVEL": "ERROR",
}
PAGE = 25


def pad(text: str, width: int, right: bool = False) -> str:
    cols = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
    fill = " " * max(width - cols, 0)
    return fill + text if right else text + fill


def setup_django(db_url: str | None, data_dir: str | None = None) -> None:
    os.environ.update(ENV)
    if db_url:
        os.environ["DATABASE_URL"] = db_url
    os.environ["TAIZHANG_DATA_DIR"] = data_dir or tempfile.mkdtemp(prefix="tz-province-")
    import django

    django.setup()


def split_url(db_url: str) -> tuple[str, str]:
    """(URL of the maintenance database `postgres`, database name)."""
    parts = urllib.parse.urlsplit(db_url)
    name = parts.path.lstrip("/")
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
        raise SystemExit(f"database name {name!r}: lower-case letters, digits, _")
    return urllib.parse.urlunsplit(parts._replace(path="/postgres")), name


# =============================================================================== load


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


# =============================================================================== run


@dataclass
class Case:
    name: str
    role: str
    method: str
    url: str
    bare: list[tuple[str, tuple]]
    body: dict | None = None
    session: bool = False  # HTML / export: the logged-in browser session, else the API token
    p95: bool = False
    results: dict[str, Any] = field(default_factory=dict)


class Client:
    """A browser without requests: cookies, CSRF, bearer tokens, timeouts."""

    def __init__(self, base: str, timeout: float) -> None:
        self.base, self.timeout = base, timeout
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.token: str | None = None

    def request(
        self,
        method: str,
        url: str,
        body: dict | bytes | None = None,
        *,
        session: bool = False,
        headers: dict | None = None,
    ) -> tuple[int | str, bytes]:
        hdrs = dict(headers or {})
        data = None
        if isinstance(body, dict):
            data = json.dumps(body).encode()
            hdrs["Content-Type"] = "application/json"
        elif body is not None:
            data = body
        if not session and self.token:
            hdrs["Authorization"] = f"Bearer {self.token}"
        req = urllib.request.Request(self.base + url, data=data, method=method, headers=hdrs)
        opener = self.opener if session or not self.token else urllib.request.build_opener()
        try:
            with opener.open(req, timeout=self.timeout) as resp:
                return resp.status, resp.read()
        except urllib.error.HTTPError as e:
            return e.code, e.read()
        except (TimeoutError, urllib.error.URLError, ConnectionError) as e:
            return f"error: {type(e).__name__}", b""

    def login(self, username: str, password: str) -> bool:
        status, page = self.request("GET", "/login/", session=True)
        m = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if status != 200 or not m:
            return False
        form = urllib.parse.urlencode(
            {"username": username, "password": password, "csrfmiddlewaretoken": m.group(1).decode()}
        ).encode()
        status, page = self.request(
            "POST",
            "/login/",
            form,
            session=True,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Referer": self.base + "/login/",
            },
        )
        return any(c.name == "sessionid" for c in self.jar)


def quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(db_url: str, port: int, timeout: int) -> subprocess.Popen:
    env = {**os.environ, **ENV, "DATABASE_URL": db_url}
    env.pop("DEBUG", None)
    env.pop("TAIZHANG_TESTING", None)
    log = open(Path(tempfile.gettempdir()) / f"province-gunicorn-{port}.log", "w")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "taizhang.wsgi",
            "-w",
            "2",
            "-b",
            f"127.0.0.1:{port}",
            "--timeout",
            str(timeout),
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    for _ in range(120):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=5).read()
            return proc
        except Exception:
            if proc.poll() is not None:
                raise SystemExit(f"gunicorn exited, see {log.name}") from None
            time.sleep(0.5)
    proc.terminate()
    raise SystemExit(f"gunicorn did not answer, see {log.name}")


def pick(args: argparse.Namespace) -> dict[str, Any]:
    """The benchmark's district, users and sample rows; tokens issued in the database."""
    from django.contrib.auth import get_user_model
    from django.db.models import Count

    from taizhang.core.models import Division, Profile, Role
    from taizhang.core.tokens import do_issue_token
    from taizhang.matters.models import Matter, ProblemCategory
    from taizhang.projects.models import Project

    if args.district:
        d = Division.objects.get(code=args.district)
    else:  # the district with the most problems (problems sit on a district or its towns)
        from django.db import connection

        with connection.cursor() as cur:
            cur.execute(
                f"""SELECT CASE WHEN dv.level = 'town' THEN dv.parent_id ELSE dv.id END, count(*)
                FROM "{Matter._meta.db_table}" m JOIN "{Division._meta.db_table}" dv
                ON dv.id = m.division_id GROUP BY 1 ORDER BY 2 DESC LIMIT 1"""
            )
            d = Division.objects.get(pk=cur.fetchone()[0])
    province = Division.objects.get(level="province")
    sup = Profile.objects.filter(role=Role.SUPERVISOR, division=d).select_related("user").first()
    admin = Profile.objects.filter(role=Role.ADMIN).select_related("user").first()
    unit_id = (
        Matter.objects.filter(division__path__startswith=d.path, lead_unit__isnull=False)
        .values("lead_unit")
        .annotate(n=Count("id"))
        .order_by("-n")
        .values_list("lead_unit", flat=True)
        .first()
    )
    unit_user = (
        Profile.objects.filter(role=Role.UNIT, unit_id=unit_id).select_related("user").first()
    )
    users = {
        "district office": sup.user,
        "province admin": admin.user,
        "unit staff": unit_user.user,
    }
    tokens = {}
    for role, user in users.items():
        tokens[role] = do_issue_token(user, name="province benchmark", days=7)[1]
    project = Project.objects.filter(division__path__startswith=d.path).order_by("pk").first()
    problem = Matter.objects.filter(division__path__startswith=d.path).order_by("-pk").first()
    del get_user_model
    return {
        "district": d,
        "province": province,
        "users": users,
        "tokens": tokens,
        "unit_id": unit_id,
        "project": project,
        "problem": problem,
        "category": ProblemCategory.objects.order_by("pk").first().pk,
    }


def build_cases(ctx: dict[str, Any]) -> list[Case]:
    from django.utils import timezone

    from taizhang.core.models import Division, Unit
    from taizhang.matters.models import Matter, MatterStep
    from taizhang.projects.models import MonthlyReport, Project, ProjectYear

    T = {
        m.__name__: m._meta.db_table
        for m in (Division, Unit, Matter, MatterStep, Project, MonthlyReport, ProjectYear)
    }
    co = Matter.co_units.through._meta.db_table
    d, prov = ctx["district"], ctx["province"]
    today = timezone.localdate()
    year, month = today.year, today.month - 1 or 12
    import psycopg

    conn = psycopg.connect(ctx["db"], autocommit=True)
    ctx["conn"] = conn

    def count(sql: str, params: tuple) -> int:
        return conn.execute(sql, params).fetchone()[0]

    proj_from = f"""FROM "{T["Project"]}" p JOIN "{T["Division"]}" dv ON dv.id = p.division_id
        JOIN "{T["Unit"]}" u ON u.id = p.responsible_unit_id WHERE dv.path LIKE %s"""
    proj_page = (
        f"SELECT p.*, dv.name, u.name {proj_from} ORDER BY p.code, p.id LIMIT {PAGE} OFFSET %s"
    )
    proj_count = f"SELECT count(*) {proj_from}"
    prob_from = f"""FROM "{T["Matter"]}" m JOIN "{T["Division"]}" dv ON dv.id = m.division_id
        LEFT JOIN "{T["Unit"]}" u ON u.id = m.lead_unit_id
        WHERE m.kind = 'enterprise_problem' AND dv.path LIKE %s"""
    prob_page = f"SELECT m.*, dv.name, u.name {prob_from} {{extra}} ORDER BY m.raised_on DESC, m.id DESC LIMIT {{limit}} OFFSET %s"
    prob_count = f"SELECT count(*) {prob_from} {{extra}}"
    red = f"AND m.status NOT IN ('reported', 'rated', 'closed') AND m.deadline < '{today}'"
    unit_from = f"""FROM "{T["Matter"]}" m WHERE m.kind = 'enterprise_problem' AND m.id IN
        (SELECT id FROM "{T["Matter"]}" WHERE lead_unit_id = %s
         UNION SELECT matter_id FROM "{co}" WHERE unit_id = %s)"""

    def problem_list(
        path: str, extra: str = "", offset: int = 0, limit: int = PAGE
    ) -> list[tuple[str, tuple]]:
        like = path + "%"
        return [
            (prob_page.format(extra=extra, limit=limit), (like, offset)),
            (prob_count.format(extra=extra), (like,)),
        ]

    def project_list(path: str, offset: int = 0) -> list[tuple[str, tuple]]:
        return [(proj_page, (path + "%", offset)), (proj_count, (path + "%",))]

    def last(path: str, per: int, sql: str, params: tuple) -> int:
        n = count(sql, params)
        return max(0, (n - 1) // per * per)

    dash_projects = [
        (
            f"""SELECT p.stage, count(*), sum(y.annual_plan) FROM "{T["Project"]}" p
            JOIN "{T["Division"]}" dv ON dv.id = p.division_id
            JOIN "{T["ProjectYear"]}" y ON y.project_id = p.id AND y.year = %s
            WHERE dv.path LIKE %s GROUP BY p.stage""",
            (year, "PATH%"),
        ),
        (
            f"""SELECT r.month, sum(r.amount) FROM "{T["MonthlyReport"]}" r
            JOIN "{T["Project"]}" p ON p.id = r.project_id JOIN "{T["Division"]}" dv ON dv.id = p.division_id
            WHERE dv.path LIKE %s AND r.year = %s AND r.month <= %s GROUP BY r.month""",
            ("PATH%", year, month),
        ),
    ]
    dash_problems = [
        (
            f"""SELECT m.status, m.rating, (m.deadline < %s AND m.status NOT IN ('reported','rated','closed')) AS red,
            (m.finished_on > m.deadline) AS late, count(*) FROM "{T["Matter"]}" m
            JOIN "{T["Division"]}" dv ON dv.id = m.division_id
            WHERE m.kind = 'enterprise_problem' AND dv.path LIKE %s AND m.raised_on BETWEEN %s AND %s
            GROUP BY 1, 2, 3, 4""",
            (today, "PATH%", dt.date(year, 1, 1), dt.date(year, 12, 31)),
        )
    ]

    def at(stmts: list[tuple[str, tuple]], path: str) -> list[tuple[str, tuple]]:
        return [
            (sql, tuple(path + "%" if p == "PATH%" else p for p in params)) for sql, params in stmts
        ]

    export_sql = [
        (
            f"""SELECT m.*, dv.name, u.name, (SELECT string_agg(cu.name, '、') FROM "{co}" c
            JOIN "{T["Unit"]}" cu ON cu.id = c.unit_id WHERE c.matter_id = m.id) {prob_from}
            AND m.raised_on >= %s ORDER BY m.raised_on DESC, m.id DESC""",
            (d.path + "%", dt.date(year, 1, 1)),
        )
    ]
    project, problem = ctx["project"], ctx["problem"]
    cases: list[Case] = []
    for role, path in (("district office", d.path), ("province admin", prov.path)):
        last_proj = last(path, PAGE, proj_count, (path + "%",))
        n_prob = count(prob_count.format(extra=""), (path + "%",))
        deep = min(10_000, max(0, (n_prob - 1) // PAGE * PAGE))
        last_html = last(path, 20, proj_count, (path + "%",))
        cases += [
            Case(
                "project list API, page 1",
                role,
                "GET",
                f"/api/v1/projects?limit={PAGE}",
                project_list(path),
            ),
            Case(
                f"project list API, last page (offset {last_proj})",
                role,
                "GET",
                f"/api/v1/projects?limit={PAGE}&offset={last_proj}",
                project_list(path, last_proj),
            ),
            Case(
                "problem list API, page 1",
                role,
                "GET",
                f"/api/v1/problems?limit={PAGE}",
                problem_list(path),
            ),
            Case(
                f"problem list API, deep page (offset {deep})",
                role,
                "GET",
                f"/api/v1/problems?limit={PAGE}&offset={deep}",
                problem_list(path, offset=deep),
            ),
            Case(
                "problem list API, light=red",
                role,
                "GET",
                f"/api/v1/problems?limit={PAGE}&light=red",
                problem_list(path, red),
            ),
            Case(
                "HTML /problems/",
                role,
                "GET",
                "/problems/",
                problem_list(path, limit=30),
                session=True,
            ),
            Case(
                "HTML /projects/",
                role,
                "GET",
                "/projects/",
                [
                    (proj_page.replace(f"LIMIT {PAGE}", "LIMIT 20"), (path + "%", 0)),
                    (proj_count, (path + "%",)),
                ],
                session=True,
            ),
            Case(
                f"HTML /projects/ last page (offset {last_html})",
                role,
                "GET",
                f"/projects/?page={last_html // 20 + 1}",
                [
                    (proj_page.replace(f"LIMIT {PAGE}", "LIMIT 20"), (path + "%", last_html)),
                    (proj_count, (path + "%",)),
                ],
                session=True,
            ),
            Case(
                "project detail API",
                role,
                "GET",
                f"/api/v1/projects/{project.pk}",
                [
                    (
                        f"SELECT p.*, dv.name, u.name {proj_from.replace('WHERE', 'WHERE p.id = %s AND')}",
                        (project.pk, path + "%"),
                    )
                ],
            ),
            Case(
                "problem detail API",
                role,
                "GET",
                f"/api/v1/problems/{problem.pk}",
                [
                    (
                        f"SELECT m.*, dv.name, u.name {prob_from} AND m.id = %s",
                        (path + "%", problem.pk),
                    ),
                    (
                        f'SELECT * FROM "{T["MatterStep"]}" WHERE matter_id = %s ORDER BY at, id',
                        (problem.pk,),
                    ),
                ],
            ),
        ]
        dash_div = d if role == "district office" else prov
        cases += [
            Case(
                f"dashboard projects API ({dash_div.level})",
                role,
                "GET",
                f"/api/v1/dashboard/projects?division={dash_div.code}&year={year}&month={month}",
                at(dash_projects, dash_div.path),
                p95=True,
            ),
            Case(
                f"dashboard problems API ({dash_div.level})",
                role,
                "GET",
                f"/api/v1/dashboard/problems?division={dash_div.code}&year={year}",
                at(dash_problems, dash_div.path),
                p95=True,
            ),
            Case(
                f"xlsx export, {d.code} problems raised {year}",
                role,
                "GET",
                f"/problems/export.xlsx?division={d.code}&start={year}-01-01",
                export_sql,
                session=True,
            ),
        ]
    unit = ctx["unit_id"]
    cases.insert(
        13,
        Case(
            "unit staff problem list API, page 1",
            "unit staff",
            "GET",
            f"/api/v1/problems?limit={PAGE}",
            [
                (
                    f"SELECT m.* {unit_from} ORDER BY m.raised_on DESC, m.id DESC LIMIT {PAGE}",
                    (unit, unit),
                ),
                (f"SELECT count(*) {unit_from}", (unit, unit)),
            ],
        ),
    )
    cases.insert(
        14,
        Case(
            "create project (API POST)",
            "district office",
            "POST",
            "/api/v1/projects",
            [
                (
                    f"""INSERT INTO "{T["Project"]}" (division_id, code, name, responsible_unit_id, location, stage,
                    total_investment, description, is_synthetic, search_key, version, created_at, updated_at)
                    VALUES (%s, %s, '基准测试项目', %s, '', 'planned', 1000, '', true, '', 1, now(), now()) RETURNING id""",
                    (d.pk, "BARE", project.responsible_unit_id),
                )
            ],
            body={
                "division": d.code,
                "code": "BENCH",
                "name": "基准测试项目",
                "responsible_unit_id": project.responsible_unit_id,
                "total_investment_wan": "1000",
                "cumulative_wan": "0",
                "note": "",
                "corrections": 0,
            },
        ),
    )
    cases.insert(
        15,
        Case(
            "create problem (API POST)",
            "district office",
            "POST",
            "/api/v1/problems",
            [
                (
                    f"""WITH m AS (INSERT INTO "{T["Matter"]}" (kind, division_id, title, description, source, enterprise_id,
                    category_id, raised_on, raised_by_name, status, rating, rating_comment, round, pending_reason,
                    is_synthetic, similar_keys, version, created_at, updated_at)
                    VALUES ('enterprise_problem', %s, '基准测试问题', '', 'other', %s, %s, %s, '', 'submitted', '', '',
                    1, '', true, '', 1, now(), now()) RETURNING id, raised_on)
                    INSERT INTO "{T["MatterStep"]}" (matter_id, action, label, from_status, to_status, date, at,
                    by_name, note, rating, round) SELECT id, 'submit', '提出', '', 'submitted', raised_on, now(),
                    '', '', '', 1 FROM m""",
                    (problem.division_id, problem.enterprise_id, ctx["category"], today),
                )
            ],
            body={
                "enterprise_id": problem.enterprise_id,
                "category_id": ctx["category"],
                "title": "基准测试问题",
            },
        ),
    )
    return cases


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
        elif i == 0 and ms / 1000 * (runs + warmups) > budget:
            n = max(3, int(budget / max(ms / 1000, 0.001)))  # a slow case: fewer runs
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
    finally:
        proc.terminate()
        proc.wait(timeout=30)


# =============================================================================== sqlite


class SqliteSink:
    def __init__(self) -> None:
        from django.db import connection

        self.connection = connection
        self.rows: dict[str, int] = {}
        self.secs: dict[str, float] = {}

    def __call__(self, table: gen.Table, rows: Iterable[tuple]) -> None:
        from django.utils import timezone

        start = time.perf_counter()

        def value(v: Any) -> Any:
            if isinstance(v, dt.datetime):
                return v.astimezone(dt.UTC).replace(tzinfo=None).isoformat(" ")
            if isinstance(v, dt.date):
                return v.isoformat()
            if isinstance(v, gen.Decimal):
                return str(v)
            return v

        del timezone
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


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("load", help="generate a province into a new PostgreSQL database")
    p.add_argument("--db", required=True)
    p.add_argument("--scale", type=float, default=1.0)
    p.add_argument("--seed", type=int, default=13)
    p.add_argument("--recreate", action="store_true", help="drop the database first if it exists")
    p = sub.add_parser("run", help="time the issue's cases through gunicorn")
    p.add_argument("--db", required=True)
    p.add_argument("--district", help="district code (default: the one with most problems)")
    p.add_argument("--runs", type=int, default=15)
    p.add_argument("--warmups", type=int, default=2)
    p.add_argument("--timeout", type=float, default=120, help="client timeout, seconds")
    p.add_argument("--worker-timeout", type=int, default=30, help="gunicorn --timeout")
    p.add_argument("--budget", type=float, default=90, help="seconds per case before runs are cut")
    p.add_argument("--only", help="regex: run only the cases whose name matches")
    p = sub.add_parser("sqlite", help="one big district on SQLite, every list in-process")
    p.add_argument("--projects", type=int, default=2000)
    p.add_argument("--problems", type=int, default=50_000)
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--seed", type=int, default=13)
    args = ap.parse_args(argv)
    {"load": cmd_load, "run": cmd_run, "sqlite": cmd_sqlite}[args.cmd](args)


if __name__ == "__main__":
    main()
