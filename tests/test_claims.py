"""Two worker processes (two machines, as far as the database can tell) claiming the same
queue at the same moment never take the same row, and between them take every row.

The queues: notification deliveries (taizhang.notify.queue.claim: FOR UPDATE SKIP LOCKED on
PostgreSQL, then a conditional UPDATE), import jobs (taizhang.imports.jobs.claim: a
conditional UPDATE pending → running) and reminders (`taizhang remind`'s two _claim: a
unique row). Real processes, tests/claimers.py, on PostgreSQL against the test database and
on SQLite against a file database of their own (an in-memory test database is invisible to
another process).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection

from tests import claimers

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = Path(claimers.__file__)

pytestmark = pytest.mark.django_db(transaction=True)


def _run(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def _base_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(DJANGO_SETTINGS_MODULE="taizhang.settings_test", PYTHONPATH=str(ROOT))
    return env


@pytest.fixture(scope="module")
def migrated_file(tmp_path_factory) -> Path | None:
    """On SQLite, one migrated file database for the module (migrating takes most of a
    minute on a busy machine); each test works on its own copy."""
    if connection.vendor != "sqlite":
        return None
    data = tmp_path_factory.mktemp("claims-template")
    _run({**_base_env(), "TAIZHANG_DATA_DIR": str(data)}, "-m", "taizhang", "migrate", "-v0")
    return data / "taizhang.sqlite3"


@pytest.fixture
def queue_env(tmp_path, migrated_file) -> dict[str, str]:
    """The environment of processes that see one seeded database."""
    env = _base_env()
    if connection.vendor == "postgresql":
        s = connection.settings_dict
        auth = quote(s["USER"]) + (f":{quote(s['PASSWORD'])}" if s.get("PASSWORD") else "")
        env["DATABASE_URL"] = f"postgres://{auth}@{s['HOST']}:{s['PORT']}/{s['NAME']}"
        claimers.seed()  # committed: the test is transactional
    else:
        env["TAIZHANG_DATA_DIR"] = str(tmp_path)
        shutil.copyfile(migrated_file, tmp_path / "taizhang.sqlite3")
        _run(env, str(SCRIPT), "seed")
    return env


def _race(env: dict[str, str], queue: str) -> tuple[list[str], list[str]]:
    procs = [
        subprocess.Popen(
            [sys.executable, str(SCRIPT), "race", queue, f"worker{k}"],
            env=env,
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for k in (1, 2)
    ]
    try:
        # A barrier across processes: both have loaded Django and connected, then both go.
        for p in procs:
            assert p.stdout.readline().strip() == "ready", p.stderr.read()[-3000:]
        for p in procs:
            p.stdin.write("go\n")
            p.stdin.flush()
        outs = [p.communicate(timeout=600) for p in procs]
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
    for p, (_, err) in zip(procs, outs, strict=True):
        assert p.returncode == 0, err[-3000:]
    first, second = (json.loads(out.strip().splitlines()[-1]) for out, _ in outs)
    return first, second


@pytest.mark.parametrize(
    ("queue", "rows"),
    [
        ("notify", claimers.DELIVERIES),
        ("imports", claimers.JOBS),
        ("remind", 2 * claimers.MATTERS),
    ],
)
def test_two_worker_processes_never_take_the_same_row(queue_env, queue, rows):
    first, second = _race(queue_env, queue)
    assert not set(first) & set(second), "同一行被两个进程同时领取"
    assert len(first) == len(set(first)) and len(second) == len(set(second))
    assert len(first) + len(second) == rows  # and nothing was left behind
    print(f"{queue}: {len(first)} + {len(second)}")  # how the two shared it, with -s
