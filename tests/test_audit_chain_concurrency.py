"""Concurrent writers keep the audit chain valid: threads on PostgreSQL (the head row is locked
FOR UPDATE), separate processes on a SQLite file (BEGIN IMMEDIATE serialises writers)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone

from taizhang.core import audit_events, chain
from taizhang.core.bulk import insert_rows
from taizhang.core.models import AuditEntry

WORKTREE = Path(__file__).resolve().parent.parent


def _single(n: int, tag: str) -> None:
    try:
        for i in range(n):
            audit_events.record_event(None, verb=f"{tag}-{i}", object_type="test.note")
    finally:
        connections.close_all()


def _bulk(n: int, tag: str) -> None:
    """A long transaction: business rows would go here, then the batch of entries."""
    try:
        with transaction.atomic():
            audit_events.record_event(None, verb=f"{tag}-head", object_type="test.note")
            rows = [
                {
                    "at": timezone.now(),
                    "actor_name": "系统",
                    "source": "import",
                    "action": "action",
                    "verb": f"{tag}-{i}",
                    "object_type": "test.note",
                    "object_id": str(i),
                    "object_repr": "",
                    "changes": {"n": [None, i]},
                }
                for i in range(n)
            ]
            insert_rows(AuditEntry, rows)
    finally:
        connections.close_all()


@pytest.mark.django_db(transaction=True)
def test_it_keeps_the_chain_valid_under_concurrent_writers_on_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("线程并发写入需要 PostgreSQL（设置 DATABASE_URL）；SQLite 见下一个测试")
    errors: list[BaseException] = []
    barrier = threading.Barrier(6)

    def run(fn, *args):
        try:
            barrier.wait()
            fn(*args)
        except BaseException as e:  # noqa: BLE001 - collected for the assertion
            errors.append(e)

    threads = [threading.Thread(target=run, args=(_single, 15, f"t{k}")) for k in range(4)]
    threads += [threading.Thread(target=run, args=(_bulk, 40, f"b{k}")) for k in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors, errors
    assert AuditEntry.objects.filter(object_type="test.note").count() == 4 * 15 + 2 * 41
    verdict = chain.verify()
    assert verdict.ok, verdict.message()


_WRITER = """
import sys
from django.db import transaction
from taizhang.core import audit_events
from taizhang.core.bulk import insert_rows
from taizhang.core.models import AuditEntry
from django.utils import timezone
tag = sys.argv[-1]
for i in range(20):
    audit_events.record_event(None, verb=f"{tag}-{i}", object_type="test.note")
with transaction.atomic():
    insert_rows(AuditEntry, [dict(at=timezone.now(), actor_name="x", source="import",
        action="action", verb=f"{tag}-bulk{i}", object_type="test.note", object_id=str(i),
        object_repr="", changes={}) for i in range(30)])
"""


def test_it_keeps_the_chain_valid_under_concurrent_processes_on_sqlite(tmp_path):
    env = {
        k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(
        TAIZHANG_DATA_DIR=str(tmp_path),
        TAIZHANG_TESTING="1",
        DJANGO_SETTINGS_MODULE="taizhang.settings",
        PYTHONPATH=str(WORKTREE),
    )
    cmd = [sys.executable, "-m", "taizhang"]
    subprocess.run([*cmd, "migrate", "-v0"], env=env, check=True, cwd=WORKTREE, timeout=300)
    script = tmp_path / "writer.py"
    script.write_text(_WRITER)
    procs = [
        subprocess.Popen(
            [
                *cmd,
                "shell",
                "-c",
                f"import sys; sys.argv.append('p{k}'); exec(open({str(script)!r}).read())",
            ],
            env=env,
            cwd=WORKTREE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for k in range(4)
    ]
    for p in procs:
        out, err = p.communicate(timeout=300)
        assert p.returncode == 0, err.decode()[-2000:]
    r = subprocess.run(
        [*cmd, "audit", "verify"],
        env=env,
        cwd=WORKTREE,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 0, r.stdout + r.stderr
    assert "审计链完整" in r.stdout
    # Every process's entries are there: 4 x (20 single + 30 bulk), after migrate's own (none).
    count = subprocess.run(
        [
            *cmd,
            "shell",
            "-c",
            "from taizhang.core.models import AuditEntry;"
            "print(AuditEntry.objects.filter(object_type='test.note').count())",
        ],
        env=env,
        cwd=WORKTREE,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert count.stdout.strip().splitlines()[-1] == "200", count.stdout + count.stderr
