"""Two worker processes claiming the same queues at once (tests/test_claims.py).

Run as a script in its own process, against the database its environment names:

    python tests/claimers.py seed                 # the queues (a file database on SQLite)
    python tests/claimers.py race QUEUE NAME      # claim until the queue is empty

`race` prints "ready" once loaded, waits for a line on its stdin, claims, then prints one
JSON line: every key this process claimed. The test releases both with the same line
once both are ready, so they hit the queue together.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DELIVERIES = 60
JOBS = 40
MATTERS = 30
# Small batches so the two processes take turns many times instead of one taking all.
BATCH = 4
TODAY = dt.date(2026, 12, 3)
DEADLINE = dt.date(2026, 12, 1)


def seed() -> dict[str, int]:
    """The same rows for every queue; callable in the test process (PostgreSQL) too."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from taizhang.core.models import Division
    from taizhang.imports.models import ImportJob
    from taizhang.matters.models import Kind, Matter
    from taizhang.notify.models import ChannelConfig, Delivery

    division = Division.objects.create(code="419900", name="并发测试区", level="district")
    user = get_user_model().objects.create_user("claimer", password="pw-claimer-0")
    # Never sent: the processes only claim, so the sealed address is not read.
    cfg = ChannelConfig.objects.create(
        division=division, kind="wecom", name="并发测试群", url_sealed="-"
    )
    due = timezone.now() - dt.timedelta(minutes=1)
    Delivery.objects.bulk_create(
        Delivery(division=division, channel=cfg, title=f"通知{i}", next_attempt_at=due)
        for i in range(DELIVERIES)
    )
    ImportJob.objects.bulk_create(
        ImportJob(kind="projects", user=user, filename=f"{i}.xlsx", data=b"") for i in range(JOBS)
    )
    Matter.objects.bulk_create(
        Matter(kind=Kind.SUPERVISION_TASK, division=division, title=f"任务{i}", raised_on=TODAY)
        for i in range(MATTERS)
    )
    return {"deliveries": DELIVERIES, "jobs": JOBS, "matters": MATTERS}


def _notify(name: str) -> list[str]:
    from django.utils import timezone

    from taizhang.notify.queue import claim

    got: list[str] = []
    while rows := claim(name, timezone.now(), BATCH):
        got += [str(d.pk) for d in rows]
    return got


def _imports(name: str) -> list[str]:
    from taizhang.imports import jobs
    from taizhang.imports.models import ImportJob

    S = ImportJob.Status
    ids = list(ImportJob.objects.order_by("pk").values_list("pk", flat=True))
    # The other process walks the queue the other way round, so they meet in the middle.
    if name.endswith("2"):
        ids.reverse()
    owner = f"{name}:{uuid.uuid4().hex[:8]}"
    return [str(pk) for pk in ids if jobs.claim(pk, S.PENDING, S.RUNNING, owner)]


def _remind(name: str) -> list[str]:
    from taizhang.matters.models import Matter, NoticeLevel, NotificationKind
    from taizhang.tasks import notices
    from taizhang.tasks.management.commands import remind

    got: list[str] = []
    matters = list(Matter.objects.order_by("pk"))
    if name.endswith("2"):
        matters.reverse()
    for m in matters:
        # Both claims of `taizhang remind`: the light reminders and the 督办单 levels.
        if remind._claim(m, NotificationKind.RED, DEADLINE, TODAY) is not None:
            got.append(f"{m.pk}:red")
        r = notices._claim(m, NotificationKind.DB_BLUE, DEADLINE, TODAY, NoticeLevel.BLUE)
        if r is not None:
            got.append(f"{m.pk}:db_blue")
    return got


QUEUES = {"notify": _notify, "imports": _imports, "remind": _remind}


def main(argv: list[str]) -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "taizhang.settings_test")
    import django

    django.setup()
    if argv[0] == "seed":
        print(json.dumps(seed()))
        return
    _, queue, name = argv
    # Everything the claim needs is imported and connected before the start line, so both
    # processes begin claiming within a millisecond or two of each other.
    from django.db import connection

    import taizhang.imports.jobs  # noqa: F401
    import taizhang.notify.queue  # noqa: F401
    import taizhang.tasks.management.commands.remind  # noqa: F401
    import taizhang.tasks.notices  # noqa: F401

    connection.ensure_connection()
    print("ready", flush=True)
    sys.stdin.readline()
    print(json.dumps(QUEUES[queue](name)))


if __name__ == "__main__":
    main(sys.argv[1:])
