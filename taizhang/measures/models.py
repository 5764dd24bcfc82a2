"""A task's binding to a ledger measure, and the record of each fact-check (not its text)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from taizhang.core.models import Division
from taizhang.core.scope import ScopeRule, register
from taizhang.matters.models import Matter
from taizhang.tasks.models import DraftRow


class Binding(models.Model):
    """A work-report target bound to a measure: on a draft row (confirmed before publishing,
    carried by the task it becomes) or on the task itself. Exactly one of the two is set."""

    division = models.ForeignKey(Division, verbose_name=_("所属区划"), on_delete=models.CASCADE)
    matter = models.OneToOneField(
        Matter,
        verbose_name=_("督查任务"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="measure_binding",
    )
    row = models.OneToOneField(
        DraftRow,
        verbose_name=_("草稿行"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="measure_binding",
    )
    code = models.CharField(_("台账指标"), max_length=80)
    params = models.JSONField(_("指标参数"), default=dict, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("确认人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField(_("确认时间"), default=timezone.now)

    class Meta:
        verbose_name = _("指标绑定")
        verbose_name_plural = _("指标绑定")
        constraints = [
            models.CheckConstraint(
                condition=Q(matter__isnull=False, row__isnull=True)
                | Q(matter__isnull=True, row__isnull=False),
                name="binding_task_or_row",
            )
        ]

    def __str__(self) -> str:
        return f"{self.matter or self.row} → {self.code}"


class FactCheck(models.Model):
    """Who checked a document against the ledger, when, for which division and day, and the
    outcome counts. The text itself is not kept: a draft news story is not the ledger's."""

    division = models.ForeignKey(Division, verbose_name=_("所属区划"), on_delete=models.CASCADE)
    as_of = models.DateField(_("核对截止日期"))
    start = models.DateField(_("统计起点"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("核对人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField(_("核对时间"), default=timezone.now)
    digest = models.CharField(_("文本摘要（SHA-256）"), max_length=64)
    chars = models.PositiveIntegerField(_("文本字数"), default=0)
    figures = models.PositiveIntegerField(_("数字个数"), default=0)
    matched = models.PositiveIntegerField(_("一致"), default=0)
    mismatched = models.PositiveIntegerField(_("不一致"), default=0)
    unchecked = models.PositiveIntegerField(_("未核对"), default=0)

    class Meta:
        verbose_name = _("文稿数字核对")
        verbose_name_plural = _("文稿数字核对")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.division} {self.as_of:%Y-%m-%d} 核对"


register(
    Binding,
    ScopeRule(division="division__path", units=("matter__lead_unit", "matter__co_units")),
)
register(FactCheck, ScopeRule(division="division__path"))
