"""信访件 (petitions) with 领导包案: a `matters.Matter` of kind "petition" running the one
step table (registered in taizhang.petitions.steps); PetitionDetail holds the petition-only
fields, PetitionVisit the 带案下访 visits of the leader in charge.

The petitioner's name, phone and ID number are personal data: pages, API answers and
exports show them masked (rules.mask_*) except to the case handlers and the office, and
every unmasked view is audited (services.personal_data)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from taizhang.attachments.owners import register_owner
from taizhang.core.models import Person
from taizhang.core.scope import ScopeRule, register
from taizhang.matters.models import Matter
from taizhang.petitions import rules
from taizhang.petitions.access import is_handler


class Channel(models.TextChoices):
    LETTER = "letter", _("来信")
    VISIT = "visit", _("来访")
    ONLINE = "online", _("网上信访")
    HOTLINE = "hotline", _("12345热线")
    MAILBOX = "mailbox", _("领导信箱")


class Category(models.TextChoices):
    REPORT = "report", _("检举控告")
    APPEAL = "appeal", _("申诉")
    REQUEST = "request", _("诉求求决")
    SUGGESTION = "suggestion", _("意见建议")
    OTHER = "other", _("其他")


class Mediation(models.TextChoices):
    SUCCESS = "success", _("调解成功")
    PARTIAL = "partial", _("部分成功")
    FAILED = "failed", _("调解未成")


_STATUS_WORDS = {"reported": "已答复", "rated": "已回访", "returned": "重新办理"}


class PetitionDetail(models.Model):
    matter = models.OneToOneField(
        Matter, on_delete=models.CASCADE, related_name="petition", primary_key=True
    )
    # Personal data: blank name = 匿名.
    petitioner_name = models.CharField(_("信访人姓名"), max_length=40, blank=True)
    petitioner_phone = models.CharField(_("联系电话"), max_length=11, blank=True)
    petitioner_id_number = models.CharField(_("身份证号"), max_length=18, blank=True)
    channel = models.CharField(_("信访渠道"), max_length=10, choices=Channel.choices)
    category = models.CharField(
        _("信访类别"), max_length=12, choices=Category.choices, default=Category.OTHER
    )
    is_repeat = models.BooleanField(_("重复访"), default=False)
    is_collective = models.BooleanField(_("集体访"), default=False)
    is_skip_level = models.BooleanField(_("越级访"), default=False)
    is_key = models.BooleanField(_("疑难/重点"), default=False)
    people_count = models.PositiveSmallIntegerField(_("来访人数（接待人次）"), default=1)
    leader_since = models.DateField(_("包案日期"), null=True, blank=True)
    rejected_on = models.DateField(_("不予受理日期"), null=True, blank=True)
    resolved_on = models.DateField(_("化解日期"), null=True, blank=True)
    mediation_outcome = models.CharField(
        _("调解结果"), max_length=8, choices=Mediation.choices, blank=True
    )
    mediation_agreement = models.TextField(_("调解协议"), blank=True)
    mediation_on = models.DateField(_("调解日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("信访件信息")
        verbose_name_plural = _("信访件信息")
        indexes = [models.Index(fields=["channel"]), models.Index(fields=["resolved_on"])]

    def __str__(self) -> str:
        return self.matter.title

    @property
    def flagged(self) -> bool:
        """疑难、重点或重复访: the cases 领导包案 is meant for (the figures count these)."""
        return self.is_key or self.is_repeat

    @property
    def flag_labels(self) -> list[str]:
        names = (
            ("is_repeat", "重复访"),
            ("is_collective", "集体访"),
            ("is_skip_level", "越级访"),
            ("is_key", "疑难/重点"),
        )
        return [label for f, label in names if getattr(self, f)]

    @property
    def status_label(self) -> str:
        """The status in 信访 words: 答复 is the workflow's 办结, 化解/办结 its 销号."""
        status = self.matter.status
        if status == "closed":
            if self.rejected_on:
                return "不予受理"
            return "已化解" if self.resolved_on else "已办结"
        return _STATUS_WORDS.get(status) or self.matter.get_status_display()

    @property
    def masked(self) -> dict[str, str]:
        return {
            "petitioner_name": rules.mask_name(self.petitioner_name),
            "petitioner_phone": rules.mask_phone(self.petitioner_phone),
            "petitioner_id_number": rules.mask_id(self.petitioner_id_number),
        }


class PetitionVisit(models.Model):
    """带案下访: the leader in charge goes to the petitioner (date, place, who was met)."""

    matter = models.ForeignKey(Matter, on_delete=models.CASCADE, related_name="petition_visits")
    leader = models.ForeignKey(
        Person, verbose_name=_("下访领导"), on_delete=models.PROTECT, related_name="+"
    )
    date = models.DateField(_("下访日期"))
    place = models.CharField(_("地点"), max_length=120)
    met = models.CharField(_("接谈对象"), max_length=200)
    note = models.TextField(_("情况记录"), blank=True)
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
        verbose_name = _("带案下访")
        verbose_name_plural = _("带案下访")
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.place}"


# Same reach as the matter itself: the district's office and leaders, the handling units,
# the leader in charge. Enterprises never (a petition has no enterprise).
_PETITION_RULE = ScopeRule(
    division="matter__division__path",
    units=("matter__lead_unit", "matter__co_units"),
    people=("matter__leader",),
)
register(PetitionDetail, _PETITION_RULE)
register(PetitionVisit, _PETITION_RULE)


def _may_attach(scope, visit: PetitionVisit) -> bool:
    # The case's handlers add visit photos: the 包案领导 too, though a read-only leader elsewhere.
    return is_handler(scope, visit.matter)


register_owner("petition_visit", PetitionVisit, "带案下访", can_attach=_may_attach)
