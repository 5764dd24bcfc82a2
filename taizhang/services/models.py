"""政务服务 cases imported from the service hall, and 银企对接 financing needs with banks' responses.

A case belongs to its district and its handling unit; a financing need to an enterprise of
the district. Figures are computed from these rows (taizhang.services.figures), never stored.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from taizhang.core.models import Division, Unit
from taizhang.core.scope import Active, ScopeRule, register
from taizhang.matters.models import Matter


class Evaluation(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    BASIC = "basic", _("基本满意")
    UNSATISFIED = "unsatisfied", _("不满意")


class ServiceCase(models.Model):
    """One 行政许可或服务事项 case as the service hall's system exports it."""

    division = models.ForeignKey(Division, verbose_name=_("所属区划"), on_delete=models.PROTECT)
    number = models.CharField(_("办件编号"), max_length=40)
    item = models.CharField(_("事项名称"), max_length=120)
    unit = models.ForeignKey(Unit, verbose_name=_("办理单位"), on_delete=models.PROTECT)
    accepted_on = models.DateField(_("受理日期"), db_index=True)
    limit_workdays = models.PositiveSmallIntegerField(_("承诺时限（工作日）"))
    finished_on = models.DateField(_("办结日期"), null=True, blank=True)
    evaluation = models.CharField(_("评价"), max_length=12, choices=Evaluation.choices, blank=True)
    applicant = models.CharField(_("申请人"), max_length=80, blank=True)
    # The supervision task made from this case when it ran past its limit (one at most).
    matter = models.OneToOneField(
        Matter,
        verbose_name=_("督办事项"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="service_case",
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("政务服务办件")
        verbose_name_plural = _("政务服务办件")
        ordering = ["-accepted_on", "-id"]
        constraints = [
            models.UniqueConstraint("division", "number", name="service_case_number_unique")
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.item}"


class Bank(models.Model):
    """The managed list of banks a response may name (admin-maintained, like 问题类别)."""

    name = models.CharField(_("银行名称"), max_length=60, unique=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("银行")
        verbose_name_plural = _("银行")
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


# The banks a county's 银企对接会 usually seats (the list migration 0002 starts with).
DEFAULT_BANKS = [
    "中国工商银行",
    "中国农业银行",
    "中国银行",
    "中国建设银行",
    "交通银行",
    "中国邮政储蓄银行",
    "中原银行",
    "平顶山银行",
    "农村商业银行",
    "郑州银行",
]


def ensure_default_banks() -> None:
    """The managed list is never empty (a flushed database, e.g. between tests, loses the
    migration's rows); the admin edits it afterwards."""
    if not Bank.objects.exists():
        Bank.objects.bulk_create([Bank(name=n, order=i) for i, n in enumerate(DEFAULT_BANKS)])


class FinancingNeed(models.Model):
    """An enterprise's financing need (融资需求) published to the banks."""

    division = models.ForeignKey(Division, verbose_name=_("所属区划"), on_delete=models.PROTECT)
    enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name=_("企业"),
        on_delete=models.PROTECT,
        related_name="financing_needs",
    )
    amount = models.DecimalField(_("融资需求（万元）"), max_digits=14, decimal_places=2)
    purpose = models.CharField(_("资金用途"), max_length=200)
    term_months = models.PositiveSmallIntegerField(_("期限（月）"))
    published_on = models.DateField(_("发布日期"), db_index=True)
    problem = models.OneToOneField(
        Matter,
        verbose_name=_("来源问题"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="financing_need",
    )
    note = models.CharField(_("备注"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("融资需求")
        verbose_name_plural = _("融资需求")
        ordering = ["-published_on", "-id"]

    def __str__(self) -> str:
        return f"{self.enterprise.name} {self.purpose}"


class ResponseStatus(models.TextChoices):
    MATCHING = "matching", _("对接中")
    INTENTION = "intention", _("达成意向")
    GRANTED = "granted", _("已授信")
    LOANED = "loaned", _("已放款")
    FAILED = "failed", _("未成")


class BankResponse(models.Model):
    """One bank's answer to one need, moving 对接中 → 达成意向 → 已授信 → 已放款 (or 未成)."""

    need = models.ForeignKey(FinancingNeed, on_delete=models.CASCADE, related_name="responses")
    bank = models.ForeignKey(Bank, verbose_name=_("银行"), on_delete=models.PROTECT)
    status = models.CharField(
        _("对接状态"),
        max_length=10,
        choices=ResponseStatus.choices,
        default=ResponseStatus.MATCHING,
    )
    started_on = models.DateField(_("对接日期"))
    intention_amount = models.DecimalField(
        _("意向金额（万元）"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    intention_on = models.DateField(_("达成意向日期"), null=True, blank=True)
    granted_amount = models.DecimalField(
        _("授信金额（万元）"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    granted_on = models.DateField(_("授信日期"), null=True, blank=True)
    loaned_amount = models.DecimalField(
        _("放款金额（万元）"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    loaned_on = models.DateField(_("放款日期"), null=True, blank=True)
    failed_on = models.DateField(_("未成日期"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("银行对接")
        verbose_name_plural = _("银行对接")
        ordering = ["need", "bank__order", "id"]
        constraints = [models.UniqueConstraint("need", "bank", name="bank_response_once_per_bank")]

    def __str__(self) -> str:
        return f"{self.bank.name} {self.get_status_display()}"


# Cases: the district's office and leaders, and the handling unit for its own cases.
register(ServiceCase, ScopeRule(division="division__path", units=("unit",)))
# Needs: the office and leaders, the enterprise's park, its liaison cadres and the enterprise.
register(
    FinancingNeed,
    ScopeRule(
        division="division__path",
        units=("enterprise__park",),
        people=(Active("enterprise__liaisons"),),
        enterprise="enterprise",
    ),
)
register(
    BankResponse,
    ScopeRule(
        division="need__division__path",
        units=("need__enterprise__park",),
        people=(Active("need__enterprise__liaisons"),),
        enterprise="need__enterprise",
    ),
)
