"""50 editors on one project at once, each with the version check (issue 12, reliability).

Each editor reads the project, appends its own mark to the description and saves with
the version it read; on a conflict it reads again and retries, as a person does after
the "已被他人修改" message. Zero lost updates means every mark is in the final text,
the version rose by exactly one per save, and there is one audit entry per save.

Used by tests/test_concurrency.py: in the test process on PostgreSQL, and on SQLite as
a script in its own process on a file database (pytest's in-memory SQLite cannot
take concurrent writers):

    TAIZHANG_DATA_DIR=/tmp/x python tests/editors.py 50
"""

from __future__ import annotations

import json
import os
import random
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def race_editors(project_pk: int, user_pk: int, editors: int = 50) -> dict[str, Any]:
    from django.contrib.auth import get_user_model
    from django.db import connection

    from taizhang.core.errors import ConflictError
    from taizhang.core.models import AuditEntry
    from taizhang.core.scope import Scope
    from taizhang.projects import services
    from taizhang.projects.models import Project

    start = Project.objects.get(pk=project_pk)
    barrier = threading.Barrier(editors)
    saves: list[int] = []  # attempts each editor needed
    errors: list[str] = []
    lock = threading.Lock()

    def edit(i: int) -> None:
        try:
            scope = Scope(get_user_model().objects.get(pk=user_pk))
            mark = f"[E{i:02d}]"
            barrier.wait()
            for attempt in range(1, 1000):
                p = Project.objects.get(pk=project_pk)
                try:
                    services.do_update_project(
                        scope,
                        p,
                        {"description": p.description + mark},
                        expected_version=p.version,
                    )
                except ConflictError:
                    time.sleep(random.uniform(0, 0.02))
                    continue
                with lock:
                    saves.append(attempt)
                return
            with lock:
                errors.append(f"editor {i} gave up")
        except Exception as e:  # noqa: BLE001 - reported to the test, which fails on any
            with lock:
                errors.append(f"editor {i}: {type(e).__name__}: {e}")
        finally:
            connection.close()

    threads = [threading.Thread(target=edit, args=(i,)) for i in range(editors)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(300)
    end = Project.objects.get(pk=project_pk)
    marks = [f"[E{i:02d}]" for i in range(editors)]
    return {
        "saves": len(saves),
        "retries": sum(saves) - len(saves),
        "errors": errors,
        "missing_marks": [m for m in marks if end.description.count(m) != 1],
        "version_rise": end.version - start.version,
        "audit_updates": AuditEntry.objects.filter(
            object_type="projects.project", object_id=str(project_pk), action="update"
        ).count(),
    }


def main(editors: int) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "taizhang.settings_test")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from tests.conftest import build_world

    w = build_world()
    print(json.dumps(race_editors(w.pa.pk, w.users["sup_a"].pk, editors), ensure_ascii=False))


if __name__ == "__main__":
    main(int(sys.argv[1]))
