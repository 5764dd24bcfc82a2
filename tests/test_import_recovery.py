"""Defect 2 of issue 12: an import job whose runner died is re-queued, never stuck.

A runner carries a heartbeat; a claim that stops beating is put back in the queue
("中断，已重新排队") and retried (the commit is one transaction, so a retry is safe).
The user can cancel a queued or stale job. The PostgreSQL tests run real worker
processes: two workers never take the same job, and a worker killed with SIGKILL in
the middle of a commit leaves no row behind and its job is finished by another.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from unittest import mock
from urllib.parse import quote

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.utils import timezone

from taizhang.imports import engine, jobs
from taizhang.imports.models import ImportJob
from taizhang.projects.models import MonthlyReport, Project
from tests.bulk_sheets import env_rows, report_sheet
from tests.import_sheets import xlsx

S = ImportJob.Status
ROOT = Path(__file__).resolve().parent.parent


def sheet(code: str) -> bytes:
    return xlsx(
        [["项目编号", "项目名称", "责任单位", "总投资"], [code, f"项目{code}", "区发改委", "100"]]
    )


@pytest.fixture(autouse=True)
def no_thread(settings):
    settings.TAIZHANG = {**settings.TAIZHANG, "IMPORT_INLINE_THREAD": False}


def orphan(world, code: str = "RC-1", status: str = S.COMMITTING, age: int = 600) -> ImportJob:
    """A job as a killed worker leaves it: claimed, its heartbeat `age` seconds old."""
    job = jobs.create(world.users["sup_a"], "projects", "p.xlsx", sheet(code))
    beat = timezone.now() - dt.timedelta(seconds=age)
    ImportJob.objects.filter(pk=job.pk).update(
        status=status, claimed_by="host:4242:dead", heartbeat_at=beat, attempts=1
    )
    job.refresh_from_db()
    return job


def login(world, name: str = "sup_a") -> Client:
    c = Client()
    c.force_login(world.users[name])
    return c


def test_it_requeues_a_commit_whose_worker_stopped_beating(world):
    job = orphan(world)
    assert jobs.recover_stale() == [job.pk]
    job.refresh_from_db()
    assert job.status == S.COMMIT_PENDING and job.claimed_by == ""
    assert job.message == "中断，已重新排队"
    page = login(world).get(f"/imports/{job.pk}/").content.decode()
    assert "中断，已重新排队" in page
    assert jobs.run_pending() == 1
    job.refresh_from_db()
    assert job.status == S.DONE and job.attempts == 2, job.message
    assert Project.objects.filter(code="RC-1").count() == 1


def test_it_requeues_a_validation_whose_worker_died(world):
    job = orphan(world, status=S.RUNNING)
    assert jobs.run_pending() == 1  # the worker's round recovers it first, then runs it
    job.refresh_from_db()
    assert job.status == S.PREVIEW and job.counts["create"] == 1


def test_it_leaves_a_claim_that_is_still_beating(world):
    job = orphan(world, age=5)
    assert jobs.recover_stale() == []
    assert jobs.run_pending() == 0
    job.refresh_from_db()
    assert job.status == S.COMMITTING and job.claimed_by == "host:4242:dead"


def test_it_recovers_a_stale_job_when_its_page_is_opened(world, settings):
    job = orphan(world)
    r = login(world).get(f"/imports/{job.pk}/status.json")
    assert r.json()["status"] == S.COMMIT_PENDING and r.json()["message"] == "中断，已重新排队"
    job = orphan(world, code="RC-2")
    r = login(world).get(f"/api/v1/imports/{job.pk}")  # the API accepts the session too
    assert r.status_code == 200 and r.json()["status"] == S.COMMIT_PENDING


def test_it_starts_again_a_job_whose_thread_never_claimed_it(world):
    job = jobs.create(world.users["sup_a"], "projects", "p.xlsx", sheet("RC-3"))
    kicked = []
    with mock.patch.object(jobs, "kick", kicked.append):
        login(world).get(f"/imports/{job.pk}/status.json")
        assert kicked == []  # just queued: its runner may still be on its way
        old = timezone.now() - dt.timedelta(seconds=600)
        ImportJob.objects.filter(pk=job.pk).update(updated_at=old)
        login(world).get(f"/imports/{job.pk}/status.json")
        login(world).get(f"/api/v1/imports/{job.pk}")
    assert [k.pk for k in kicked] == [job.pk, job.pk]


def test_it_waits_for_a_busy_database_before_claiming(world):
    from django.db import OperationalError

    job = jobs.create(world.users["sup_a"], "projects", "p.xlsx", sheet("RC-4"))
    real = jobs.claim
    calls = []

    def busy_once(*a, **kw):
        calls.append(a)
        if len(calls) == 1:
            raise OperationalError("database table is locked")
        return real(*a, **kw)

    with mock.patch.object(jobs, "claim", busy_once), mock.patch.object(jobs.time, "sleep"):
        assert jobs.process(job.pk) is not None
    job.refresh_from_db()
    assert job.status == S.PREVIEW and len(calls) == 2


def test_it_gives_up_after_the_configured_number_of_interruptions(world, settings):
    settings.TAIZHANG = {**settings.TAIZHANG, "IMPORT_MAX_ATTEMPTS": 1}
    job = orphan(world)
    assert jobs.recover_stale() == [job.pk]
    job.refresh_from_db()
    assert job.status == S.FAILED and "多次中断" in job.message
    assert not Project.objects.filter(code="RC-1").exists()


def test_it_lets_the_user_cancel_a_queued_or_stale_job_but_not_a_live_one(world):
    c = login(world)
    live = orphan(world, code="RC-L", age=1)
    r = c.post(f"/imports/{live.pk}/cancel/", follow=True)
    assert "不能取消" in r.content.decode()
    live.refresh_from_db()
    assert live.status == S.COMMITTING
    stale = orphan(world, code="RC-S")
    assert "取消此导入任务" in c.get(f"/imports/{stale.pk}/").content.decode()
    c.post(f"/imports/{stale.pk}/cancel/")
    stale.refresh_from_db()
    assert stale.status == S.CANCELLED
    queued = jobs.create(world.users["sup_a"], "projects", "p.xlsx", sheet("RC-Q"))
    assert "取消此导入任务" in c.get(f"/imports/{queued.pk}/").content.decode()
    c.post(f"/imports/{queued.pk}/cancel/")
    assert jobs.run_pending() == 0  # a cancelled job is never picked up
    queued.refresh_from_db()
    assert queued.status == S.CANCELLED
    assert not Project.objects.filter(code__startswith="RC-").exists()
    assert login(world, "sup_b").post(f"/imports/{live.pk}/cancel/").status_code == 404


def test_it_rolls_back_a_commit_whose_claim_was_taken_away(world):
    """A runner that was only slow (its claim went stale and was re-queued) must not
    write: the job's outcome is written in the same transaction, conditional on the claim."""
    job = jobs.create(world.users["sup_a"], "projects", "p.xlsx", sheet("RC-X"))
    ImportJob.objects.filter(pk=job.pk).update(status=S.COMMIT_PENDING)
    real_write = engine.write

    def write_then_lose_claim(*args, **kw):
        counts = real_write(*args, **kw)
        ImportJob.objects.filter(pk=job.pk).update(claimed_by="someone-else")
        return counts

    with mock.patch.object(engine, "write", write_then_lose_claim):
        assert jobs.process(job.pk) is None
    assert not Project.objects.filter(code="RC-X").exists()
    job.refresh_from_db()
    # The whole transaction rolled back: no "done", no rows; the new owner will redo it.
    assert job.status == S.COMMITTING and not job.counts


def test_it_sets_gunicorns_timeout_explicitly(settings):
    settings.TAIZHANG = {**settings.TAIZHANG, "GUNICORN_TIMEOUT": 75}
    seen = {}
    with mock.patch("gunicorn.app.wsgiapp.run", lambda: seen.setdefault("argv", list(sys.argv))):
        saved = list(sys.argv)
        try:
            call_command("serve")
            default_argv = seen.pop("argv")
            call_command("serve", "--timeout", "120")
            explicit_argv = seen.pop("argv")
        finally:
            sys.argv = saved
    assert default_argv[default_argv.index("--timeout") + 1] == "75"
    assert explicit_argv[explicit_argv.index("--timeout") + 1] == "120"


# ---------------------------------------------------------------- real processes (PostgreSQL)


def _worker_env(**extra: str) -> dict[str, str]:
    s = connection.settings_dict
    auth = f"{quote(s['USER'])}:{quote(s['PASSWORD'])}" if s.get("PASSWORD") else quote(s["USER"])
    url = f"postgres://{auth}@{s['HOST']}:{s['PORT']}/{s['NAME']}"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "taizhang.settings_test",
        "DATABASE_URL": url,
        "TAIZHANG_IMPORT_INLINE_THREAD": "0",
        "PYTHONPATH": str(ROOT),
    }
    env.update(extra)
    return env


def _worker(*args: str, **env: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "taizhang", "importworker", *args],
        cwd=ROOT,
        env=_worker_env(**env),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


postgres_only = pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="真实进程并发与 kill -9 测试需要 PostgreSQL（设置 DATABASE_URL）",
)


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_it_never_gives_one_job_to_two_worker_processes(world):
    ids = []
    for i in range(16):
        job = jobs.create(world.users["sup_a"], "projects", "p.xlsx", sheet(f"TW-{i:02d}"))
        ids.append(job.pk)
    ImportJob.objects.filter(pk__in=ids).update(status=S.COMMIT_PENDING)
    workers = [_worker("--once"), _worker("--once")]
    outs = [w.communicate(timeout=180) for w in workers]
    assert all(w.returncode == 0 for w in workers), outs
    done = ImportJob.objects.filter(pk__in=ids)
    assert sorted(done.values_list("status", flat=True)) == [S.DONE] * 16
    # Each job was claimed exactly once: a second claim would have counted a second attempt.
    assert set(done.values_list("attempts", flat=True)) == {1}
    assert Project.objects.filter(code__startswith="TW-").count() == 16
    ran = [int(o.split("处理了 ")[1].split(" ")[0]) if "处理了" in o else 0 for o, _ in outs]
    assert sum(ran) == 16, outs


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_it_recovers_from_a_worker_killed_mid_commit(world, settings):
    rows = env_rows("TAIZHANG_TEST_KILL_ROWS", 20_000)
    data = report_sheet(world.a, world.unit_a, rows)
    job = jobs.create(world.users["sup_a"], "reports", "big.csv", data)
    ImportJob.objects.filter(pk=job.pk).update(status=S.COMMIT_PENDING)
    worker = _worker("--interval", "0.2", TAIZHANG_IMPORT_HEARTBEAT_SECONDS="1")
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            job.refresh_from_db()
            # The first half of a commit's progress re-validates; past it, rows are written.
            if job.status == S.COMMITTING and job.total and job.progress > job.total // 2:
                break
            assert job.status in (S.COMMIT_PENDING, S.COMMITTING), job.message
            time.sleep(0.05)
        else:
            pytest.fail("the worker never reached the write phase")
        os.kill(worker.pid, signal.SIGKILL)
    finally:
        worker.kill()
        worker.communicate(timeout=30)
    job.refresh_from_db()
    assert job.status == S.COMMITTING, "the commit finished before the kill: raise the row count"
    assert MonthlyReport.objects.filter(project__code__startswith="KL-").count() == 0
    settings.TAIZHANG = {**settings.TAIZHANG, "IMPORT_STALE_SECONDS": 2}
    time.sleep(3.5)
    assert jobs.recover_stale() == [job.pk]
    job.refresh_from_db()
    assert job.status == S.COMMIT_PENDING and job.message == "中断，已重新排队"
    second = _worker("--once")
    out, err = second.communicate(timeout=300)
    assert second.returncode == 0, err
    job.refresh_from_db()
    assert job.status == S.DONE and job.attempts == 2, job.message
    assert MonthlyReport.objects.filter(project__code__startswith="KL-").count() == rows
