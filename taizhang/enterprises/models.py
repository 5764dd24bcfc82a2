"""Enterprises and the service ledger around them: liaison (包联), visits and forums (走访、座谈会).

Problems raised by enterprises are tracked matters (taizhang.matters).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Category(models.TextChoices):
    """四上企业 categories; blank means not above the statistical thresholds."""

    INDUSTRY = "industry", _("规上工业")
    CONSTRUCTION = "construction", _("资质等级建筑业")
    TRADE = "trade", _("限额以上批零住餐")
    SERVICE = "service", _("规上服务业")


class Enterprise(models.Model):
    name = models.CharField(_("企业名称"), max_length=120)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, unique=True)
    division = models.ForeignKey(
        "core.Division", verbose_name=_("所属区划"), on_delete=models.PROTECT
    )
    park = models.ForeignKey(
        "core.Unit",
        verbose_name=_("所在园区"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="park_enterprises",
    )
    industry_chain = models.ForeignKey(
        "projects.IndustryChain",
        verbose_name=_("产业链"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
    )
    category = models.CharField(
        _("四上类别"), max_length=12, choices=Category.choices, blank=True, default=""
    )
    legal_rep = models.CharField(_("法定代表人"), max_length=40, blank=True)
    contact = models.CharField(_("联系人"), max_length=40, blank=True)
    phone = models.CharField(_("联系电话"), max_length=30, blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    is_synthetic = models.BooleanField(_("演示合成数据"), default=False)
    search_key = models.CharField(max_length=400, blank=True, db_index=True, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("企业")
        verbose_name_plural = _("企业")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Liaison(models.Model):
    """A leader or cadre answering for an enterprise or a key project (包联), for a period."""

    class Role(models.TextChoices):
        LEADER = "leader", _("包联领导")
        CADRE = "cadre", _("包联干部")
        OFFICER = "officer", _("服务专员")
        CHIEF = "chief", _("首席服务官")
        STATIONED = "stationed", _("驻厂专员")

    # Every service officer; the stationed ones (驻厂专员/首席服务官, seed 004's 派驻制度)
    # are also counted apart, as STATIONED_ROLES.
    OFFICER_ROLES = (Role.OFFICER, Role.CHIEF, Role.STATIONED)
    STATIONED_ROLES = (Role.CHIEF, Role.STATIONED)

    person = models.ForeignKey(
        "core.Person", verbose_name=_("包联人"), on_delete=models.PROTECT, related_name="liaisons"
    )
    role = models.CharField(_("包联身份"), max_length=10, choices=Role.choices)
    enterprise = models.ForeignKey(
        Enterprise,
        verbose_name=_("包联企业"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="liaisons",
    )
    project = models.ForeignKey(
        "projects.Project",
        verbose_name=_("包联项目"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="liaisons",
    )
    # Copied from the enterprise or project so one scope lookup covers both targets.
    division = models.ForeignKey(
        "core.Division", verbose_name=_("所属区划"), on_delete=models.PROTECT, editable=False
    )
    start = models.DateField(_("开始日期"))
    end = models.DateField(_("结束日期"), null=True, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("包联")
        verbose_name_plural = _("包联")
        ordering = ["-start", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(enterprise__isnull=False, project__isnull=True)
                | models.Q(enterprise__isnull=True, project__isnull=False),
                name="liaison_one_target",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person.name} {self.get_role_display()} {self.enterprise or self.project}"


def active_on(day) -> models.Q:
    """Liaison rows in force on `day`, as a filter on Liaison."""
    return models.Q(start__lte=day) & (models.Q(end__isnull=True) | models.Q(end__gte=day))


class VisitKind(models.TextChoices):
    """How an enterprise was met: a visit, a forum or a service day."""

    VISIT = "visit", _("走访")
    FORUM = "forum", _("座谈会")
    SERVICE_DAY = "service_day", _("企业服务日")


class Visit(models.Model):
    """A visit (走访), a forum (座谈会) or an enterprise service day (企业服务日) activity."""

    kind = models.CharField(
        _("类型"), max_length=12, choices=VisitKind.choices, default=VisitKind.VISIT
    )
    division = models.ForeignKey(
        "core.Division", verbose_name=_("所属区划"), on_delete=models.PROTECT
    )
    date = models.DateField(_("日期"), db_index=True)
    title = models.CharField(_("主题"), max_length=120, blank=True)
    notes = models.TextField(_("情况记录"), blank=True)
    # Where the visit was logged, only when the user pressed 记录位置 (browser geolocation):
    # both set or both empty (clean_visit), WGS-84 degrees to about 0.1 m.
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(
        _("经度"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    persons = models.ManyToManyField(
        "core.Person", verbose_name=_("参加人员"), blank=True, related_name="visits"
    )
    enterprises = models.ManyToManyField(
        Enterprise, verbose_name=_("走访企业"), blank=True, related_name="visits"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_synthetic = models.BooleanField(_("演示合成数据"), default=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("走访与座谈")
        verbose_name_plural = _("走访与座谈")
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["kind", "date"])]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.get_kind_display()} {self.title}".strip()


from taizhang.core.scope import Active, ScopeRule, register  # noqa: E402

# Units see enterprises in their park and those whose problems they handle; cadres the
# enterprises they are liaison for; an enterprise user only itself.
register(
    Enterprise,
    ScopeRule(
        division="division__path",
        units=("park", "matters__lead_unit", "matters__co_units"),
        # Its liaison cadres, and the leader answering for one of its problems.
        people=(Active("liaisons"), "matters__leader"),
        enterprise="pk",
    ),
)
register(
    Liaison,
    ScopeRule(
        division="division__path",
        units=("enterprise__park",),
        people=("person",),
        enterprise="enterprise",
    ),
)
register(
    Visit,
    ScopeRule(
        division="division__path",
        units=("persons__unit",),
        people=("persons",),
        enterprise="enterprises",
    ),
)

from taizhang.attachments.owners import register_owner  # noqa: E402

register_owner("visit", Visit, "走访")
