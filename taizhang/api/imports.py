"""Import over the API: upload a file for a preview, then commit the job."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from taizhang.api.schemas import Id
from taizhang.core.scope import scope_of
from taizhang.imports import jobs
from taizhang.imports.conf import limit
from taizhang.imports.models import ImportJob
from taizhang.imports.reading import ReadError

router = Router(tags=["导入"])


class PreviewOut(Schema):
    job_id: Id
    status: str
    message: str
    counts: dict[str, int]
    preview: dict[str, Any]


class AcceptedOut(Schema):
    job_id: int
    status: str
    message: str
    url: str


def _accepted(job: ImportJob) -> dict[str, Any]:
    return {
        "job_id": job.pk,
        "status": job.status,
        "message": job.message,
        "url": f"/api/v1/imports/{job.pk}",
    }


def _out(job: ImportJob) -> dict[str, Any]:
    return {
        "job_id": job.pk,
        "status": job.status,
        "message": job.message,
        "counts": job.counts or {},
        "preview": job.preview or {},
    }


# Declared before POST /imports/{kind}: both paths are /imports/<segment>, and the first
# pattern Django tries must be the one that accepts GET, or GET /imports/5 answers 405.
@router.get("/imports/{int:job_id}", response=PreviewOut, summary="导入任务状态与预览")
def status(request: HttpRequest, job_id: Id):
    job = ImportJob.objects.filter(pk=job_id, user=request.user).defer("data").first()
    if job is None:  # first: someone else's job is 404 whoever asks
        raise Http404("未找到该导入任务")
    scope_of(request).require_manage()
    return _out(jobs.revive(job))


@router.post("/imports/{kind}", response=PreviewOut, summary="上传文件并校验，返回预览（不写入）")
def upload(
    request: HttpRequest, kind: str, file: File[UploadedFile], cumulative: Form[bool] = False
):
    scope = scope_of(request)
    scope.require_manage()
    if file.size > limit("IMPORT_MAX_BYTES"):
        raise ReadError(f"文件超过上限 {limit('IMPORT_MAX_BYTES') // 1048576} MB，请拆分后分批导入")
    job = jobs.create(
        request.user, kind, file.name or "upload.xlsx", file.read(), {"cumulative": cumulative}
    )
    job = jobs.process(job.pk) or job  # the API answers with the preview, so validate now
    if job.status == ImportJob.Status.FAILED:
        raise ReadError(job.message)
    return _out(job)


@router.post(
    "/imports/{job_id}/commit",
    response={202: AcceptedOut},
    summary="确认导入：交给导入进程在一个事务里写入全部有效行；轮询返回的 url 查看结果",
)
def commit(request: HttpRequest, job_id: Id):
    # Queued, not run here: a 100k-row commit takes longer than a request may (gunicorn's
    # timeout would kill it half-way, and the client would not know whether it happened).
    job = ImportJob.objects.filter(pk=job_id, user=request.user).defer("data").first()
    if job is None:  # first: someone else's job is 404 whoever asks
        raise Http404("未找到该导入任务")
    scope_of(request).require_manage()
    if not jobs.request_commit(job):
        raise ReadError(f"该导入任务当前状态为「{job.get_status_display()}」，不能提交")
    job.refresh_from_db(fields=["status", "message"])
    jobs.kick(job)
    return Status(202, _accepted(job))


@router.post(
    "/imports/{job_id}/cancel",
    response=AcceptedOut,
    summary="取消排队中、待确认或中断的导入任务（正在处理的任务不能取消）",
)
def cancel(request: HttpRequest, job_id: int):
    job = ImportJob.objects.filter(pk=job_id, user=request.user).defer("data").first()
    if job is None:  # first: someone else's job is 404 whoever asks
        raise Http404("未找到该导入任务")
    scope_of(request).require_manage()
    if not jobs.cancel(job):
        raise ReadError(f"该导入任务当前状态为「{job.get_status_display()}」，不能取消")
    job.refresh_from_db(fields=["status", "message"])
    return _accepted(job)


# Mounted by taizhang/api/api.py; route modules never import it (they are leaves).
ROUTERS = [router]
