"""Attachments (佐证材料): files that prove a record — photos of a visit, 办结 evidence, a
milestone's acceptance certificate.

The app sits right above core, so it knows its owners only generically (content type +
id). Who may see a file is decided by its owner: `taizhang.attachments.owners` resolves
the owner through `Scope` with the owner model's own ScopeRule, so a file is visible
exactly when the record it belongs to is.
"""

from __future__ import annotations

import os

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Content type detected from the bytes → the extensions a name may carry for it, the first
# being the one a converted or renamed download gets.
EXTENSIONS: dict[str, tuple[str, ...]] = {
    "image/jpeg": (".jpg", ".jpeg", ".jpe", ".jfif"),
    "image/png": (".png",),
    "application/pdf": (".pdf",),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (".docx",),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": (".xlsx",),
}
KIND_LABELS: dict[str, str] = {
    "image/jpeg": "JPG 图片",
    "image/png": "PNG 图片",
    "application/pdf": "PDF 文件",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word 文档",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "Excel 表格",
}


class Attachment(models.Model):
    owner_type = models.ForeignKey(
        ContentType, verbose_name=_("所属记录类型"), on_delete=models.PROTECT, related_name="+"
    )
    owner_id = models.PositiveBigIntegerField(_("所属记录"))
    # The workflow step (a MatterStep) the file was handed in with, e.g. 办结 evidence.
    step_type = models.ForeignKey(
        ContentType,
        verbose_name=_("办理环节类型"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    step_id = models.PositiveBigIntegerField(_("办理环节"), null=True, blank=True)
    # As the user named it; shown and offered as the download name, never used as a path.
    original_name = models.CharField(_("文件名"), max_length=255)
    stored_name = models.CharField(_("存储名"), max_length=255, unique=True, editable=False)
    content_type = models.CharField(_("文件类型"), max_length=100)
    size = models.PositiveBigIntegerField(_("大小（字节）"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    width = models.PositiveIntegerField(_("宽度"), null=True, blank=True)
    height = models.PositiveIntegerField(_("高度"), null=True, blank=True)
    thumb_name = models.CharField(_("缩略图"), max_length=255, blank=True, editable=False)
    keep_exif_location = models.BooleanField(_("保留照片位置信息"), default=False)
    converted_from = models.CharField(_("原格式"), max_length=20, blank=True)
    source = models.CharField(_("来源"), max_length=10, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    uploaded_by_name = models.CharField(_("上传人姓名"), max_length=150, blank=True)
    uploaded_at = models.DateTimeField(_("上传时间"), default=timezone.now)
    deleted_at = models.DateTimeField(_("删除时间"), null=True, blank=True, db_index=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("删除人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Set by `taizhang purgefiles` once the retention period after deletion has run out.
    purged_at = models.DateTimeField(_("文件清除时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("佐证材料")
        verbose_name_plural = _("佐证材料")
        ordering = ["uploaded_at", "id"]
        indexes = [models.Index(fields=["owner_type", "owner_id", "deleted_at"])]

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.content_type, self.content_type)

    @property
    def download_name(self) -> str:
        """The given name, with the extension of what is stored when they differ (a HEIC
        photo converted to JPEG downloads as .jpg)."""
        stem, ext = os.path.splitext(self.original_name)
        allowed = EXTENSIONS.get(self.content_type, ())
        if not allowed or ext.lower() in allowed:
            return self.original_name
        return (stem or "file") + allowed[0]
