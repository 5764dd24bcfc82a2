"""A big monthly-investment sheet for the crash and load tests (the benchmark's shape)."""

from __future__ import annotations

import os
from decimal import Decimal

from taizhang.core.models import Division, Unit
from taizhang.projects.models import Project
from tests.import_sheets import csv_bytes

REPORT_HEADER = ["项目编号", "年度", "月份", "当月完成投资（万元）", "形象进度"]


def env_rows(name: str, default: int) -> int:
    """Row counts are scaled down by default so the suite stays quick; set the variable
    (e.g. TAIZHANG_TEST_LOAD_ROWS=100000, the figure of issue 12) for the full run."""
    return int(os.environ.get(name, default))


def report_sheet(division: Division, unit: Unit, rows: int, prefix: str = "KL") -> bytes:
    """`rows` monthly reports spread over rows/100 new projects, as a UTF-8 CSV."""
    n_projects = max(rows // 100, 1)
    Project.objects.bulk_create(
        Project(
            division=division,
            code=f"{prefix}-{i:05d}",
            name=f"{prefix}测试项目{i}",
            responsible_unit=unit,
            total_investment=Decimal("10000000"),
        )
        for i in range(n_projects)
    )
    months = [(y, m) for y in range(2000, 2026) for m in range(1, 13)]
    body = [
        [f"{prefix}-{i % n_projects:05d}", *months[i // n_projects], f"{(i % 97) + 1}.5", "施工"]
        for i in range(rows)
    ]
    return csv_bytes([REPORT_HEADER, *body], "utf-8")
