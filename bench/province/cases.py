"""The issue's cases: URL, role and the bare SQL answering the same question."""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import http.cookiejar
import json
import math
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from province.common import ENV, PAGE, ROOT


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


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # the 302 comes back as an HTTPError, with its cookies already taken


class Client:
    """A browser without requests: cookies, CSRF, bearer tokens, timeouts."""

    def __init__(self, base: str, timeout: float) -> None:
        self.base, self.timeout = base, timeout
        self.jar = http.cookiejar.CookieJar()
        cookies = urllib.request.HTTPCookieProcessor(self.jar)
        self.opener = urllib.request.build_opener(cookies)
        # Signing in stops at the 302: the landing page (a whole dashboard) is not a case.
        self.no_follow = urllib.request.build_opener(cookies, _NoRedirect())
        self.token: str | None = None

    def request(
        self,
        method: str,
        url: str,
        body: dict | bytes | None = None,
        *,
        session: bool = False,
        headers: dict | None = None,
        follow: bool = True,
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
        if not follow:
            opener = self.no_follow
        try:
            with opener.open(req, timeout=self.timeout) as resp:
                return resp.status, resp.read()
        except urllib.error.HTTPError as e:
            return e.code, e.read()
        except (OSError, http.client.HTTPException) as e:  # timeouts, resets, URLError
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
            follow=False,
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


# A list's bare SQL counts up to this many rows and no further: the issue's target is an
# exact count up to 10,000 and "10,000+" beyond, never a full count of millions per page.
COUNT_CAP = 10_000


def capped(count_sql: str) -> str:
    """`SELECT count(*) FROM …` as a count that stops after COUNT_CAP + 1 rows."""
    inner = count_sql.replace("SELECT count(*) ", "SELECT 1 ", 1)
    return f"SELECT count(*) FROM ({inner} LIMIT {COUNT_CAP + 1}) capped"


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

    # No automatic prepared statements: after 5 runs psycopg would prepare each statement and
    # PostgreSQL could switch to a generic plan that cannot see the LIKE prefix.
    conn = psycopg.connect(ctx["db"], autocommit=True, prepare_threshold=None)
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
            (capped(prob_count.format(extra=extra)), (like,)),
        ]

    def seek_row(path: str, offset: int) -> tuple[Any, int]:
        row = conn.execute(
            f"SELECT m.raised_on, m.id {prob_from} ORDER BY m.raised_on DESC, m.id DESC"
            " LIMIT 1 OFFSET %s",
            (path + "%", max(offset - 1, 0)),
        ).fetchone()
        return row[0], row[1]

    def seek_cursor(path: str, offset: int) -> str:
        """The `next` cursor the API hands out after row `offset` (taizhang.core.paging)."""
        from taizhang.core.paging import _encode

        raised, pk = seek_row(path, offset)
        return _encode([("raised_on", True), ("id", True)], [raised, pk])

    def problem_seek(path: str, offset: int) -> list[tuple[str, tuple]]:
        raised, pk = seek_row(path, offset)
        like = path + "%"
        page = (
            f"SELECT m.*, dv.name, u.name {prob_from} AND (m.raised_on, m.id) < (%s, %s)"
            f" ORDER BY m.raised_on DESC, m.id DESC LIMIT {PAGE}"
        )
        return [(page, (like, raised, pk)), (capped(prob_count.format(extra="")), (like,))]

    def project_list(path: str, offset: int = 0) -> list[tuple[str, tuple]]:
        return [(proj_page, (path + "%", offset)), (capped(proj_count), (path + "%",))]

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
                f"problem list API, deep page by cursor (after row {deep})",
                role,
                "GET",
                f"/api/v1/problems?limit={PAGE}&after={seek_cursor(path, deep)}",
                problem_seek(path, deep),
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
                    (capped(proj_count), (path + "%",)),
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
                    (capped(proj_count), (path + "%",)),
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
                (capped(f"SELECT count(*) {unit_from}"), (unit, unit)),
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
