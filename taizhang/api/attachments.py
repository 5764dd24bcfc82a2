"""Attachments (佐证材料) over the API: upload to a record, list a record's files, download.

Same rules as the web: the owner is found through the caller's scope (404 outside it), the
files are checked by content (422 with a Chinese message, nothing stored), downloads are
audited and sent as `Content-Disposition: attachment` with `X-Content-Type-Options: nosniff`.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

from django.db import transaction
from django.http import FileResponse, HttpRequest
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from taizhang.attachments import owners, services
from taizhang.attachments.models import Attachment
from taizhang.core.scope import scope_of

router = Router(tags=["佐证材料"])


class AttachmentOut(Schema):
    id: int
    owner_type: str
    owner_id: int
    step_id: int | None
    name: str
    content_type: str
    size: int
    sha256: str
    width: int | None
    height: int | None
    has_thumbnail: bool
    uploaded_by: str
    uploaded_at: dt.datetime
    download: str


def _out(a: Attachment, key: str) -> dict:
    return {
        "id": a.pk,
        "owner_type": key,
        "owner_id": a.owner_id,
        "step_id": a.step_id,
        "name": a.original_name,
        "content_type": a.content_type,
        "size": a.size,
        "sha256": a.sha256,
        "width": a.width,
        "height": a.height,
        "has_thumbnail": bool(a.thumb_name),
        "uploaded_by": a.uploaded_by_name,
        "uploaded_at": a.uploaded_at,
        "download": f"/api/v1/attachments/{a.pk}/download",
    }


@router.post(
    "/attachments",
    response={201: list[AttachmentOut]},
    summary="上传佐证材料（multipart：owner_type、owner_id、files 可多个；按内容判断类型）",
    description=(
        "owner_type：matter（问题、任务等事项）、project、milestone、monthly_report、visit。"
        "接受 JPG、PNG、HEIC（转为 JPG）、PDF、DOCX、XLSX；单个文件上限见 TAIZHANG_UPLOAD_MAX_MB。"
        "照片中的 GPS 位置默认去除，keep_location=true 时保留。任一文件被拒则全部不保存（422）。"
    ),
)
def upload(
    request: HttpRequest,
    owner_type: Form[str],
    owner_id: Form[int],
    files: File[list[UploadedFile]],
    keep_location: Form[bool] = False,
):
    scope = scope_of(request)
    owner = owners.resolve(scope, owner_type, owner_id)
    with transaction.atomic():
        made = services.do_attach(scope, owner, files, source="api", keep_location=keep_location)
    return Status(201, [_out(a, owner_type) for a in made])


@router.get("/attachments", response=list[AttachmentOut], summary="某条记录的佐证材料（未删除的）")
def list_attachments(request: HttpRequest, owner_type: str, owner_id: int):
    scope = scope_of(request)
    owner = owners.resolve(scope, owner_type, owner_id)
    return [_out(a, owner_type) for a in services.visible_attachments(scope, owner)]


@router.get(
    "/attachments/{pk}/download",
    summary="下载佐证材料（记入审计日志；Content-Disposition: attachment）",
    response={200: None},
)
def download(request: HttpRequest, pk: int):
    scope = scope_of(request)
    a = services.get_attachment(scope, pk)
    d = services.open_download(scope, a)
    response = FileResponse(d.file, content_type=d.content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(d.filename)}"
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# Mounted by taizhang/api/api.py; route modules never import it (they are leaves).
ROUTERS = [router]
