"""Real concurrent writes.

Two threads submit the same step at once: the row lock plus the version check
let exactly one through; the other gets a conflict, and nothing is written twice.
Fifty editors change one project at once with zero lost updates, on PostgreSQL (threads
in this process) and on SQLite (tests/editors.py in its own process on a file database).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from taizhang.core.errors import ConflictError
from taizhang.matters import services as ms
from taizhang.matters.models import Matter, MatterStep
from taizhang.projects import services as ps
from taizhang.projects.models import MonthlyReport
from tests.editors import race_editors

pytestmark = pytest.mark.django_db(transaction=True)


def race(*calls):
    """Run the calls at the same moment in threads; return (results, errors)."""
    barrier = threading.Barrier(len(calls))
    results, errors = [], []

    def run(fn):
        try:
            barrier.wait()
            results.append(fn())
        except Exception as e:  # noqa: BLE001 - collected for the assertions
            errors.append(e)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(fn,)) for fn in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return results, errors


@pytest.fixture
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("并发写入测试需要 PostgreSQL（设置 DATABASE_URL）")


EDITORS = 50


def assert_no_lost_update(result: dict) -> None:
    assert result["errors"] == [], result["errors"]
    assert result["saves"] == EDITORS
    assert result["missing_marks"] == []  # every editor's change is in the final text
    assert result["version_rise"] == EDITORS  # one version per save, none skipped or doubled
    assert result["audit_updates"] == EDITORS


@pytest.mark.usefixtures("_postgres_only")
def test_it_loses_no_update_among_fifty_editors_on_postgresql(world):
    assert_no_lost_update(race_editors(world.pa.pk, world.users["sup_a"].pk, EDITORS))


def test_it_loses_no_update_among_fifty_editors_on_sqlite(tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite 版本在自己的进程里用文件数据库运行")
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(TAIZHANG_DATA_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="taizhang.settings_test")
    script = Path(__file__).with_name("editors.py")
    proc = subprocess.run(
        [sys.executable, str(script), str(EDITORS)],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert_no_lost_update(json.loads(proc.stdout.strip().splitlines()[-1]))


@pytest.mark.usefixtures("_postgres_only")
def test_it_lets_exactly_one_of_two_simultaneous_steps_win(eworld):
    w = eworld.w
    m = ms.do_create_problem(
        w.scope("sup_a"),
        {
            "enterprise": w.enterprise_a,
            "title": "并发测试",
            "category": eworld.problem_a.category,
            "source": eworld.problem_a.source,
            "description": "x",
        },
    )
    m = Matter.objects.get(pk=m.pk)
    steps_before = MatterStep.objects.filter(matter=m).count()
    results, errors = race(
        lambda: ms.do_accept(w.scope("sup_a"), m, expected_version=m.version),
        lambda: ms.do_accept(w.scope("admin"), m, expected_version=m.version),
    )
    assert len(results) == 1, errors
    # The loser sees either the stale version or, if it read after the winner, a step
    # that is no longer allowed: both are refusals with a Chinese message.
    assert len(errors) == 1 and isinstance(errors[0], ConflictError | ValidationError), errors
    assert MatterStep.objects.filter(matter=m).count() == steps_before + 1
    m.refresh_from_db()
    assert m.status == "accepted"


@pytest.mark.usefixtures("_postgres_only")
def test_it_keeps_one_row_when_the_same_month_is_reported_twice_at_once(world):
    import datetime as dt

    today = dt.date(2022, 9, 15)
    results, errors = race(
        lambda: ps.do_submit_monthly_report(
            world.scope("unit_a"), world.pa, year=2022, month=8, amount="100", today=today
        ),
        lambda: ps.do_submit_monthly_report(
            world.scope("sup_a"), world.pa, year=2022, month=8, amount="200", today=today
        ),
    )
    assert not errors, errors
    rows = MonthlyReport.objects.filter(project=world.pa, year=2022, month=8)
    assert rows.count() == 1 and rows.get().corrections == 1
    assert sorted(corrected for _, corrected in results) == [False, True]
