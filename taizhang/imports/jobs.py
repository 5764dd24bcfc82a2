"""Import jobs: the work runs outside the request, in `taizhang importworker` or a web thread.

A runner claims a job with a conditional UPDATE (pending → running), so two
runners never process the same job.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from django.db import close_old_connections, connection
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


def claim(job_id: int, from_status: str, to_status: str) -> bool:
    """The one runner whose UPDATE changed the row owns the job."""
    return (
        ImportJob.objects.filter(pk=job_id, status=from_status).update(
            status=to_status, updated_at=timezone.now()
        )
        == 1
    )


def _progress(job_id: int):
    last = [0.0]

    def report(done: int, total: int) -> None:
        now = time.monotonic()
        if now - last[0] < 0.3 and done < total:
            return
        last[0] = now
        ImportJob.objects.filter(pk=job_id).update(
            progress=done, total=total, updated_at=timezone.now()
        )

    return report


def process(job_id: int) -> ImportJob | None:
    """Run whatever the job is waiting for: validation (pending) or the commit (commit_pending)."""
    if claim(job_id, S.PENDING, S.RUNNING):
        commit = False
    elif claim(job_id, S.COMMIT_PENDING, S.COMMITTING):
        commit = True
    else:
        return None
    job = ImportJob.objects.select_related("user").get(pk=job_id)
    scope = Scope(job.user)
    try:
        analysis = engine.run(
            job.kind,
            scope,
            bytes(job.data),
            job.filename,
            commit=commit,
            mapping=job.mapping,
            options=job.options,
            progress=_progress(job.pk),
        )
    except CommitError as e:
        # Nothing was written; the preview stays so the user can fix the sheet or retry.
        job.status, job.message = S.PREVIEW, f"导入失败，未写入任何数据。{e}"
        _finish(job)
        return job
    except ReadError as e:
        job.status, job.message = S.FAILED, str(e)
        _finish(job)
        return job
    except Exception as e:  # never leave a job running forever
        log.exception("import job %s failed", job_id)
        job.status, job.message = S.FAILED, f"处理出错，未写入任何数据：{type(e).__name__}: {e}"
        _finish(job)
        return job
    job.preview = analysis.preview()
    job.counts = analysis.counts
    job.total = max(job.total, 1)
    job.progress = job.total
    job.error_file = error_report(analysis) if analysis.counts["error"] else None
    if commit:
        job.status = S.DONE
        c = analysis.counts
        job.message = f"已导入：新增 {c['create']} 行，更新 {c['update']} 行，未变化 {c['unchanged']} 行，跳过错误 {c['error']} 行"
    else:
        job.status, job.message = S.PREVIEW, ""
    _finish(job)
    return job


def _finish(job: ImportJob) -> None:
    job.updated_at = timezone.now()
    if job.status in {S.DONE, S.FAILED}:
        job.finished_at = job.updated_at
    job.save()


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
