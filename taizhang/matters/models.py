"""Tracked matters (督办事项): one workflow for enterprise problems, supervision tasks,
suggestions and proposals (each kind registers its steps in taizhang.matters.steps).
Kind-specific fields are nullable columns here, never a copy of the workflow.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from taizhang.attachments.owners import register_owner
from taizhang.core.models import Division, Person, Unit
from taizhang.core.scope import Active, ScopeRule, register


class Kind(models.TextChoices):
    ENTERPRISE_PROBLEM = "enterprise_problem", _("企业问题")
    SUPERVISION_TASK = "supervision_task", _("督办任务")
    SUGGESTION = "suggestion", _("人大代表建议")
    PROPOSAL = "proposal", _("政协提案")
    # 信访件, registered on the step table by taizhang.petitions.
    PETITION = "petition", _("信访件")
    RECTIFICATION = "rectification", _("创文整改")


class Source(models.TextChoices):
    VISIT = "visit", _("走访")
    FORUM = "forum", _("座谈会")
    SERVICE_DAY = "service_day", _("企业服务日")
    SELF = "self", _("企业自报")
    HOTLINE = "hotline", _("热线")
    OTHER = "other", _("其他")


class Status(models.TextChoices):
    SUBMITTED = "submitted", _("待受理")
    ACCEPTED = "accepted", _("已受理")
    ASSIGNED = "assigned", _("已交办")
    IN_PROGRESS = "in_progress", _("办理中")
    RETURNED = "returned", _("退回重办")
    REPORTED = "reported", _("已办结")
    RATED = "rated", _("已评价")
    CLOSED = "closed", _("已销号")


# Reported, rated or closed: the lead unit's work is done (lateness stops counting).
FINISHED = frozenset({Status.REPORTED, Status.RATED, Status.CLOSED})


class Rating(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    BASIC = "basic", _("基本满意")
    UNSATISFIED = "unsatisfied", _("不满意")


class ProblemCategory(models.Model):
    """A managed list (融资、用地 …) with the default working-day limit for 交办."""

    name = models.CharField(_("问题类别"), max_length=30, unique=True)
    default_workdays = models.PositiveSmallIntegerField(_("默认办理时限（工作日）"), default=7)
    is_complex = models.BooleanField(_("复杂问题"), default=False)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("问题类别")
        verbose_name_plural = _("问题类别")
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


ORDINARY_WORKDAYS = 7
COMPLEX_WORKDAYS = 30
DEFAULT_CATEGORIES = [
    # name, complex
    ("融资", True),
    ("用地", True),
    ("用工", False),
    ("审批手续", False),
    ("政策兑现", False),
    ("水电气暖", False),
    ("基础设施", True),
    ("市场开拓", False),
    ("其他", False),
]


def ensure_default_categories() -> None:
    if ProblemCategory.objects.exists():
        return
    ProblemCategory.objects.bulk_create(
        [
            ProblemCategory(
                name=name,
                is_complex=cx,
                order=i,
                default_workdays=COMPLEX_WORKDAYS if cx else ORDINARY_WORKDAYS,
            )
            for i, (name, cx) in enumerate(DEFAULT_CATEGORIES)
        ]
    )


class Matter(models.Model):
    kind = models.CharField(_("事项类型"), max_length=20, choices=Kind.choices, db_index=True)
    division = models.ForeignKey(Division, verbose_name=_("所属区划"), on_delete=models.PROTECT)
    title = models.CharField(_("事项标题"), max_length=120)
    description = models.TextField(_("具体内容"), blank=True)
    source = models.CharField(
        _("来源"), max_length=20, choices=Source.choices, default=Source.OTHER
    )
    # Enterprise problems; other kinds leave these empty.
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name=_("企业"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="matters",
    )
    category = models.ForeignKey(
        ProblemCategory, verbose_name=_("问题类别"), null=True, blank=True, on_delete=models.PROTECT
    )
    visit = models.ForeignKey(
        "enterprises.Visit",
        verbose_name=_("提出场合（走访/座谈）"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="problems",
    )
    raised_on = models.DateField(_("提出日期"), db_index=True)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("提出人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    raised_by_name = models.CharField(_("提出人姓名"), max_length=60, blank=True)
    # Who handles it.
    lead_unit = models.ForeignKey(
        Unit,
        verbose_name=_("主办单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="led_matters",
    )
    co_units = models.ManyToManyField(
        Unit, verbose_name=_("协办单位"), blank=True, related_name="co_matters"
    )
    leader = models.ForeignKey(
        Person,
        verbose_name=_("责任领导"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="led_matters",
    )
    # Workflow state.
    status = models.CharField(
        _("状态"), max_length=12, choices=Status.choices, default=Status.SUBMITTED, db_index=True
    )
    accepted_on = models.DateField(_("受理日期"), null=True, blank=True)
    assigned_on = models.DateField(_("交办日期"), null=True, blank=True)
    deadline = models.DateField(_("办理时限"), null=True, blank=True)
    original_deadline = models.DateField(_("首次时限"), null=True, blank=True)
    finished_on = models.DateField(_("办结日期"), null=True, blank=True)
    closed_on = models.DateField(_("销号日期"), null=True, blank=True)
    rating = models.CharField(_("企业评价"), max_length=12, choices=Rating.choices, blank=True)
    rating_comment = models.CharField(_("评价意见"), max_length=500, blank=True)
    rated_on = models.DateField(_("评价日期"), null=True, blank=True)
    round = models.PositiveSmallIntegerField(_("办理轮次"), default=1)
    pending_deadline = models.DateField(_("申请延期至"), null=True, blank=True)
    pending_reason = models.CharField(_("延期理由"), max_length=300, blank=True)
    is_synthetic = models.BooleanField(_("演示合成数据"), default=False)
    # Similar problems (docs/similar.md): the words of the title and description, written
    # on creation, so the database prefilters candidates before any text is scored.
    similar_keys = models.CharField(
        _("相似检索词"), max_length=300, blank=True, default="", editable=False
    )
    # 合并: a duplicate closed into the problem it repeats; that problem keeps the
    # duplicate's enterprise among its own.
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("并入问题"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_problems",
    )
    other_enterprises = models.ManyToManyField(
        "enterprises.Enterprise",
        verbose_name=_("合并带入的企业"),
        blank=True,
        related_name="merged_matters",
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("督办事项")
        verbose_name_plural = _("督办事项")
        ordering = ["-raised_on", "-id"]
        indexes = [
            models.Index(fields=["kind", "status", "deadline"]),
            # Every ledger list's order: its first page is the index's first entries.
            models.Index(fields=["kind", "-raised_on", "-id"], name="matter_kind_raised_idx"),
            # The red light's finished-but-not-by-then rows (timing.light_q): finished
            # statuses with no 办结 date or a later one are an index range, not a filter
            # over every closed problem.
            models.Index(
                fields=["kind", "status", "finished_on"], name="matter_kind_status_fin_idx"
            ),
            # One division's problems of one month: what the problem rollup recomputes on every
            # write (without it a district's month reads every problem of its divisions).
            models.Index(fields=["division", "raised_on"], name="matter_division_raised_idx"),
            # The dashboard's open problems past their deadline (counted live, not rolled up:
            # they change with the day): a few per division among millions of problems.
            models.Index(
                fields=["division", "deadline"],
                condition=models.Q(
                    kind="enterprise_problem", status__in=["assigned", "in_progress", "returned"]
                ),
                name="matter_open_problem_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def number(self) -> str:
        # A task (suggestion, proposal) is numbered in its own year (DB2027-…), which need
        # not be the year it was raised in; lists select_related("task") to avoid a query.
        detail = getattr(self, "task", None) if self.kind in TASK_NUMBERED else None
        year = detail.year if detail is not None else self.raised_on.year
        return number_of(self.kind, year, self.pk)


NUMBER_PREFIX = {
    "enterprise_problem": "WQ",
    "supervision_task": "DB",
    "suggestion": "JY",
    "proposal": "TA",
    "petition": "XF",
    "rectification": "ZG",
}
TASK_NUMBERED = {"supervision_task", "suggestion", "proposal"}  # numbered in the task's year


def number_of(kind: str, year: int, pk: int) -> str:
    """A matter's number (WQ2024-00012) from plain values: exports read rows as tuples.

    ``year`` is the task's year for the kinds in TASK_NUMBERED, else the year raised.
    """
    return f"{NUMBER_PREFIX.get(kind, 'SX')}{year}-{pk:05d}"


class MatterStep(models.Model):
    """One stamp in a matter's history: what was done, by whom, when."""

    matter = models.ForeignKey(Matter, on_delete=models.CASCADE, related_name="steps")
    action = models.CharField(_("环节"), max_length=20)
    label = models.CharField(_("环节名称"), max_length=20)
    from_status = models.CharField(_("原状态"), max_length=12, choices=Status.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=12, choices=Status.choices)
    date = models.DateField(_("日期"))
    at = models.DateTimeField(_("时间"), default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    by_name = models.CharField(_("操作人姓名"), max_length=150, blank=True)
    by_unit = models.ForeignKey(
        Unit,
        verbose_name=_("操作单位"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    note = models.TextField(_("说明"), blank=True)
    deadline_before = models.DateField(_("原时限"), null=True, blank=True)
    deadline_after = models.DateField(_("新时限"), null=True, blank=True)
    rating = models.CharField(_("评价"), max_length=12, choices=Rating.choices, blank=True)
    round = models.PositiveSmallIntegerField(_("轮次"), default=1)

    class Meta:
        verbose_name = _("办理环节")
        verbose_name_plural = _("办理环节")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.matter} · {self.label}"


class NotificationKind(models.TextChoices):
    """What a notification is about (reminders, steps, 督办单)."""

    YELLOW = "yellow", _("临期提醒")
    RED = "red", _("逾期提醒")
    ESCALATE = "escalate", _("逾期升级")
    STEP = "step", _("办理动态")
    # 督办单 (催办 notices) escalate blue → yellow → red; NOTICE is one issued by hand.
    DB_BLUE = "db_blue", _("蓝色督办单")
    DB_YELLOW = "db_yellow", _("黄色督办单")
    DB_RED = "db_red", _("红色督办单")
    NOTICE = "notice", _("督办单（督查室签发）")


class Notification(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    matter = models.ForeignKey(
        Matter, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("类型"), max_length=10, choices=NotificationKind.choices)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed = models.BooleanField(_("已发邮件"), default=False)

    class Meta:
        verbose_name = _("站内通知")
        verbose_name_plural = _("站内通知")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class NoticeLevel(models.TextChoices):
    BLUE = "blue", _("蓝色")
    YELLOW = "yellow", _("黄色")
    RED = "red", _("红色")


class Reminder(models.Model):
    """What `taizhang remind` has already sent: the unique key makes a rerun send nothing twice."""

    matter = models.ForeignKey(Matter, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(_("类型"), max_length=10, choices=NotificationKind.choices)
    deadline = models.DateField(_("对应时限"))
    sent_on = models.DateField(_("发送日期"))
    at = models.DateTimeField(default=timezone.now)
    recipients = models.PositiveSmallIntegerField(_("接收人数"), default=0)
    level = models.CharField(_("督办单等级"), max_length=8, choices=NoticeLevel.choices, blank=True)
    note = models.CharField(_("督办要求"), max_length=500, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("签发人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("提醒记录")
        verbose_name_plural = _("提醒记录")
        constraints = [
            models.UniqueConstraint("matter", "kind", "deadline", name="reminder_once"),
        ]

    def __str__(self) -> str:
        return f"{self.matter} {self.kind} {self.deadline}"


MATTER_RULE = ScopeRule(
    division="division__path",
    units=("lead_unit", "co_units"),
    people=("leader", Active("enterprise__liaisons")),
    enterprise="enterprise",
)
register(Matter, MATTER_RULE)
for _model in (MatterStep, Notification, Reminder):
    register(
        _model,
        ScopeRule(
            division="matter__division__path",
            units=("matter__lead_unit", "matter__co_units"),
            people=("matter__leader", Active("matter__enterprise__liaisons")),
            enterprise="matter__enterprise",
        ),
    )

# Files (佐证材料) may belong to any matter: problems, tasks, suggestions, proposals.
register_owner("matter", Matter, "事项")


class ProblemRollup(models.Model):
    """Enterprise problems raised in one month, counted as they stand now, per rollup division
    (the problem's district, or its own division where it has none) × year × month of 提出 ×
    one grouping of the dashboard (``dim``: status, category, closed month, lead unit) × its
    value (``key``, '' for none). The province's dashboard sums these rows instead of grouping
    every problem of the year; ``taizhang.matters.rollup`` keeps them equal to the problems,
    in the same transaction as each change, and rebuilds them."""

    division = models.ForeignKey(Division, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    month = models.PositiveSmallIntegerField()
    dim = models.CharField(max_length=8)
    key = models.CharField(max_length=20, blank=True)
    # The category and lead unit of those dims (their id is the key): the figures group by
    # name, as the raw counts do.
    category = models.ForeignKey(
        ProblemCategory, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    unit = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # The counts of figures.TALLY but overdue_open, which depends on the day it is read.
    raised = models.PositiveIntegerField(default=0)
    resolved = models.PositiveIntegerField(default=0)
    finished = models.PositiveIntegerField(default=0)
    finished_on_time = models.PositiveIntegerField(default=0)
    rated = models.PositiveIntegerField(default=0)
    satisfied = models.PositiveIntegerField(default=0)
    span_sum = models.BigIntegerField(default=0)
    spans = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                "division", "year", "month", "dim", "key", name="problem_rollup_unique"
            )
        ]
        # Each figure reads one dim of one year under a division path.
        indexes = [models.Index(fields=["year", "dim", "division"], name="problem_rollup_year")]

    def __str__(self) -> str:
        return f"{self.division_id} {self.year}年{self.month}月 {self.dim}={self.key} {self.raised}"
