"""Attaching, listing, downloading, deleting and purging files. Every state change is one
do_* function in one transaction with its audit entry; every read checks the owner's scope.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO, Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, storages
from django.db import transaction
from django.db.models import Model, QuerySet
from django.http import Http404
from django.utils import timezone

from taizhang.attachments import owners
from taizhang.attachments.checks import Prepared, limits, prepare, refuse
from taizhang.attachments.models import Attachment
from taizhang.core import audit
from taizhang.core.bulk import IdsIn
from taizhang.core.models import AuditEntry
from taizhang.core.scope import Scope

NOT_FOUND = "未找到该文件，或您无权查看"


def storage() -> Storage:
    return storages["default"]


def _ctype(obj: Model) -> ContentType:
    return ContentType.objects.get_for_model(type(obj), for_concrete_model=False)


def attachments_of(owner: Model, *, step: Model | None = None) -> QuerySet[Attachment]:
    """The owner's live files (the caller has already found the owner through its scope)."""
    qs = Attachment.objects.filter(
        owner_type=_ctype(owner), owner_id=owner.pk, deleted_at__isnull=True
    )
    if step is not None:
        qs = qs.filter(step_type=_ctype(step), step_id=step.pk)
    return qs


def by_owner(model: type[Model], ids: Iterable[int]) -> dict[int, list[Attachment]]:
    """{owner id: [live attachments]} for many owners at once, e.g. a project's milestones
    (the caller has found the owners through its scope)."""
    out: dict[int, list[Attachment]] = {}
    ctype = ContentType.objects.get_for_model(model, for_concrete_model=False)
    rows = Attachment.objects.filter(
        owner_type=ctype, owner_id__in=list(ids), deleted_at__isnull=True
    )
    for a in rows.order_by("uploaded_at", "id"):
        out.setdefault(a.owner_id, []).append(a)
    return out


def names_by_owner(model: type[Model], ids: Iterable[int]) -> dict[int, list[str]]:
    """{owner id: [file names]} for many owners at once (exports, the bulletin)."""
    out: dict[int, list[str]] = {}
    ctype = ContentType.objects.get_for_model(model, for_concrete_model=False)
    # The ids as one parameter: an export asks for 2000 owners at a time (core.bulk.IdsIn).
    rows = Attachment.objects.filter(
        IdsIn("owner_id", ids), owner_type=ctype, deleted_at__isnull=True
    ).values_list("owner_id", "original_name")
    for owner_id, name in rows.order_by("uploaded_at", "id"):
        out.setdefault(owner_id, []).append(name)
    return out


def _stored_path(prepared: Prepared, now: dt.datetime) -> str:
    # Random and dated: the user's name never reaches the file system or the bucket.
    return f"{timezone.localtime(now):%Y/%m}/{uuid.uuid4().hex}{prepared.ext}"


def do_attach(
    scope: Scope,
    owner: Model,
    files: Iterable[IO[bytes] | Any],
    *,
    user: Any = None,
    source: str = "",
    step: Model | None = None,
    keep_location: bool = False,
) -> list[Attachment]:
    """Check every file, then store them all and record each in the audit log — or, if one
    is refused, store none. Runs inside the caller's transaction when there is one, so a
    step taken with evidence is rolled back with its refused evidence."""
    files = [f for f in files if f is not None]
    if not files:
        return []
    if not scope.contains(owner):
        raise Http404("未找到该记录，或您无权查看")
    owners.require_attach(scope, owner)
    lim = limits()
    existing = attachments_of(owner).count()
    if existing + len(files) > lim["max_files"]:
        raise refuse(
            f"每条记录最多 {lim['max_files']} 个佐证材料，已有 {existing} 个，本次上传 {len(files)} 个"
        )
    errors: list[str] = []
    ready: list[Prepared] = []
    for f in files:
        try:
            ready.append(prepare(f, keep_location=keep_location, lim=lim))
        except ValidationError as e:
            errors.extend(e.message_dict.get("files", e.messages))
    if errors:
        raise ValidationError({"files": errors})
    actor = user if user is not None else scope.actor
    now = timezone.now()
    store = storage()
    written: list[str] = []
    try:
        with transaction.atomic():
            made = []
            for p in ready:
                name = store.save(_stored_path(p, now), ContentFile(p.data))
                written.append(name)
                thumb = ""
                if p.thumb:
                    thumb = store.save(name.rsplit(".", 1)[0] + ".thumb.jpg", ContentFile(p.thumb))
                    written.append(thumb)
                a = Attachment.objects.create(
                    owner_type=_ctype(owner),
                    owner_id=owner.pk,
                    step_type=_ctype(step) if step is not None else None,
                    step_id=step.pk if step is not None else None,
                    original_name=p.name,
                    stored_name=name,
                    content_type=p.content_type,
                    size=len(p.data),
                    sha256=p.sha256,
                    width=p.width,
                    height=p.height,
                    thumb_name=thumb,
                    keep_exif_location=keep_location,
                    converted_from=p.converted_from,
                    source=source[:10],
                    uploaded_by=actor if getattr(actor, "pk", None) else None,
                    uploaded_by_name=scope.actor_name if user is None else _name(actor),
                    uploaded_at=now,
                )
                audit.record(
                    actor,
                    a,
                    AuditEntry.Action.CREATE,
                    after=audit.snapshot(
                        a, ["original_name", "content_type", "size", "sha256", "keep_exif_location"]
                    ),
                    verb=f"上传佐证材料（{owners.kind_of(owner).label}）",
                    division_path=owners.division_path(owner),
                    root=owner,
                )
                made.append(a)
    except BaseException:
        # Nothing half-stored: the rows rolled back, so the files go too.
        for name in written:
            store.delete(name)
        raise
    return made


def _name(user: Any) -> str:
    if not getattr(user, "pk", None):
        return "系统"
    return user.get_full_name() or user.get_username()


def get_attachment(scope: Scope, pk: Any) -> Attachment:
    """A live file whose owner is in the scope; 404 for everything else, alike."""
    try:
        a = (
            Attachment.objects.select_related("owner_type")
            .filter(deleted_at__isnull=True)
            .get(pk=pk)
        )
    except (Attachment.DoesNotExist, ValueError, TypeError):
        raise Http404(NOT_FOUND) from None
    model = a.owner_type.model_class()
    if model is None:
        raise Http404(NOT_FOUND)
    try:
        a.owner = scope.get(model.objects.all(), a.owner_id)
    except Http404:
        raise Http404(NOT_FOUND) from None
    return a


def visible_attachments(scope: Scope, owner: Model) -> list[Attachment]:
    if not scope.contains(owner):
        raise Http404("未找到该记录，或您无权查看")
    return list(attachments_of(owner).select_related("uploaded_by"))


@dataclass
class Download:
    file: IO[bytes]
    filename: str
    content_type: str
    size: int


def open_download(scope: Scope, a: Attachment, *, thumb: bool = False) -> Download:
    """The stored file (audited) or its thumbnail (not audited: the page showing it is a
    read like any other page; opening the file itself is the download that counts)."""
    store = storage()
    if thumb:
        if not a.thumb_name:
            raise Http404("该文件没有缩略图")
        try:
            f = store.open(a.thumb_name, "rb")
        except (FileNotFoundError, OSError):
            raise Http404("缩略图文件缺失") from None
        return Download(f, a.download_name.rsplit(".", 1)[0] + "-缩略图.jpg", "image/jpeg", 0)
    try:
        f = store.open(a.stored_name, "rb")
    except (FileNotFoundError, OSError):
        raise Http404("文件缺失，请联系系统管理员") from None
    audit.record(
        scope.actor,
        a,
        AuditEntry.Action.ACTION,
        extra={"文件摘要": a.sha256},
        verb="下载佐证材料",
        division_path=owners.division_path(a.owner),
        root=a.owner,
    )
    return Download(f, a.download_name, a.content_type, a.size)


def can_delete(scope: Scope, a: Attachment) -> bool:
    if scope.can_manage:
        return True
    return scope.actor is not None and a.uploaded_by_id == scope.actor.pk


def do_delete_attachment(scope: Scope, a: Attachment) -> Attachment:
    """Soft delete by the uploader or the office: hidden at once, the file kept until
    `taizhang purgefiles` runs after the retention period."""
    if not can_delete(scope, a):
        raise PermissionDenied("只有上传人或督查室可以删除佐证材料")
    with transaction.atomic():
        locked = Attachment.objects.select_for_update().get(pk=a.pk)
        if locked.deleted_at is not None:
            raise Http404(NOT_FOUND)
        locked.deleted_at = timezone.now()
        locked.deleted_by = scope.actor
        locked.save(update_fields=["deleted_at", "deleted_by"])
        audit.record(
            scope.actor,
            locked,
            AuditEntry.Action.DELETE,
            before=audit.snapshot(locked, ["original_name", "content_type", "size", "sha256"]),
            verb="删除佐证材料（文件在保留期内保留）",
            division_path=owners.division_path(a.owner),
            root=a.owner,
        )
    return locked


def purge_files(*, now: dt.datetime | None = None, days: int | None = None) -> int:
    """Delete the stored files of attachments soft-deleted more than `days` ago (default
    the retention setting); the rows stay, marked purged, for the audit trail."""
    now = now or timezone.now()
    days = settings.TAIZHANG["ATTACH_RETENTION_DAYS"] if days is None else days
    due = Attachment.objects.filter(
        deleted_at__lt=now - dt.timedelta(days=days), purged_at__isnull=True
    ).select_related("owner_type")
    store = storage()
    count = 0
    for a in due.iterator():
        for name in (a.stored_name, a.thumb_name):
            if name:
                store.delete(name)
        with transaction.atomic():
            Attachment.objects.filter(pk=a.pk).update(purged_at=now)
            audit.record(
                None,
                a,
                AuditEntry.Action.ACTION,
                extra={"文件摘要": a.sha256},
                verb=f"清除保留期（{days} 天）已满的已删除佐证材料文件",
            )
        count += 1
    return count


def _walk(store: Storage, path: str = "") -> Iterable[str]:
    dirs, files = store.listdir(path)
    for f in files:
        yield f"{path}/{f}" if path else f
    for d in dirs:
        yield from _walk(store, f"{path}/{d}" if path else d)


def purge_orphans(*, now: dt.datetime | None = None, grace: dt.timedelta | None = None) -> int:
    """Delete stored files no attachment row names, once older than `grace` (default a day).

    They arise only when a caller's transaction rolls back after `do_attach` returned (its
    own failures clean up at once); the grace period spares uploads still in flight."""
    now = now or timezone.now()
    grace = dt.timedelta(days=1) if grace is None else grace
    known: set[str] = set()
    for name, thumb in Attachment.objects.values_list("stored_name", "thumb_name").iterator():
        known.add(name)
        if thumb:
            known.add(thumb)
    store = storage()
    count = 0
    try:
        names = list(_walk(store))
    except FileNotFoundError:  # nothing uploaded yet: the directory does not exist
        return 0
    for name in names:
        if name in known:
            continue
        try:
            if store.get_modified_time(name) > now - grace:
                continue
        except (NotImplementedError, OSError):
            # A backend that cannot tell a file's age (some S3-compatible stores): keep the
            # file rather than risk deleting one that is being uploaded right now.
            continue
        store.delete(name)
        count += 1
    return count
