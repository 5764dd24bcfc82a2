"""Issue 12: on SQLite, 8 readers stay below 2 s and never error while a big import commits.

The import runs in a separate worker process, holding SQLite's write lock for the whole
commit; the readers must not need that lock (defect 3: every page view used to write
the session and waited for it, then failed with "database is locked").

Rows: TAIZHANG_TEST_LOAD_ROWS, default 10,000 so the test stays under a minute on a
shared CI machine; the issue's figure is 100,000 (set TAIZHANG_TEST_LOAD_ROWS=100000).
The bound is 2 s (TAIZHANG_TEST_READER_SECONDS): measured with the old per-request
session write, the slowest page took 18.9 s; without it, under 2.2 s even with the
machine's load average at 10 on 2 cores (CPU, not the database, is then the limit).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from tests.bulk_sheets import env_rows

SCRIPT = Path(__file__).with_name("sqlite_readers.py")


@pytest.mark.django_db
def test_it_keeps_eight_readers_fast_while_an_import_commits(tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite 单写锁下的读者测试")
    rows = env_rows("TAIZHANG_TEST_LOAD_ROWS", 10_000)
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(TAIZHANG_DATA_DIR=str(tmp_path), DJANGO_SETTINGS_MODULE="taizhang.settings_test")
    proc = subprocess.run(
        [sys.executable, str(SCRIPT), str(rows)],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result["job"] == "done", result
    assert result["error_count"] == 0, result
    assert result["pages"] >= 8, result  # the readers really ran during the commit
    assert result["slowest"] < float(os.environ.get("TAIZHANG_TEST_READER_SECONDS", 2.0)), result
