"""Import benchmark: 100,000-row problem ledger and monthly investment table, through engine.run.

    .venv/bin/python bench/bench_import.py [--rows 100000]
    DATABASE_URL=postgres://postgres@127.0.0.1:55432/taizhang_bench_import .venv/bin/python bench/bench_import.py

Runs against a fresh throw-away database (a temporary SQLite file, or the PostgreSQL
database named in DATABASE_URL, which is created and dropped). Prints validate and
commit time, peak memory, and python-calamine's bare parse time with the ratio.
"""

from __future__ import annotations

import argparse
import io
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("TAIZHANG_TESTING", "1")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "taizhang.settings")
_tmp = tempfile.mkdtemp(prefix="tz-bench-")
if not os.environ.get("DATABASE_URL"):
    os.environ["TAIZHANG_DATA_DIR"] = _tmp


def make_xlsx(header: list[str], rows) -> bytes:
    try:
        import xlsxwriter

        buf = io.BytesIO()
        wb = xlsxwriter.Workbook(buf, {"constant_memory": True, "in_memory": True})
        ws = wb.add_worksheet()
        ws.write_row(0, 0, header)
        for i, row in enumerate(rows, 1):
            ws.write_row(i, 0, row)
        wb.close()
        return buf.getvalue()
    except ImportError:
        from openpyxl import Workbook

        wb = Workbook(write_only=True)
        ws = wb.create_sheet()
        ws.append(header)
        for row in rows:
            ws.append(row)
        buf = io.BytesIO()
        wb.save(buf)
        return buf.getvalue()


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    n = args.rows

    import django

    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        _fresh_postgres()
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from decimal import Decimal

    from django.contrib.auth import get_user_model
    from python_calamine import CalamineWorkbook

    from taizhang.core.models import Division, Profile, Unit
    from taizhang.core.scope import Scope
    from taizhang.enterprises.models import Enterprise
    from taizhang.imports import engine
    from taizhang.lib.credit_code import make
    from taizhang.projects.models import Project

    city = Division.objects.create(code="410600", name="鹤壁市", level="city")
    d = Division.objects.create(code="410603", name="山城区", level="district", parent=city)
    unit = Unit.objects.create(division=d, name="区发改委", kind="department")
    user = get_user_model().objects.create_user("bench", password="x")
    Profile.objects.create(user=user, role="supervisor", division=d)
    scope = Scope(user)
    n_projects = max(n // 100, 1)
    Project.objects.bulk_create(
        Project(
            division=d,
            code=f"B-{i:05d}",
            name=f"基准项目{i}",
            responsible_unit=unit,
            total_investment=Decimal("10000000"),
        )
        for i in range(n_projects)
    )
    n_ent = 500
    Enterprise.objects.bulk_create(
        Enterprise(name=f"基准企业{i}", credit_code=make(f"91410603MA{i:07d}"), division=d)
        for i in range(n_ent)
    )
    codes = [make(f"91410603MA{i:07d}") for i in range(n_ent)]
    months = [(y, m) for y in range(2000, 2026) for m in range(1, 13)]

    def report_rows():
        for i in range(n):
            y, m = months[i // n_projects]
            yield [f"B-{i % n_projects:05d}", y, m, f"{(i % 97) + 1}.5", "主体施工"]

    def problem_rows():
        cats = ["用工", "融资", "用地", "审批手续", "政策兑现"]
        for i in range(n):
            yield [
                f"WT-{i:06d}",
                codes[i % n_ent],
                cats[i % 5],
                f"问题{i}",
                "具体情况说明",
                "走访",
                f"2024.{i % 12 + 1}.{i % 28 + 1}",
            ]

    sheets = [
        (
            "月度投资",
            "reports",
            ["项目编号", "年度", "月份", "当月完成投资（万元）", "形象进度"],
            report_rows,
        ),
        (
            "问题台账",
            "problems",
            [
                "问题编号",
                "统一社会信用代码",
                "问题类别",
                "问题标题",
                "具体内容",
                "问题来源",
                "提出日期",
            ],
            problem_rows,
        ),
    ]
    db = "PostgreSQL" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "SQLite"
    print(f"数据库：{db}；每表 {n} 行")
    for label, kind, header, rows in sheets:
        t = time.perf_counter()
        data = make_xlsx(header, rows())
        gen = time.perf_counter() - t
        t = time.perf_counter()
        CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()
        bare = time.perf_counter() - t
        marks: dict[str, float] = {}
        start = time.perf_counter()
        analysis = engine.run(
            kind,
            scope,
            data,
            f"{kind}.xlsx",
            commit=True,
            on_validated=lambda a, m=marks: m.setdefault("validated", time.perf_counter()),
        )
        end = time.perf_counter()
        validate = marks["validated"] - start
        commit = end - marks["validated"]
        c = analysis.counts
        print(
            f"\n{label}（{len(data) / 1048576:.1f} MB，生成 {gen:.1f} s）：新增 {c['create']}、错误 {c['error']}"
        )
        print(f"  读取+校验 {validate:6.2f} s")
        print(f"  写入     {commit:6.2f} s")
        print(f"  合计     {validate + commit:6.2f} s（目标 20 s）")
        print(
            f"  calamine 单纯解析 {bare:6.2f} s；比值（导入 ÷ 解析）{(validate + commit) / bare:5.1f}"
        )
        print(f"  进程峰值内存 {peak_mb():.0f} MB（目标 600 MB）")
        del analysis, data
    if db == "PostgreSQL":
        _drop_postgres()


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
