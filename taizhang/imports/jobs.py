"""Import jobs: the work runs outside the request, in `taizhang importworker` or a web thread.

A runner claims a job with a conditional UPDATE (pending → running), so two
runners never process the same job; while it works a heartbeat thread refreshes
the claim, and a claim whose heartbeat is stale is put back in the queue
(`recover_stale`, run by every worker round and by the job page).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
import time
import uuid
from typing import Any

from django.db import (
    DatabaseError,
    OperationalError,
    close_old_connections,
    connection,
    transaction,
)
from django.db.models import F, Q
from django.utils import timezone

from taizhang.core.scope import Scope
from taizhang.imports import engine
from taizhang.imports.conf import limit
from taizhang.imports.engine import CommitError
from taizhang.imports.models import ImportJob
from taizhang.imports.reading import ReadError
from taizhang.imports.workbooks import error_report

log = logging.getLogger(__name__)
S = ImportJob.Status


def create(
    user: Any, kind: str, filename: str, data: bytes, options: dict | None = None
) -> ImportJob:
    engine.importer_for(kind)  # refuse an unknown kind before storing anything
    return ImportJob.objects.create(
        kind=kind, user=user, filename=filename[:200], data=data, options=options or {}
    )


class LostClaim(Exception):
    """The job was taken from this runner (its heartbeat went stale, or the user cancelled)."""


def _owner() -> str:
    """A name unique to this claim: host and pid for the log, a random part so a restarted
    process with a recycled pid never mistakes an old claim for its own."""
    return f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:12]}"


def claim(job_id: int, from_status: str, to_status: str, owner: str = "") -> bool:
    """The one runner whose UPDATE changed the row owns the job."""
    now = timezone.now()
    fields: dict[str, Any] = {"status": to_status, "updated_at": now}
    if owner:
        fields.update(claimed_by=owner, heartbeat_at=now, attempts=F("attempts") + 1)
    return ImportJob.objects.filter(pk=job_id, status=from_status).update(**fields) == 1


def stale_before() -> dt.datetime:
    return timezone.now() - dt.timedelta(seconds=limit("IMPORT_STALE_SECONDS"))


REQUEUE = {S.RUNNING: S.PENDING, S.COMMITTING: S.COMMIT_PENDING}
REQUEUED_MESSAGE = "中断，已重新排队"


def recover_stale(job_id: int | None = None) -> list[int]:
    """Put back in the queue every claimed job whose runner stopped beating.

    Safe to retry: a commit is one transaction, so a dead runner wrote nothing, and a
    runner that is only slow loses its claim and rolls back (see `_finish`). After
    IMPORT_MAX_ATTEMPTS interruptions the job fails instead of looping for ever.
    """
    cutoff = stale_before()
    stale = ImportJob.objects.filter(status__in=list(REQUEUE), heartbeat_at__lt=cutoff)
    if job_id is not None:
        stale = stale.filter(pk=job_id)
    recovered = []
    try:
        rows = list(stale.values_list("pk", "status", "claimed_by", "attempts"))
    except OperationalError:  # SQLite: a commit holds the write lock; try next round
        return []
    for pk, status, owner, attempts in rows:
        if attempts >= limit("IMPORT_MAX_ATTEMPTS"):
            fields: dict[str, Any] = {
                "status": S.FAILED,
                "message": f"处理多次中断（{attempts} 次），已停止重试，未写入任何数据；请重新上传",
                "finished_at": timezone.now(),
            }
        else:
            fields = {"status": REQUEUE[status], "message": REQUEUED_MESSAGE}
        try:
            # Conditional on the same claim and a still-old heartbeat: a runner that beat
            # or finished in between keeps its job.
            n = ImportJob.objects.filter(
                pk=pk, status=status, claimed_by=owner, heartbeat_at__lt=cutoff
            ).update(claimed_by="", updated_at=timezone.now(), **fields)
        except OperationalError:
            continue
        if n:
            log.warning("import job %s: runner %s stopped beating; %s", pk, owner, fields["status"])
            recovered.append(pk)
    return recovered


CANCELLABLE = [S.PENDING, S.COMMIT_PENDING, S.PREVIEW, S.FAILED]


def can_cancel(job: ImportJob) -> bool:
    if job.status in CANCELLABLE:
        return True
    return job.status in REQUEUE and (job.heartbeat_at is None or job.heartbeat_at < stale_before())


def cancel(job: ImportJob) -> bool:
    """Cancel a queued, previewed, failed or stale job; a job being worked on keeps going."""
    queued = Q(status__in=CANCELLABLE)
    stale = Q(status__in=list(REQUEUE)) & (
        Q(heartbeat_at__isnull=True) | Q(heartbeat_at__lt=stale_before())
    )
    now = timezone.now()
    return (
        ImportJob.objects.filter(queued | stale, pk=job.pk).update(
            status=S.CANCELLED,
            claimed_by="",
            message="已取消，未写入任何数据",
            updated_at=now,
            finished_at=now,
        )
        == 1
    )


class Heartbeat:
    """Refreshes the claim's heartbeat and progress from a thread with its own connection.

    The commit runs in one transaction: a progress UPDATE from inside it would stay
    invisible (and, on PostgreSQL, lock the job row) until the end. The thread writes
    in autocommit instead. On SQLite a commit holds the database's only write lock, so
    the beat waits; a stale-claim check cannot write either until the commit ends, and
    by then the job is done in the same transaction.
    """

    def __init__(self, job_id: int, owner: str) -> None:
        self.job_id, self.owner = job_id, owner
        self.done = self.total = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        # Inside a caller's transaction (a test, an outer atomic block) another connection
        # cannot see the job row: report progress on this connection, as before.
        self.inline = connection.in_atomic_block
        self._last = 0.0

    def progress(self, done: int, total: int) -> None:
        self.done, self.total = done, total
        if not self.inline:
            return
        now = time.monotonic()
        if now - self._last < 0.3 and done < total:
            return
        self._last = now
        ImportJob.objects.filter(pk=self.job_id).update(
            progress=done, total=total, updated_at=timezone.now()
        )

    def beat(self) -> None:
        now = timezone.now()
        fields: dict[str, Any] = {"heartbeat_at": now, "updated_at": now}
        if self.total:
            fields.update(progress=self.done, total=self.total)
        ImportJob.objects.filter(pk=self.job_id, claimed_by=self.owner).update(**fields)

    def _run(self) -> None:
        try:
            while not self._stop.wait(limit("IMPORT_HEARTBEAT_SECONDS")):
                try:
                    self.beat()
                except DatabaseError:  # SQLite busy during a commit: beat again later
                    log.debug("import job %s: heartbeat skipped", self.job_id)
        finally:
            connection.close()

    def __enter__(self) -> Heartbeat:
        if not self.inline:
            self._thread = threading.Thread(
                target=self._run, daemon=True, name=f"import-heartbeat-{self.job_id}"
            )
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(limit("IMPORT_HEARTBEAT_SECONDS") + 30)


CLAIM_TRIES = 4


def _claim_either(job_id: int, owner: str) -> bool | None:
    """Claim a job waiting for validation (False) or for its commit (True); None if neither.

    On SQLite another connection's write transaction can hold the lock past the busy
    timeout; nothing is claimed yet, so waiting and trying again is safe, and a job left
    waiting is started again when its page is looked at (`revive`)."""
    for attempt in range(CLAIM_TRIES):
        try:
            if claim(job_id, S.PENDING, S.RUNNING, owner):
                return False
            if claim(job_id, S.COMMIT_PENDING, S.COMMITTING, owner):
                return True
            return None
        except OperationalError:
            if attempt == CLAIM_TRIES - 1:
                log.warning("import job %s: database busy, left waiting", job_id)
                return None
            time.sleep(0.25 * 2**attempt)
    return None


def revive(job: ImportJob) -> ImportJob:
    """Start again a job nobody is working on, when its page is looked at, so a site that
    runs imports in web threads (no importworker) recovers too: a runner that died
    mid-work (its heartbeat went stale) or a thread that never got to claim the job."""
    waiting = job.status in (S.PENDING, S.COMMIT_PENDING) and job.updated_at < stale_before()
    if job.status in REQUEUE and recover_stale(job.pk):
        job.refresh_from_db()
        kick(job)
    elif waiting:
        kick(job)
    return job


def process(job_id: int) -> ImportJob | None:
    """Run whatever the job is waiting for: validation (pending) or the commit (commit_pending)."""
    owner = _owner()
    commit = _claim_either(job_id, owner)
    if commit is None:
        return None
    job = ImportJob.objects.select_related("user").get(pk=job_id)
    scope = Scope(job.user)
    try:
        with Heartbeat(job.pk, owner) as heart:
            if commit:
                # The job's "done" is written in the same transaction as the rows: a runner
                # killed before the end leaves neither, one that lost its claim rolls back.
                with transaction.atomic():
                    analysis = _run(job, scope, heart, commit=True)
                    _settle(job, owner, analysis, commit=True)
            else:
                analysis = _run(job, scope, heart, commit=False)
                _settle(job, owner, analysis, commit=False)
    except LostClaim:
        log.warning("import job %s: claim lost, nothing written by %s", job_id, owner)
        return None
    except CommitError as e:
        # Nothing was written; the preview stays so the user can fix the sheet or retry.
        job.status, job.message = S.PREVIEW, f"导入失败，未写入任何数据。{e}"
        _finish(job, owner)
    except ReadError as e:
        job.status, job.message = S.FAILED, str(e)
        _finish(job, owner)
    except Exception as e:  # never leave a job running forever
        log.exception("import job %s failed", job_id)
        job.status, job.message = S.FAILED, f"处理出错，未写入任何数据：{type(e).__name__}: {e}"
        _finish(job, owner)
    return job


def _run(job: ImportJob, scope: Scope, heart: Heartbeat, *, commit: bool) -> engine.Analysis:
    return engine.run(
        job.kind,
        scope,
        bytes(job.data),
        job.filename,
        commit=commit,
        mapping=job.mapping,
        options=job.options,
        progress=heart.progress,
    )


def _settle(job: ImportJob, owner: str, analysis: engine.Analysis, *, commit: bool) -> None:
    job.preview = analysis.preview()
    job.counts = analysis.counts
    job.total = max(job.total, analysis.counts.get("total", 0), 1)
    job.progress = job.total
    job.error_file = error_report(analysis) if analysis.counts["error"] else None
    if commit:
        job.status = S.DONE
        c = analysis.counts
        job.message = f"已导入：新增 {c['create']} 行，更新 {c['update']} 行，未变化 {c['unchanged']} 行，跳过错误 {c['error']} 行"
    else:
        job.status, job.message = S.PREVIEW, ""
    if not _finish(job, owner):
        raise LostClaim


def _finish(job: ImportJob, owner: str) -> bool:
    """Write the outcome only while this runner still holds the claim."""
    job.updated_at = timezone.now()
    if job.status in {S.DONE, S.FAILED}:
        job.finished_at = job.updated_at
    fields = {
        f: getattr(job, f)
        for f in (
            "status",
            "message",
            "preview",
            "counts",
            "total",
            "progress",
            "error_file",
            "updated_at",
            "finished_at",
        )
    }
    held = ImportJob.objects.filter(
        pk=job.pk, claimed_by=owner, status__in=[S.RUNNING, S.COMMITTING]
    )
    return held.update(claimed_by="", heartbeat_at=None, **fields) == 1


def request_commit(job: ImportJob) -> bool:
    return claim(job.pk, S.PREVIEW, S.COMMIT_PENDING)


def request_validation(
    job: ImportJob, mapping: dict[str, str], options: dict | None = None
) -> bool:
    updated = ImportJob.objects.filter(pk=job.pk, status__in=[S.PREVIEW, S.FAILED]).update(
        mapping=mapping,
        options=options if options is not None else job.options,
        status=S.PENDING,
        progress=0,
        message="",
        updated_at=timezone.now(),
    )
    return updated == 1


def _thread_main(job_id: int) -> None:
    try:
        process(job_id)
    finally:
        connection.close()


def kick(job: ImportJob) -> None:
    """Start the work in a thread of this process unless a separate worker is configured."""
    if not limit("IMPORT_INLINE_THREAD"):
        return
    threading.Thread(
        target=_thread_main, args=(job.pk,), daemon=True, name=f"import-{job.pk}"
    ).start()


def run_pending(limit_jobs: int | None = None) -> int:
    """What `taizhang importworker` does in each round; returns the number of jobs run."""
    n = 0
    recover_stale()
    ids = list(
        ImportJob.objects.filter(status__in=[S.PENDING, S.COMMIT_PENDING])
        .order_by("created_at")
        .values_list("pk", flat=True)[: limit_jobs or 50]
    )
    for job_id in ids:
        # A long-running worker drops stale connections between jobs; inside an outer
        # transaction (a test, or a caller's atomic block) closing would abort it.
        if not connection.in_atomic_block:
            close_old_connections()
        if process(job_id) is not None:
            n += 1
    return n
