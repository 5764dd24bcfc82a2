"""Attachment downloads, thumbnails, deletion and the generic 'add files' form of detail
pages. Every file goes out through here after the owner's scope check: storage has no
public URL."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from taizhang.attachments import owners, services
from taizhang.core.scope import scope_of
from taizhang.web.common import flash_errors, safe_next


def _file_response(d: services.Download, *, inline: bool) -> HttpResponse:
    response = FileResponse(d.file, content_type=d.content_type)
    disposition = "inline" if inline else "attachment"
    response["Content-Disposition"] = f"{disposition}; filename*=UTF-8''{quote(d.filename)}"
    response["X-Content-Type-Options"] = "nosniff"
    # A file is evidence about one record: no shared cache keeps a copy.
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@login_required
def download(request: HttpRequest, pk: int) -> HttpResponse:
    scope = scope_of(request)
    a = services.get_attachment(scope, pk)
    return _file_response(services.open_download(scope, a), inline=False)


@login_required
def thumbnail(request: HttpRequest, pk: int) -> HttpResponse:
    scope = scope_of(request)
    a = services.get_attachment(scope, pk)
    return _file_response(services.open_download(scope, a, thumb=True), inline=True)


def _back(request: HttpRequest) -> str:
    return safe_next(request, "dashboard")


@login_required
@require_POST
def delete(request: HttpRequest, pk: int) -> HttpResponse:
    scope = scope_of(request)
    a = services.get_attachment(scope, pk)
    services.do_delete_attachment(scope, a)
    messages.success(request, f"已删除佐证材料「{a.original_name}」")
    return redirect(_back(request))


@login_required
@require_POST
def upload(request: HttpRequest) -> HttpResponse:
    """Add files to any registered owner (owner_type, owner_id) from its detail page."""
    scope = scope_of(request)
    owner = owners.resolve(scope, request.POST.get("owner_type", ""), request.POST.get("owner_id"))
    files = request.FILES.getlist("files")
    if not files:
        messages.error(request, "请选择要上传的文件")
        return redirect(_back(request))
    try:
        with transaction.atomic():
            made = services.do_attach(
                scope,
                owner,
                files,
                source="web",
                keep_location=request.POST.get("keep_location") == "1",
            )
    except ValidationError as e:
        flash_errors(request, e)
    else:
        messages.success(request, f"已上传 {len(made)} 个佐证材料")
    return redirect(_back(request))


def attach_from_form(request: HttpRequest, scope, owner, *, step=None) -> list:
    """The files of a record's own form (`<input type="file" name="files" multiple>`),
    attached inside the caller's transaction: a refused file rolls back the record."""
    return services.do_attach(
        scope,
        owner,
        request.FILES.getlist("files"),
        source="web",
        step=step,
        keep_location=request.POST.get("keep_location") == "1",
    )


def files_by_step(owner) -> dict[int, list]:
    """{step id: [attachments]} of a matter whose history lists its steps (the caller has
    found the matter through its scope)."""
    out: dict[int, list] = {}
    for a in services.attachments_of(owner).filter(step_id__isnull=False):
        out.setdefault(a.step_id, []).append(a)
    return out
