"""创文 (civilised-city campaign): the 测评体系 tree by year (板块 → 内容 → 标准), the
inspection points with their 包保 leaders, inspections, and the failures found on them.

Each failure becomes a tracked matter of kind "rectification" on the one step table
(`taizhang.civility.steps`); the failure row links the matter to its standard and point.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from taizhang.core.models import Division, Person, Unit
from taizhang.core.scope import ScopeRule, register
from taizhang.matters.models import Matter


class PointType(models.TextChoices):
    STREET = "street", _("街道/主干道")
    MARKET = "market", _("农贸市场")
    COMMUNITY = "community", _("社区")
    SCHOOL = "school", _("学校")
    STATION = "station", _("车站")
    HOSPITAL = "hospital", _("医院")
    PARK = "park", _("公园广场")
    WINDOW = "window", _("窗口单位")
    SCENIC = "scenic", _("景区景点")
    OTHER = "other", _("其他")


class LeaderLevel(models.TextChoices):
    """分包责任制 (seed 001): who holds the point, at which level."""

    TOWN = "town", _("领导班子成员包镇街")
    VILLAGE = "village", _("县级干部包村社区")
    ROAD = "road", _("局委包路段")


# Working days a failure is given to be rectified (限时整改) when its standard names none.
DEFAULT_RECTIFY_WORKDAYS = 3


class Section(models.Model):
    """测评项目板块 of one division's 测评体系 for one year."""

    division = models.ForeignKey(Division, verbose_name=_("所属区划"), on_delete=models.PROTECT)
    year = models.PositiveSmallIntegerField(_("年度"), db_index=True)
    order = models.PositiveSmallIntegerField(_("序号"), default=0)
    name = models.CharField(_("测评项目板块"), max_length=60)

    class Meta:
        verbose_name = _("测评项目板块")
        verbose_name_plural = _("测评项目板块")
        ordering = ["year", "order", "id"]
        constraints = [
            models.UniqueConstraint("division", "year", "name", name="civ_section_once"),
        ]

    def __str__(self) -> str:
        return self.name


class Content(models.Model):
    """测评内容 under a section."""

    section = models.ForeignKey(
        Section, verbose_name=_("测评项目板块"), on_delete=models.CASCADE, related_name="contents"
    )
    order = models.PositiveSmallIntegerField(_("序号"), default=0)
    name = models.CharField(_("测评内容"), max_length=100)

    class Meta:
        verbose_name = _("测评内容")
        verbose_name_plural = _("测评内容")
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint("section", "name", name="civ_content_once"),
        ]

    def __str__(self) -> str:
        return self.name


class Standard(models.Model):
    """测评标准: what an inspector checks, its score, the unit answerable for it and the
    point types it applies to (an inspection refuses a standard not applying to its point)."""

    content = models.ForeignKey(
        Content, verbose_name=_("测评内容"), on_delete=models.CASCADE, related_name="standards"
    )
    order = models.PositiveSmallIntegerField(_("序号"), default=0)
    text = models.CharField(_("测评标准"), max_length=300)
    score = models.DecimalField(_("分值"), max_digits=6, decimal_places=2, default=0)
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("责任单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="civility_standards",
    )
    # PointType values; a JSON list keeps the tree one table per level.
    point_types = models.JSONField(_("适用点位类型"), default=list)
    workdays = models.PositiveSmallIntegerField(
        _("整改时限（工作日）"), null=True, blank=True, help_text=_("留空按 3 个工作日")
    )

    class Meta:
        verbose_name = _("测评标准")
        verbose_name_plural = _("测评标准")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.text

    @property
    def rectify_workdays(self) -> int:
        return self.workdays or DEFAULT_RECTIFY_WORKDAYS

    def applies_to(self, point_type: str) -> bool:
        return point_type in (self.point_types or [])

    @property
    def point_type_labels(self) -> str:
        names = dict(PointType.choices)
        return "、".join(str(names.get(t, t)) for t in self.point_types or [])


class Point(models.Model):
    """测评点位: a street, market, community … inspected against the standards of its type."""

    division = models.ForeignKey(Division, verbose_name=_("所属区划"), on_delete=models.PROTECT)
    name = models.CharField(_("点位名称"), max_length=80)
    type = models.CharField(_("点位类型"), max_length=12, choices=PointType.choices)
    unit = models.ForeignKey(
        Unit, verbose_name=_("责任单位"), on_delete=models.PROTECT, related_name="civility_points"
    )
    leader = models.ForeignKey(
        Person,
        verbose_name=_("包保领导"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="civility_points",
    )
    leader_level = models.CharField(
        _("分包层级"), max_length=10, choices=LeaderLevel.choices, blank=True
    )
    position = models.CharField(_("位置"), max_length=200, blank=True)
    active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("测评点位")
        verbose_name_plural = _("测评点位")
        ordering = ["division__path", "name", "id"]
        constraints = [
            models.UniqueConstraint("division", "name", name="civ_point_once"),
        ]

    def __str__(self) -> str:
        return self.name


class Inspection(models.Model):
    """One visit of an inspector to a point on a date, against the point type's standards."""

    point = models.ForeignKey(
        Point, verbose_name=_("测评点位"), on_delete=models.PROTECT, related_name="inspections"
    )
    date = models.DateField(_("检查日期"), db_index=True)
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("检查人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    inspector_name = models.CharField(_("检查人姓名"), max_length=150, blank=True)
    checked = models.PositiveSmallIntegerField(_("检查标准条数"), default=0)
    note = models.CharField(_("检查说明"), max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("创文检查")
        verbose_name_plural = _("创文检查")
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return f"{self.point} {self.date:%Y-%m-%d}"


class Failure(models.Model):
    """A standard found not met at an inspection, and the rectification matter it became."""

    inspection = models.ForeignKey(
        Inspection, verbose_name=_("创文检查"), on_delete=models.CASCADE, related_name="failures"
    )
    standard = models.ForeignKey(
        Standard, verbose_name=_("测评标准"), on_delete=models.PROTECT, related_name="failures"
    )
    note = models.CharField(_("问题描述"), max_length=500)
    matter = models.OneToOneField(
        Matter,
        verbose_name=_("整改事项"),
        on_delete=models.PROTECT,
        related_name="civility_failure",
    )

    class Meta:
        verbose_name = _("检查发现问题")
        verbose_name_plural = _("检查发现问题")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint("inspection", "standard", name="civ_failure_once"),
        ]

    def __str__(self) -> str:
        return f"{self.inspection.point}：{self.note}"


# Scope: the tree and the points are the division's (office, leaders); a unit sees the
# points it is responsible for and their inspections; a cadre the points they hold (包保).
register(Section, ScopeRule(division="division__path"))
register(Content, ScopeRule(division="section__division__path"))
register(Standard, ScopeRule(division="content__section__division__path", units=("unit",)))
register(Point, ScopeRule(division="division__path", units=("unit",), people=("leader",)))
register(
    Inspection,
    ScopeRule(division="point__division__path", units=("point__unit",), people=("point__leader",)),
)
register(
    Failure,
    ScopeRule(
        division="inspection__point__division__path",
        units=("matter__lead_unit",),
        people=("inspection__point__leader",),
    ),
)
