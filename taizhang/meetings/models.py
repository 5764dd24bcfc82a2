"""推进会 (project progress meetings) and 领导批示 (leaders' instructions).

Neither is a new kind of tracked matter: each 议定事项 and each 批示 becomes a supervision
task (matters.Matter of kind supervision_task, TaskDetail.task_source meeting / instruction)
created by tasks.services.do_create_task. The link from the task back to its source lives
here (Decision.matter, Instruction.task), because tasks sits below meetings in the layers.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from taizhang.core.models import Division, Person, Unit
from taizhang.core.scope import ScopeRule, register
from taizhang.matters.models import Matter


class MeetingKind(models.TextChoices):
    PROGRESS = "progress", _("重点产业项目推进会")
    TOPIC = "topic", _("专题会")
    SITE = "site", _("现场会")


class Meeting(models.Model):
    division = models.ForeignKey(Division, verbose_name=_("所属区划"), on_delete=models.PROTECT)
    kind = models.CharField(
        _("会议类型"), max_length=10, choices=MeetingKind.choices, default=MeetingKind.PROGRESS
    )
    title = models.CharField(_("会议名称"), max_length=120)
    date = models.DateField(_("会议日期"), db_index=True)
    place = models.CharField(_("会议地点"), max_length=120, blank=True)
    chair = models.ForeignKey(
        Person, verbose_name=_("主持人"), on_delete=models.PROTECT, related_name="chaired_meetings"
    )
    attendees = models.ManyToManyField(
        Person, verbose_name=_("出席人员"), blank=True, related_name="attended_meetings"
    )
    attendee_units = models.ManyToManyField(
        Unit, verbose_name=_("列席单位"), blank=True, related_name="attended_meetings"
    )
    summary = models.TextField(_("会议内容"), blank=True)
    year = models.PositiveSmallIntegerField(_("年度"))
    serial = models.PositiveIntegerField(_("纪要序号"))
    doc_number = models.CharField(_("纪要文号"), max_length=40)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("会议")
        verbose_name_plural = _("会议")
        ordering = ["-date", "-id"]
        constraints = [
            models.UniqueConstraint("division", "year", "serial", name="meeting_serial_once"),
        ]

    def __str__(self) -> str:
        return f"{self.title}（{self.date:%Y-%m-%d}）"


class MeetingItem(models.Model):
    """One item discussed (议题): a project, an enterprise or a problem."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="items")
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)
    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("项目"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="meeting_items",
    )
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name=_("企业"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="meeting_items",
    )
    problem = models.ForeignKey(
        Matter,
        verbose_name=_("问题"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="meeting_items",
    )

    class Meta:
        verbose_name = _("会议议题")
        verbose_name_plural = _("会议议题")
        ordering = ["meeting", "order", "id"]
        constraints = [
            # Exactly one subject per item.
            models.CheckConstraint(
                condition=(
                    models.Q(project__isnull=False, enterprise__isnull=True, problem__isnull=True)
                    | models.Q(project__isnull=True, enterprise__isnull=False, problem__isnull=True)
                    | models.Q(project__isnull=True, enterprise__isnull=True, problem__isnull=False)
                ),
                name="meeting_item_one_subject",
            ),
        ]

    def __str__(self) -> str:
        return str(self.subject)

    @property
    def subject(self):
        return self.project or self.enterprise or self.problem

    @property
    def subject_label(self) -> str:
        if self.project_id:
            return str(_("项目"))
        if self.enterprise_id:
            return str(_("企业"))
        return str(_("问题"))


class Decision(models.Model):
    """一条议定事项: its text here, its handling in the supervision task `matter`."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="decisions")
    order = models.PositiveSmallIntegerField(_("序号"))
    text = models.TextField(_("议定事项"))
    matter = models.OneToOneField(
        Matter,
        verbose_name=_("督办任务"),
        on_delete=models.PROTECT,
        related_name="meeting_decision",
    )
    problem = models.ForeignKey(
        Matter,
        verbose_name=_("所涉问题"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="meeting_decisions",
    )

    class Meta:
        verbose_name = _("议定事项")
        verbose_name_plural = _("议定事项")
        ordering = ["meeting", "order"]
        constraints = [
            models.UniqueConstraint("meeting", "order", name="decision_order_once"),
        ]

    def __str__(self) -> str:
        return f"{self.meeting.doc_number} 第{self.order}项"


class Instruction(models.Model):
    """一条领导批示 on a matter, a project or a document, turned into a supervision task."""

    division = models.ForeignKey(Division, verbose_name=_("所属区划"), on_delete=models.PROTECT)
    leader = models.ForeignKey(
        Person, verbose_name=_("批示领导"), on_delete=models.PROTECT, related_name="instructions"
    )
    text = models.TextField(_("批示内容"))
    given_on = models.DateField(_("批示日期"), db_index=True)
    on_matter = models.ForeignKey(
        Matter,
        verbose_name=_("批示事项"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="instructions",
    )
    on_project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("批示项目"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="instructions",
    )
    doc_title = models.CharField(_("批示文件"), max_length=120, blank=True)
    task = models.OneToOneField(
        Matter,
        verbose_name=_("转办督办任务"),
        on_delete=models.PROTECT,
        related_name="from_instruction",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("领导批示")
        verbose_name_plural = _("领导批示")
        ordering = ["-given_on", "-id"]

    def __str__(self) -> str:
        return f"{self.leader.name}批示（{self.given_on:%Y-%m-%d}）"

    @property
    def subject(self) -> str:
        if self.on_matter_id:
            return self.on_matter.title
        if self.on_project_id:
            return self.on_project.name
        return self.doc_title


# A meeting is the district's; a unit sees the meetings it attended or must act on, a
# cadre those they chaired or attended. Decisions and instructions follow their task.
register(
    Meeting,
    ScopeRule(
        division="division__path",
        units=("attendee_units", "decisions__matter__lead_unit", "decisions__matter__co_units"),
        people=("chair", "attendees"),
    ),
)
register(
    Decision,
    ScopeRule(
        division="meeting__division__path",
        units=("matter__lead_unit", "matter__co_units"),
        people=("matter__leader", "meeting__chair"),
    ),
)
register(
    MeetingItem,
    ScopeRule(
        division="meeting__division__path",
        units=("meeting__attendee_units", "meeting__decisions__matter__lead_unit"),
        people=("meeting__chair", "meeting__attendees"),
    ),
)
register(
    Instruction,
    ScopeRule(
        division="division__path",
        units=("task__lead_unit", "task__co_units"),
        people=("leader", "task__leader"),
    ),
)
