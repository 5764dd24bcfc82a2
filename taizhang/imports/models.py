"""Import jobs, remembered column mappings, and the natural keys of imported rows."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ImportJob(models.Model):
    """One uploaded file on its way through validate → preview → commit.

    Work runs outside the request: `taizhang importworker` or a thread of the web
    process claims the job with a conditional UPDATE, so only one runner gets it.
    The runner names itself in `claimed_by` and refreshes `heartbeat_at` while it
    works; a claim whose heartbeat is older than IMPORT_STALE_SECONDS belongs to a
    runner that died (kill -9, a gunicorn timeout) and is put back in the queue.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("排队中")  # waiting for validation
        RUNNING = "running", _("校验中")
        PREVIEW = "preview", _("待确认")
        COMMIT_PENDING = "commit_pending", _("等待导入")
        COMMITTING = "committing", _("导入中")
        DONE = "done", _("已导入")
        FAILED = "failed", _("失败")
        CANCELLED = "cancelled", _("已取消")

    kind = models.CharField(_("导入类型"), max_length=20)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("导入人"), on_delete=models.CASCADE
    )
    filename = models.CharField(_("文件名"), max_length=200)
    data = models.BinaryField(_("文件内容"))
    options = models.JSONField(_("选项"), default=dict, blank=True)
    mapping = models.JSONField(_("列对应"), default=dict, blank=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    progress = models.PositiveIntegerField(_("已处理行数"), default=0)
    total = models.PositiveIntegerField(_("总行数"), default=0)
    counts = models.JSONField(_("统计"), default=dict, blank=True)
    preview = models.JSONField(_("预览"), default=dict, blank=True)
    message = models.TextField(_("说明"), blank=True)
    error_file = models.BinaryField(_("错误报告"), null=True, blank=True)
    claimed_by = models.CharField(_("处理进程"), max_length=120, blank=True)
    heartbeat_at = models.DateTimeField(_("最近心跳"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("处理次数"), default=0)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("导入任务")
        verbose_name_plural = _("导入任务")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.filename}（{self.get_status_display()}）"

    @property
    def percent(self) -> int:
        if self.status in {self.Status.PREVIEW, self.Status.DONE}:
            return 100
        return int(self.progress * 100 / self.total) if self.total else 0


class ColumnMapping(models.Model):
    """A user's own header text remembered as one of a kind's columns."""

    kind = models.CharField(_("导入类型"), max_length=20)
    header = models.CharField(_("表头（规范化）"), max_length=120)
    field = models.CharField(_("对应字段"), max_length=40)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("列对应")
        verbose_name_plural = _("列对应")
        constraints = [
            models.UniqueConstraint("kind", "header", name="columnmapping_unique_header")
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.header} → {self.field}"


class ImportedKey(models.Model):
    """The sheet's own number for a record that has no such column (e.g. a problem number)."""

    kind = models.CharField(max_length=20)
    key = models.CharField(max_length=80)
    object_id = models.BigIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("导入编号")
        verbose_name_plural = _("导入编号")
        constraints = [models.UniqueConstraint("kind", "key", name="importedkey_unique")]

    def __str__(self) -> str:
        return f"{self.kind}:{self.key}"
