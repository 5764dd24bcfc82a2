"""专项债 packaging of key projects and 三个一批 batch events (集中签约/开工/投产).

Kept beside the project models (imported by projects/models.py) rather than in an app of
their own: both hang off Project, share its scope rule and its figures, and a separate app
would only add a layer for two tables.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

MONEY = {"max_digits": 16, "decimal_places": 2}
ZERO = Decimal("0")


class BondField(models.TextChoices):
    """The fields a 地方政府专项债券 may finance (财政部 专项债券资金投向领域)."""

    TRANSPORT = "transport", _("交通基础设施")
    ENERGY = "energy", _("能源")
    FARM_WATER = "farm_water", _("农林水利")
    ECOLOGY = "ecology", _("生态环保")
    SOCIAL = "social", _("社会事业")
    COLD_CHAIN = "cold_chain", _("城乡冷链物流")
    MUNICIPAL = "municipal", _("市政和产业园区基础设施")
    STRATEGIC = "strategic", _("国家重大战略项目")
    HOUSING = "housing", _("保障性安居工程")
    NEW_INFRA = "new_infra", _("新型基础设施")


class BondStatus(models.TextChoices):
    PLANNING = "planning", _("谋划")
    PACKAGING = "packaging", _("包装")
    POOLED = "pooled", _("入库")
    APPLIED = "applied", _("申报")
    APPROVED = "approved", _("获批")
    ISSUED = "issued", _("发行")
    FUNDED = "funded", _("资金到位")


BOND_ORDER = [s.value for s in BondStatus]


def bond_index(status: str) -> int:
    return BOND_ORDER.index(status)


class BondProject(models.Model):
    """One key project's 专项债 packaging in one year: field, status and the four amounts."""

    project = models.ForeignKey(
        "projects.Project", verbose_name=_("项目"), on_delete=models.CASCADE, related_name="bonds"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    field = models.CharField(_("专项债领域"), max_length=12, choices=BondField.choices)
    status = models.CharField(
        _("包装状态"), max_length=10, choices=BondStatus.choices, default=BondStatus.PLANNING
    )
    applied = models.DecimalField(
        _("拟申请专项债（万元）"),
        **MONEY,
        default=ZERO,
        validators=[MinValueValidator(ZERO)],
    )
    approved = models.DecimalField(
        _("获批额度（万元）"), **MONEY, default=ZERO, validators=[MinValueValidator(ZERO)]
    )
    issued = models.DecimalField(
        _("已发行（万元）"), **MONEY, default=ZERO, validators=[MinValueValidator(ZERO)]
    )
    received = models.DecimalField(
        _("资金到位（万元）"), **MONEY, default=ZERO, validators=[MinValueValidator(ZERO)]
    )
    note = models.CharField(_("备注"), max_length=300, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("专项债项目")
        verbose_name_plural = _("专项债项目")
        ordering = ["-year", "project__code"]
        constraints = [
            models.UniqueConstraint("project", "year", name="bond_unique_project_year"),
            # The chain the services check, kept by the database too.
            models.CheckConstraint(
                condition=models.Q(approved__lte=models.F("applied"))
                & models.Q(issued__lte=models.F("approved"))
                & models.Q(received__lte=models.F("issued")),
                name="bond_amount_chain",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year}年专项债 {self.project}"


class BondStatusChange(models.Model):
    bond = models.ForeignKey(BondProject, on_delete=models.CASCADE, related_name="changes")
    from_status = models.CharField(
        _("原状态"), max_length=10, choices=BondStatus.choices, blank=True
    )
    to_status = models.CharField(_("新状态"), max_length=10, choices=BondStatus.choices)
    date = models.DateField(_("变更日期"))
    reason = models.CharField(_("原因"), max_length=300, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("专项债状态变更")
        verbose_name_plural = _("专项债状态变更")
        ordering = ["date", "id"]

    def __str__(self) -> str:
        return f"{self.bond} {self.get_from_status_display()}→{self.get_to_status_display()}"


class BatchKind(models.TextChoices):
    SIGN = "sign", _("集中签约")
    START = "start", _("集中开工")
    PRODUCE = "produce", _("集中投产")


class BatchEvent(models.Model):
    """A 三个一批 event: many projects signed, started or put into production on one day."""

    division = models.ForeignKey(
        "core.Division", verbose_name=_("所属区划"), on_delete=models.PROTECT
    )
    kind = models.CharField(_("活动类型"), max_length=8, choices=BatchKind.choices)
    date = models.DateField(_("活动日期"))
    place = models.CharField(_("活动地点"), max_length=200, blank=True)
    title = models.CharField(_("活动名称"), max_length=120)
    projects = models.ManyToManyField(
        "projects.Project", verbose_name=_("参加项目"), related_name="batch_events"
    )
    note = models.CharField(_("备注"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("三个一批活动")
        verbose_name_plural = _("三个一批活动")
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.get_kind_display()} {self.title}"
