"""Supervision tasks (督办任务), deputies' suggestions (人大代表建议) and CPPCC proposals (政协提案).

The task itself is a `matters.Matter` (kind supervision_task / suggestion / proposal) running
the one tracked-matter workflow; TaskDetail holds the task-only fields, TaskReport the
periodic progress reports, ReportDraft / DraftRow the work-report → task-table drafts.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from taizhang.core.models import Division, Person, Unit
from taizhang.core.scope import ScopeRule, register
from taizhang.lib.numbers import fmt_value
from taizhang.matters.models import Matter


def plain(value: Decimal | None) -> str:
    """3760.0000 → "3760", 0.4500 → "0.45" (the one rule: `lib.numbers.fmt_value`)."""
    return fmt_value(value)


class TaskSource(models.TextChoices):
    WORK_REPORT = "work_report", _("政府工作报告")
    INSTRUCTION = "instruction", _("领导批示")
    MEETING = "meeting", _("会议议定")
    SUGGESTION = "suggestion", _("人大代表建议")
    PROPOSAL = "proposal", _("政协提案")
    OTHER = "other", _("其他")


class Cycle(models.TextChoices):
    MONTHLY = "monthly", _("每月")
    QUARTERLY = "quarterly", _("每季度")
    NONE = "none", _("不定期")


class Comparator(models.TextChoices):
    GE = ">=", _("不低于（≥）")
    GT = ">", _("超过（>）")
    EQ = "=", _("达到（=）")
    APPROX = "≈", _("左右（≈）")
    LE = "<=", _("不超过（≤）")
    LT = "<", _("低于（<）")


class TaskDetail(models.Model):
    matter = models.OneToOneField(
        Matter, on_delete=models.CASCADE, related_name="task", primary_key=True
    )
    task_source = models.CharField(
        _("任务来源"), max_length=12, choices=TaskSource.choices, default=TaskSource.OTHER
    )
    year = models.PositiveSmallIntegerField(_("年度"), db_index=True)
    serial = models.PositiveIntegerField(_("序号"), null=True, blank=True)
    doc_number = models.CharField(_("文号/编号"), max_length=40, blank=True)
    proposer = models.CharField(_("提出人（代表/委员）"), max_length=60, blank=True)
    target_value = models.DecimalField(
        _("目标值"), max_digits=18, decimal_places=4, null=True, blank=True
    )
    target_unit = models.CharField(_("计量单位"), max_length=20, blank=True)
    comparator = models.CharField(
        _("比较方式"), max_length=2, choices=Comparator.choices, blank=True
    )
    cycle = models.CharField(
        _("报送周期"), max_length=10, choices=Cycle.choices, default=Cycle.MONTHLY
    )
    due_day = models.PositiveSmallIntegerField(_("每期报送截止日"), default=25)
    start = models.DateField(_("起报日期"))
    source_sentence = models.TextField(_("原文"), blank=True)
    evidence = models.TextField(_("办结佐证材料"), blank=True)
    actual_value = models.DecimalField(
        _("最新实际值"), max_digits=18, decimal_places=4, null=True, blank=True
    )
    actual_period = models.CharField(_("实际值所属期"), max_length=10, blank=True)
    # The task's light as dates (taizhang/tasks/lights.py): from ``light_base`` (the day of
    # the last write) on, the light is red from ``red_from``, yellow from ``yellow_from``,
    # green before; overdue from ``overdue_from``; NULL = never. Written by the one Python
    # rule at every write, so lists filter and count lights in SQL; before ``light_base``
    # (or while NULL) the rule is run on the row itself.
    light_base = models.DateField(_("亮灯日期起算日"), null=True, blank=True, editable=False)
    yellow_from = models.DateField(_("黄灯起始日"), null=True, blank=True, editable=False)
    red_from = models.DateField(_("红灯起始日"), null=True, blank=True, editable=False)
    overdue_from = models.DateField(_("逾期起始日"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("督办任务信息")
        verbose_name_plural = _("督办任务信息")

    def __str__(self) -> str:
        return self.matter.title

    @property
    def quantitative(self) -> bool:
        return self.target_value is not None and bool(self.comparator)

    @property
    def target_text(self) -> str:
        return plain(self.target_value)

    @property
    def actual_text(self) -> str:
        return plain(self.actual_value)

    @property
    def target_phrase(self) -> str:
        """The target as a report writes it: "不低于3760人", "6%左右", "不超过5.5%"."""
        if self.target_value is None:
            return ""
        value = f"{self.target_text}{self.target_unit}"
        words = {">=": "不低于", ">": "超过", "<=": "不超过", "<": "低于"}
        if self.comparator == "≈":
            return f"{value}左右"
        return words.get(self.comparator, "") + value

    @property
    def symbol(self) -> str:
        """The comparator as printed in a ledger: ≥ 3760."""
        return {">=": "≥", "<=": "≤"}.get(self.comparator, self.comparator)

    @property
    def number(self) -> str:
        if self.doc_number:
            return self.doc_number
        return self.matter.number


class TaskReport(models.Model):
    """One periodic progress report (进度报送). One per task and period; resubmitting corrects it."""

    matter = models.ForeignKey(Matter, on_delete=models.CASCADE, related_name="task_reports")
    period = models.CharField(_("报送期"), max_length=10)
    due = models.DateField(_("应报日期"))
    submitted_at = models.DateTimeField(_("报送时间"), default=timezone.now)
    submitted_on = models.DateField(_("报送日期"))
    actual_value = models.DecimalField(
        _("实际值（累计）"), max_digits=18, decimal_places=4, null=True, blank=True
    )
    text = models.TextField(_("进展情况"))
    evidence = models.TextField(_("佐证材料"), blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("报送人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    by_name = models.CharField(_("报送人姓名"), max_length=150, blank=True)
    by_unit = models.ForeignKey(
        Unit, verbose_name=_("报送单位"), null=True, blank=True, on_delete=models.SET_NULL
    )
    corrections = models.PositiveSmallIntegerField(_("更正次数"), default=0)
    corrected_at = models.DateTimeField(_("最近更正时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("进度报送")
        verbose_name_plural = _("进度报送")
        ordering = ["matter", "period"]
        constraints = [
            models.UniqueConstraint("matter", "period", name="task_report_once"),
        ]

    def __str__(self) -> str:
        return f"{self.matter} {self.period}"

    @property
    def actual_text(self) -> str:
        return plain(self.actual_value)


class ReportDraft(models.Model):
    """A work report being turned into a task table; survives reloads until published."""

    division = models.ForeignKey(Division, verbose_name=_("所属区划"), on_delete=models.PROTECT)
    title = models.CharField(_("名称"), max_length=120)
    year = models.PositiveSmallIntegerField(_("目标年度"))
    text = models.TextField(_("报告原文"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("创建人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("任务分解草稿")
        verbose_name_plural = _("任务分解草稿")
        ordering = ["-updated_at", "-id"]

    def __str__(self) -> str:
        return self.title


class DraftRowKind(models.TextChoices):
    """A work-report draft row: a quantified target or a qualitative task."""

    TARGET = "target", _("量化指标")
    TASK = "task", _("定性任务")


class DraftRow(models.Model):
    draft = models.ForeignKey(ReportDraft, on_delete=models.CASCADE, related_name="rows")
    order = models.PositiveIntegerField(_("顺序"), default=0)
    kind = models.CharField(_("类型"), max_length=8, choices=DraftRowKind.choices)
    title = models.CharField(_("任务名称"), max_length=120)
    heading = models.CharField(_("所属标题"), max_length=200, blank=True)
    target_value = models.DecimalField(
        _("目标值"), max_digits=18, decimal_places=4, null=True, blank=True
    )
    target_unit = models.CharField(_("计量单位"), max_length=20, blank=True)
    comparator = models.CharField(
        _("比较方式"), max_length=2, choices=Comparator.choices, blank=True
    )
    sentence = models.TextField(_("原文句子"), blank=True)
    start = models.IntegerField(_("起始位置"), null=True, blank=True)
    end = models.IntegerField(_("结束位置"), null=True, blank=True)
    lead_unit = models.ForeignKey(
        Unit,
        verbose_name=_("牵头单位"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    co_units = models.ManyToManyField(
        Unit, verbose_name=_("配合单位"), blank=True, related_name="+"
    )
    leader = models.ForeignKey(
        Person,
        verbose_name=_("责任领导"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    deadline = models.DateField(_("完成时限"), null=True, blank=True)
    cycle = models.CharField(
        _("报送周期"), max_length=10, choices=Cycle.choices, default=Cycle.MONTHLY
    )
    due_day = models.PositiveSmallIntegerField(_("每期报送截止日"), default=25)
    published = models.ForeignKey(
        Matter,
        verbose_name=_("已发布为"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("草稿行")
        verbose_name_plural = _("草稿行")
        ordering = ["draft", "order", "id"]

    def __str__(self) -> str:
        return self.title


_BY_MATTER = ScopeRule(
    division="matter__division__path",
    units=("matter__lead_unit", "matter__co_units"),
    people=("matter__leader",),
)
register(TaskDetail, _BY_MATTER)
register(TaskReport, _BY_MATTER)
# Drafts belong to the supervision office: division staff only (units see none).
register(ReportDraft, ScopeRule(division="division__path"))
register(DraftRow, ScopeRule(division="draft__division__path"))
