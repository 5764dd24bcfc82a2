"""Load script for tests/test_sqlite_readers.py, run as its own process on a file database.

8 reader threads load pages while a separate `taizhang importworker` process commits a
large import (one SQLite write transaction). Prints one JSON line: the slowest page,
the errors, and how many pages were served while the commit held the write lock.

    python tests/sqlite_readers.py ROWS     (with TAIZHANG_DATA_DIR set to an empty directory)
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "taizhang.settings_test")
os.environ["TAIZHANG_IMPORT_INLINE_THREAD"] = "0"

PAGES = ["/", "/projects/", "/problems/", "/enterprises/"]
READERS = 8
# A reader pauses between pages as a person does; without it 8 threads in one process
# measure the interpreter's lock (CPU), not the database's.
THINK_SECONDS = 0.5


def main(rows: int) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    call_command("migrate", verbosity=0)
    from taizhang.imports import jobs
    from taizhang.imports.models import ImportJob
    from tests.bulk_sheets import report_sheet
    from tests.conftest import build_world

    w = build_world()
    job = jobs.create(w.users["sup_a"], "reports", "big.csv", report_sheet(w.a, w.unit_a, rows))
    clients = []
    for name in ["sup_a", "leader_a", "unit_a", "admin"] * 2:
        c = Client()
        c.force_login(w.users[name])
        clients.append(c)
    for c in clients:  # warm up: templates compiled, the login's session refresh done
        for page in PAGES:
            c.get(page)
    ImportJob.objects.filter(pk=job.pk).update(status="commit_pending")
    connection.close()

    worker = subprocess.Popen(
        [sys.executable, "-m", "taizhang", "importworker", "--once"],
        cwd=ROOT,
        env=dict(os.environ),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    started = time.monotonic()
    results: list[tuple[float, int, float, str]] = []  # (started at, status, seconds, page)
    errors: list[str] = []
    lock = threading.Lock()

    def read(c: Client, k: int) -> None:
        i = k
        while worker.poll() is None:
            page = PAGES[i % len(PAGES)]
            i += 1
            t = time.monotonic()
            try:
                status = c.get(page).status_code
            except Exception as e:  # noqa: BLE001 - reported, not raised: the thread must go on
                with lock:
                    errors.append(f"{page}: {type(e).__name__}: {e}")
                continue
            with lock:
                results.append((t - started, status, time.monotonic() - t, page))
                if status != 200:
                    errors.append(f"{page}: HTTP {status}")
            time.sleep(THINK_SECONDS)
        from django.db import connection as conn

        conn.close()

    threads = [threading.Thread(target=read, args=(c, k)) for k, c in enumerate(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    out, err = worker.communicate()
    job.refresh_from_db()
    print(
        json.dumps(
            {
                "rows": rows,
                "job": job.status,
                "message": job.message,
                "worker_rc": worker.returncode,
                "worker_err": err[-2000:],
                "import_seconds": round(time.monotonic() - started, 2),
                "pages": len(results),
                "slowest": round(max((r[2] for r in results), default=0), 3),
                "slow_pages": sorted(
                    ((round(r[2], 2), r[3], round(r[0], 1)) for r in results), reverse=True
                )[:5],
                "errors": errors[:20],
                "error_count": len(errors),
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main(int(sys.argv[1]))
