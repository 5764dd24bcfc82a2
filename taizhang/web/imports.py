"""Import pages: upload → mapping → preview → commit, the work running in a job outside the request."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from taizhang.core.audit_events import record_download
from taizhang.core.scope import scope_of
from taizhang.imports import engine, jobs
from taizhang.imports.conf import limit
from taizhang.imports.models import ImportJob
from taizhang.imports.reading import ReadError
from taizhang.imports.workbooks import template

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _manager(request: HttpRequest):
    scope = scope_of(request)
    scope.require_manage()
    return scope


def _job(request: HttpRequest, pk: int) -> ImportJob:
    job = ImportJob.objects.filter(pk=pk, user=request.user).defer("data").first()
    if job is None:
        raise Http404("未找到该导入任务")
    return job


def _download(data: bytes, filename: str) -> HttpResponse:
    r = HttpResponse(data, content_type=XLSX)
    r["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quote(filename)}"
    return r


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name)


@login_required
def import_home(request: HttpRequest) -> HttpResponse:
    _manager(request)
    kinds = engine.kinds()
    if request.method == "POST":
        kind = request.POST.get("kind", "")
        upload = request.FILES.get("file")
        if kind not in kinds:
            messages.error(request, "请选择导入类型")
        elif upload is None:
            messages.error(request, "请选择要导入的文件")
        elif upload.size > limit("IMPORT_MAX_BYTES"):
            messages.error(
                request,
                f"文件大小 {upload.size / 1048576:.1f} MB，超过上限 "
                f"{limit('IMPORT_MAX_BYTES') / 1048576:.0f} MB，请拆分后分批导入",
            )
        else:
            options = {"cumulative": bool(request.POST.get("cumulative"))}
            job = jobs.create(request.user, kind, upload.name, upload.read(), options)
            jobs.kick(job)
            return redirect("import_job", pk=job.pk)
    recent = ImportJob.objects.filter(user=request.user).defer("data", "error_file", "preview")[:10]
    return render(
        request,
        "imports/home.html",
        {"kinds": [(k, v.label) for k, v in kinds.items()], "recent": recent},
    )


@login_required
def import_template(request: HttpRequest, kind: str) -> HttpResponse:
    _manager(request)
    try:
        imp = engine.importer_for(kind)
    except ReadError:
        raise Http404("没有该导入模板") from None
    return _download(template(kind, scope_of(request)), f"{imp.label}导入模板.xlsx")


@login_required
def import_job(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)  # first: someone else's job is 404 whoever asks
    _manager(request)
    job = jobs.revive(job)
    imp = engine.importer_for(job.kind)
    preview = job.preview or {}
    columns = []
    chosen = job.mapping or {}
    for c in preview.get("columns", []):
        columns.append({**c, "chosen": chosen.get(c["header"], c["field"])})
    return render(
        request,
        "imports/job.html",
        {
            "job": job,
            "kind_label": imp.label,
            "fields": [(c.key, c.label, c.required) for c in imp.columns],
            "columns": columns,
            "preview": preview,
            "counts": job.counts or {},
            "can_cancel": jobs.can_cancel(job),
            "working": job.status
            in {
                ImportJob.Status.PENDING,
                ImportJob.Status.RUNNING,
                ImportJob.Status.COMMIT_PENDING,
                ImportJob.Status.COMMITTING,
            },
        },
    )


@login_required
def import_status(request: HttpRequest, pk: int) -> JsonResponse:
    job = _job(request, pk)  # first: someone else's job is 404 whoever asks
    _manager(request)
    job = jobs.revive(job)
    return JsonResponse(
        {
            "status": job.status,
            "status_label": job.get_status_display(),
            "progress": job.progress,
            "total": job.total,
            "percent": job.percent,
            "message": job.message,
            "counts": job.counts,
        }
    )


@login_required
@require_POST
def import_mapping(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)  # first: someone else's job is 404 whoever asks
    _manager(request)
    imp = engine.importer_for(job.kind)
    valid = {c.key for c in imp.columns}
    mapping: dict[str, str] = {}
    for c in (job.preview or {}).get("columns", []):
        value = request.POST.get("map:" + c["header"])
        if value is not None and (value in valid or value == ""):
            mapping[c["header"]] = value
    engine.remember(job.kind, mapping)
    options = dict(job.options or {})
    if "cumulative_present" in request.POST:
        options["cumulative"] = bool(request.POST.get("cumulative"))
    if jobs.request_validation(job, mapping, options):
        jobs.kick(job)
    return redirect("import_job", pk=job.pk)


@login_required
@require_POST
def import_commit(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)  # first: someone else's job is 404 whoever asks
    _manager(request)
    if jobs.request_commit(job):
        jobs.kick(job)
    else:
        messages.error(request, "该导入任务当前不能提交（可能已在导入或已完成）")
    return redirect("import_job", pk=job.pk)


@login_required
@require_POST
def import_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)  # first: someone else's job is 404 whoever asks
    _manager(request)
    if jobs.cancel(job):
        messages.success(request, "导入任务已取消，未写入任何数据")
    else:
        messages.error(request, "该导入任务正在处理或已结束，不能取消")
    return redirect("import_job", pk=job.pk)


@login_required
def import_errors(request: HttpRequest, pk: int) -> HttpResponse:
    job = ImportJob.objects.filter(pk=pk, user=request.user).only("error_file", "filename").first()
    if job is None or not job.error_file:
        raise Http404("没有错误报告")
    _manager(request)
    name = f"错误报告-{job.filename.rsplit('.', 1)[0]}.xlsx"
    # The error report repeats the uploaded rows: its download is logged like an export.
    record_download(name, "xlsx", request=request)
    return _download(bytes(job.error_file), name)
