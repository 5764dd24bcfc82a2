"""Problem-list benchmark: the supervision office's 问题台账 page over N enterprise problems.

    .venv/bin/python bench/bench_problem_list.py [--rows 100000]
    DATABASE_URL=postgres://postgres@127.0.0.1:55432/taizhang_bench_list .venv/bin/python bench/bench_problem_list.py

Runs against a fresh throw-away database (a temporary SQLite file, or the PostgreSQL
database named in DATABASE_URL, which is created and dropped). Builds one district
with N problems written the way the app writes them (clean_problem + insert_problems,
then each problem's later steps), then times, as the district's supervision office,
the median of 5 runs of:

* the page itself (django.test.Client, logged in): first and last page, all lights and red only;
* the query layer the view runs (filter_problems + with_lights + Paginator + page_lights),
  i.e. the page without the request/response and the template;
* the bare SQL that answers the same question: one SELECT of the page's rows in the same
  order with the light as a hand-written CASE over core.Workday ordinals, and one COUNT.

Prints each figure with its ratio to the bare SQL, and the queries of one page. When a
page takes more than 1 s it profiles one request (cProfile) and prints where the time goes.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import io
import math
import os
import pstats
import random
import shutil
import statistics
import sys
import tempfile
import time
import unicodedata
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("TAIZHANG_TESTING", "1")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "taizhang.settings")
_tmp = tempfile.mkdtemp(prefix="tz-bench-")
if not os.environ.get("DATABASE_URL"):
    os.environ["TAIZHANG_DATA_DIR"] = _tmp

RUNS = 5
# problem_list pages by 30 (Paginator(rows, 30) in taizhang/web/problems.py).
PAGE = 30
N_TOWNS = 12
N_UNITS = 300
N_ENTERPRISES = 3000
N_LEADERS = 40
# Where a problem stands today, with weights: most are closed, a good share still open.
STAGES = [
    ("submitted", 4),
    ("accepted", 3),
    ("assigned", 10),
    ("in_progress", 15),
    ("returned", 3),
    ("reported", 10),
    ("rated", 10),
    ("closed", 45),
]
OPEN_STAGES = {"assigned", "in_progress", "returned"}
# No collectstatic in a throw-away data directory; whitenoise's warning about it is noise here.
warnings.filterwarnings("ignore", message="No directory at")


def pad(text: str, width: int, right: bool = False) -> str:
    """``text`` padded to ``width`` terminal columns (a Chinese character takes two)."""
    cols = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
    fill = " " * max(width - cols, 0)
    return fill + text if right else text + fill


def median_of(fn: Callable[[], Any], runs: int = RUNS) -> tuple[float, Any]:
    """Median wall time of ``runs`` calls after one untimed warm-up call, and the last result."""
    result = fn()
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument(
        "--profile-over",
        type=float,
        default=1.0,
        help="profile the slowest page once when it takes longer than this (seconds)",
    )
    args = parser.parse_args()
    n = args.rows

    import django

    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        _fresh_postgres()
    django.setup()
    from django.core.management import call_command

    t = time.perf_counter()
    call_command("migrate", verbosity=0)  # post_migrate fills core.Workday
    db = "PostgreSQL" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "SQLite"
    print(f"数据库：{db}；企业问题 {n} 条；每项取 {RUNS} 次中位数（先预热 1 次）")
    print(f"迁移（含 Workday 表）{time.perf_counter() - t:.1f} s")

    t = time.perf_counter()
    world = build_world(n)
    print(f"造数 {time.perf_counter() - t:.1f} s")
    measure(world, args.profile_over)
    if db == "PostgreSQL":
        _drop_postgres()
    else:
        from django.db import connections

        connections.close_all()
        shutil.rmtree(_tmp, ignore_errors=True)


# --------------------------------------------------------------------------- the data


def build_world(n: int) -> dict[str, Any]:
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.utils import timezone

    from taizhang.core.calendar import get_calendar
    from taizhang.core.models import Division, Person, Profile, Role, Unit, Workday
    from taizhang.core.scope import Scope
    from taizhang.enterprises.models import Enterprise
    from taizhang.lib.credit_code import make
    from taizhang.lib.pinyin import search_key
    from taizhang.matters.models import ProblemCategory, Source, ensure_default_categories
    from taizhang.matters.problems import clean_problem, insert_problems

    rng = random.Random(20261202)
    today = timezone.localdate()
    cal = get_calendar()
    ensure_default_categories()
    categories = list(ProblemCategory.objects.all())
    city = Division.objects.create(code="410600", name="鹤壁市", level="city")
    district = Division.objects.create(code="410603", name="山城区", level="district", parent=city)
    towns = [
        Division.objects.create(
            code=f"410603{i:03d}", name=f"第{i}街道", level="town", parent=district
        )
        for i in range(1, N_TOWNS + 1)
    ]
    Unit.objects.bulk_create(
        Unit(
            division=district if i % 3 else towns[i % N_TOWNS],
            name=f"基准单位{i:03d}",
            kind="department" if i % 3 else "town",
        )
        for i in range(N_UNITS)
    )
    units = list(Unit.objects.filter(division__path__startswith=district.path))
    Person.objects.bulk_create(
        Person(name=f"领导{i}", division=district, is_leader=True, position="副区长")
        for i in range(N_LEADERS)
    )
    leaders = list(Person.objects.filter(is_leader=True))
    Enterprise.objects.bulk_create(
        (
            Enterprise(
                name=f"基准企业{i:04d}有限公司",
                credit_code=make(f"91410603MA{i:07d}"),
                division=towns[i % N_TOWNS],
                search_key=search_key(f"基准企业{i:04d}有限公司"),
            )
            for i in range(N_ENTERPRISES)
        ),
        batch_size=1000,
    )
    enterprises = list(Enterprise.objects.all())
    office = get_user_model().objects.create_user("office", password="x", first_name="督查室")
    Profile.objects.create(user=office, role=Role.SUPERVISOR, division=district)
    scope = Scope(office)
    sources = [s for s in Source.values if s != Source.SELF]

    plans: list[dict[str, Any]] = []

    def problems():
        stages, weights = zip(*STAGES, strict=True)
        for i in range(n):
            stage = rng.choices(stages, weights)[0]
            # Open problems are mostly recent; finished ones spread over three years.
            if stage in {"submitted", "accepted"}:
                age = rng.randint(0, 20)
            elif stage in OPEN_STAGES:
                age = rng.randint(5, 150)
            else:
                age = rng.randint(20, 1100)
            raised = today - dt.timedelta(days=age)
            plans.append({"stage": stage})
            yield clean_problem(
                scope,
                {
                    "enterprise": enterprises[rng.randrange(N_ENTERPRISES)],
                    "category": categories[rng.randrange(len(categories))],
                    "title": f"基准问题{i}：{rng.choice(['贷款', '用地', '招工', '审批', '水电'])}",
                    "description": "企业反映的具体情况说明",
                    "source": rng.choice(sources),
                    "raised_on": raised,
                    "raised_by_name": "包联干部",
                },
                today=today,
                in_scope=lambda e: True,  # the enterprises were made in the office's district
            )

    adapt = connection.ops.adapt_datefield_value
    step_cols = [
        "matter_id",
        "action",
        "label",
        "from_status",
        "to_status",
        "date",
        "at",
        "by_id",
        "by_name",
        "by_unit_id",
        "note",
        "deadline_before",
        "deadline_after",
        "rating",
        "round",
    ]
    from taizhang.matters.models import Matter, MatterStep

    qn = connection.ops.quote_name
    update_sql = (
        f"UPDATE {qn(Matter._meta.db_table)} SET status=%s, accepted_on=%s, assigned_on=%s, "
        "deadline=%s, original_deadline=%s, finished_on=%s, closed_on=%s, rating=%s, "
        "rated_on=%s, round=%s, lead_unit_id=%s, leader_id=%s, version=%s WHERE id=%s"
    )
    step_sql = "INSERT INTO {} ({}) VALUES ({})".format(
        qn(MatterStep._meta.db_table),
        ", ".join(qn(c) for c in step_cols),
        ", ".join(["%s"] * len(step_cols)),
    )
    tz = timezone.get_current_timezone()

    def at(day: dt.date, hour: int) -> Any:
        return connection.ops.adapt_datetimefield_value(
            dt.datetime.combine(day, dt.time(hour, 0), tzinfo=tz)
        )

    done = 0
    with transaction.atomic():
        # The app's own creation path: 待受理 rows, their 提出 step and audit entry.
        for batch in insert_problems(scope, problems(), backdate=True, batch=2000):
            updates, steps = [], []
            for m in batch:
                plan = plans[done]
                done += 1
                row, rows = _lifecycle(m, plan["stage"], rng, cal, today, units, leaders, office)
                updates.append([*(adapt(v) if _is_date(v) else v for v in row), m.pk])
                for s in rows:
                    s["date"], s["at"] = adapt(s["date"]), at(s["date"], s.pop("hour"))
                    for k in ("deadline_before", "deadline_after"):
                        s[k] = adapt(s[k]) if s.get(k) else None
                    steps.append(
                        [s.get(c, "") if c != "by_unit_id" else s.get(c) for c in step_cols]
                    )
            with connection.cursor() as cursor:
                cursor.executemany(update_sql, updates)
                cursor.executemany(step_sql, steps)
            plans.clear()
            done = 0
    # Fresh statistics, as a database that has lived with its rows would have.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(
        f"区划 1 区 {N_TOWNS} 街道；单位 {len(units)}；企业 {N_ENTERPRISES}；"
        f"办理环节 {MatterStep.objects.count()} 条；Workday {Workday.objects.count()} 天"
    )
    return {"office": office, "district": district, "today": today}


def _is_date(v: Any) -> bool:
    return isinstance(v, dt.date)


def _lifecycle(m, stage, rng, cal, today, units, leaders, office):
    """The columns and later steps a problem at ``stage`` has after going through the app.

    Mirrors what the do_* steps write (taizhang/matters/services.py): 受理 → 交办 (lead unit,
    deadline = assigned + the category's working days) → 办理中 → 办结 → 企业评价 → 销号,
    退回重办 with a new deadline. Returns (UPDATE values, MatterStep rows).
    """
    from taizhang.matters.models import Status

    office_name = "山城区督查室"
    raised = m.raised_on
    status = Status.SUBMITTED
    accepted = assigned = deadline = original = finished = closed = rated = None
    rating = ""
    rnd, version = 1, 1
    lead = leader = None
    steps: list[dict[str, Any]] = []

    def later(day: dt.date, lo: int, hi: int) -> dt.date:
        return min(day + dt.timedelta(days=rng.randint(lo, hi)), today)

    def step(action, label, frm, to, day, hour, unit=None, **extra):
        steps.append(
            {
                "matter_id": m.pk,
                "action": action,
                "label": label,
                "from_status": frm,
                "to_status": to,
                "date": day,
                "hour": hour,
                "by_id": None if unit else office.pk,
                "by_name": unit.name if unit else office_name,
                "by_unit_id": unit.pk if unit else None,
                "round": rnd,
                **extra,
            }
        )

    if stage != "submitted":
        accepted = later(raised, 0, 2)
        step("accept", "受理", status, Status.ACCEPTED, accepted, 11)
        status, version = Status.ACCEPTED, version + 1
    if stage not in {"submitted", "accepted"}:
        assigned = later(accepted, 0, 3)
        lead = units[rng.randrange(len(units))]
        leader = leaders[rng.randrange(len(leaders))] if rng.random() < 0.3 else None
        deadline = original = cal.add_workdays(assigned, m.category.default_workdays).date
        if rng.random() < 0.05:  # 同意延期
            deadline = cal.add_workdays(deadline, 10).date
        step("assign", "交办", status, Status.ASSIGNED, assigned, 12, deadline_after=original)
        status, version = Status.ASSIGNED, version + 1
        if original != deadline:
            step(
                "approve_extension",
                "同意延期",
                status,
                status,
                later(assigned, 1, 5),
                13,
                deadline_before=original,
                deadline_after=deadline,
            )
            version += 1
    if stage in {"in_progress", "returned", "reported", "rated", "closed"} and rng.random() < 0.6:
        step("progress", "办理中", status, Status.IN_PROGRESS, later(assigned, 1, 10), 14, lead)
        status, version = Status.IN_PROGRESS, version + 1
    if stage == "in_progress" and status != Status.IN_PROGRESS:
        step("progress", "办理中", status, Status.IN_PROGRESS, later(assigned, 1, 10), 14, lead)
        status, version = Status.IN_PROGRESS, version + 1
    if stage in {"returned", "reported", "rated", "closed"}:
        # Some finish late: up to 1.5 times the time they were given.
        span = max((deadline - assigned).days, 1)
        finished = later(assigned, 1, int(span * 1.5))
        step("report", "办结", status, Status.REPORTED, finished, 15, lead)
        status, version = Status.REPORTED, version + 1
    if stage == "returned":
        back = later(finished, 0, 5)
        rnd += 1
        old, deadline = deadline, cal.add_workdays(back, 7).date
        step(
            "return",
            "退回重办",
            status,
            Status.RETURNED,
            back,
            16,
            deadline_before=old,
            deadline_after=deadline,
        )
        status, version, finished = Status.RETURNED, version + 1, None
    if stage in {"rated", "closed"}:
        rated = later(finished, 0, 7)
        rating = rng.choices(["satisfied", "basic", "unsatisfied"], [85, 12, 3])[0]
        step("rate", "企业评价", status, Status.RATED, rated, 16, rating=rating)
        status, version = Status.RATED, version + 1
    if stage == "closed":
        closed = later(rated, 0, 7)
        step("close", "销号", status, Status.CLOSED, closed, 17)
        status, version = Status.CLOSED, version + 1
    row = [
        status,
        accepted,
        assigned,
        deadline,
        original,
        finished,
        closed,
        rating,
        rated,
        rnd,
        lead.pk if lead else None,
        leader.pk if leader else None,
        version,
    ]
    return row, steps


# --------------------------------------------------------------------------- the measures


def measure(world: dict[str, Any], profile_over: float) -> None:
    from django.core.paginator import Paginator
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from taizhang.core.scope import Scope
    from taizhang.matters.queries import (
        ProblemFilter,
        filter_problems,
        page_lights,
        with_lights,
    )
    from taizhang.matters.timing import annotate_timing

    office, today = world["office"], world["today"]
    scope = Scope(office)
    lights = dict(
        annotate_timing(filter_problems(scope, ProblemFilter()), today)
        .order_by()
        .values_list("light")
        .annotate(c=Count("id"))
    )
    print(
        "今日亮灯："
        + "，".join(
            f"{label} {lights.get(k, 0)}"
            for k, label in [("red", "红"), ("yellow", "黄"), ("green", "绿"), (None, "无时限")]
        )
    )

    client = Client()
    client.force_login(office)
    url = reverse("problem_list")

    def query_layer(params: dict[str, str]) -> tuple[int, list[tuple[int, str | None]]]:
        """What problem_list computes before it renders (same calls, same order)."""
        s = Scope(office)
        f = ProblemFilter.from_params(params)
        rows = with_lights(filter_problems(s, f), f, today)
        page = Paginator(rows, PAGE).get_page(params.get("page"))
        shown = page_lights(page.object_list, today)
        return page.paginator.count, [(m.pk, r.light.value if r else None) for m, r in shown]

    def view(params: dict[str, str]) -> int:
        r = client.get(url, params)
        assert r.status_code == 200, r.status_code
        return len(r.content)

    cases = []
    for label, light in [("全部", ""), ("红灯", "red")]:
        base = {"light": light} if light else {}
        total, _ = query_layer(base)
        last = max(math.ceil(total / PAGE), 1)
        cases.append((f"{label}·首页", {**base, "page": "1"}, light, 1, total))
        cases.append(
            (f"{label}·末页（第{last}页）", {**base, "page": str(last)}, light, last, total)
        )

    print(f"\n督查室（{world['district'].name}）问题台账，每页 {PAGE} 行：")
    heads = ["页面", "查询层", "裸 SQL", "页面÷SQL", "查询层÷SQL"]
    print(pad("", 24) + "".join(pad(h, 12, right=True) for h in heads))
    slowest: tuple[float, dict[str, str], str] = (0.0, {}, "")
    for label, params, light, page_no, total in cases:
        t_view, size = median_of(lambda p=params: view(p))
        t_query, (count, shown) = median_of(lambda p=params: query_layer(p))
        t_bare, (bare_count, bare_rows) = median_of(
            lambda lt=light, pg=page_no: bare_sql(world, lt, pg)
        )
        same = count == bare_count == total and shown == bare_rows
        cells = [f"{t * 1000:.0f} ms" for t in (t_view, t_query, t_bare)]
        cells += [f"{t_view / t_bare:.1f}", f"{t_query / t_bare:.1f}"]
        print(
            pad(label, 24)
            + "".join(pad(c, 12, right=True) for c in cells)
            + f"   共 {count} 条{'' if same else '  ！与裸 SQL 结果不一致'}"
        )
        if t_view > slowest[0]:
            slowest = (t_view, params, label)

    for name, params in [("全部·首页", {"page": "1"}), (slowest[2], slowest[1])]:
        with CaptureQueriesContext(connection) as ctx:
            view(params)
        print(f"\n{name}：{len(ctx.captured_queries)} 次查询；最慢的 3 条：")
        for q in sorted(ctx.captured_queries, key=lambda q: -float(q["time"]))[:3]:
            print(f"  {float(q['time']) * 1000:7.1f} ms  {q['sql'][:110]}")

    if slowest[0] > profile_over:
        print(f"\n最慢的一页（{slowest[2]}，{slowest[0]:.2f} s）cProfile 一次：")
        prof = cProfile.Profile()
        prof.enable()
        view(slowest[1])
        prof.disable()
        out = io.StringIO()
        stats = pstats.Stats(prof, stream=out)
        stats.sort_stats("tottime").print_stats(8)
        # The app's own frames, by cumulative time: which step of the view waits.
        stats.sort_stats("cumulative").print_stats(r"taizhang/", 12)
        print("\n".join(line for line in out.getvalue().splitlines() if line.strip()))


def bare_sql(world: dict[str, Any], light: str, page: int) -> tuple[int, list]:
    """The same page by hand: the rows the template shows, the light and working days late
    by a CASE over core.Workday ordinals (as annotate_timing defines them), and a COUNT."""
    from django.conf import settings
    from django.db import connection

    from taizhang.core.models import Division, Person, Unit, Workday
    from taizhang.enterprises.models import Enterprise
    from taizhang.matters.models import Matter, ProblemCategory

    ops = connection.ops
    today = world["today"]
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT ordinal FROM {Workday._meta.db_table} WHERE date = %s",
            [ops.adapt_datefield_value(today)],
        )
        now = cursor.fetchone()[0]
        finished = (
            "m.status IN ('reported', 'rated', 'closed') AND m.finished_on IS NOT NULL "
            "AND m.finished_on <= %(today)s"
        )
        where = "m.kind = 'enterprise_problem' AND d.path LIKE %(path)s"
        if light == "red":
            # Late and not finished: what the CASE below calls red, written as a filter.
            where += f" AND m.deadline < %(today)s AND NOT ({finished})"
        args = {
            "today": ops.adapt_datefield_value(today),
            "path": world["district"].path + "%",
            "now": now,
            "yellow": int(settings.TAIZHANG["YELLOW_WORKDAYS"]),
            "limit": PAGE,
            "offset": (page - 1) * PAGE,
        }
        tables = {
            "m": Matter._meta.db_table,
            "d": Division._meta.db_table,
            "e": Enterprise._meta.db_table,
            "c": ProblemCategory._meta.db_table,
            "u": Unit._meta.db_table,
            "p": Person._meta.db_table,
            "w": Workday._meta.db_table,
        }
        cursor.execute(
            f"""
            SELECT m.id, m.title, m.status, m.raised_on, m.deadline, d.name, e.name, c.name,
                   u.name, p.name,
                   CASE WHEN m.deadline IS NULL THEN NULL
                        WHEN {finished} THEN 'green'
                        WHEN m.deadline < %(today)s THEN 'red'
                        WHEN wd.ordinal <= %(now)s + %(yellow)s THEN 'yellow'
                        ELSE 'green' END AS light,
                   CASE WHEN m.deadline IS NULL THEN NULL
                        WHEN {finished} AND m.finished_on > m.deadline
                             THEN wf.ordinal - wd.ordinal
                        WHEN {finished} THEN 0
                        WHEN m.deadline < %(today)s THEN %(now)s - wd.ordinal
                        ELSE 0 END AS late_workdays
              FROM {tables["m"]} m
              JOIN {tables["d"]} d ON d.id = m.division_id
              LEFT JOIN {tables["e"]} e ON e.id = m.enterprise_id
              LEFT JOIN {tables["c"]} c ON c.id = m.category_id
              LEFT JOIN {tables["u"]} u ON u.id = m.lead_unit_id
              LEFT JOIN {tables["p"]} p ON p.id = m.leader_id
              LEFT JOIN {tables["w"]} wd ON wd.date = m.deadline
              LEFT JOIN {tables["w"]} wf ON wf.date = m.finished_on
             WHERE {where}
             ORDER BY m.raised_on DESC, m.id DESC
             LIMIT %(limit)s OFFSET %(offset)s
            """,
            args,
        )
        rows = [(r[0], r[10]) for r in cursor.fetchall()]
        cursor.execute(
            f"SELECT COUNT(*) FROM {tables['m']} m JOIN {tables['d']} d ON d.id = m.division_id "
            f"WHERE {where}",
            args,
        )
        count = cursor.fetchone()[0]
    return count, rows


def _fresh_postgres() -> None:
    import psycopg

    url = os.environ["DATABASE_URL"]
    base, name = url.rsplit("/", 1)
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def _drop_postgres() -> None:
    from django.db import connections

    connections.close_all()
    import psycopg

    base, name = os.environ["DATABASE_URL"].rsplit("/", 1)
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')


if __name__ == "__main__":
    main()
