"""Key projects (重点项目): the project, its yearly list entries, stage history, milestones, monthly reports."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from taizhang.attachments.owners import register_owner
from taizhang.core.models import Division, Person, Unit
from taizhang.core.scope import Active, ScopeRule, register

MONEY = {"max_digits": 16, "decimal_places": 2}


class Stage(models.TextChoices):
    PLANNED = "planned", _("谋划")
    RESERVE = "reserve", _("储备")
    SIGNED = "signed", _("签约")
    LANDED = "landed", _("落地")
    STARTED = "started", _("开工")
    BUILDING = "building", _("在建")
    PRODUCING = "producing", _("投产")
    EFFECTIVE = "effective", _("达效")


STAGE_ORDER = [s.value for s in Stage]


def stage_index(stage: str) -> int:
    return STAGE_ORDER.index(stage)


class Level(models.TextChoices):
    PROVINCE = "province", _("省重点")
    CITY = "city", _("市重点")
    DISTRICT = "district", _("区重点")


LEVEL_PARAM = {
    "省": [Level.PROVINCE],
    "市": [Level.CITY],
    "区": [Level.DISTRICT],
    "县": [Level.DISTRICT],
    "省市": [Level.PROVINCE, Level.CITY],
}


class IndustryChain(models.Model):
    name = models.CharField(_("产业链"), max_length=40, unique=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("产业链")
        verbose_name_plural = _("产业链")
        ordering = ["order", "name"]

    def __str__(self) -> str:
        return self.name


class Project(models.Model):
    division = models.ForeignKey(Division, verbose_name=_("所属区划"), on_delete=models.PROTECT)
    code = models.CharField(_("项目编号"), max_length=40)
    name = models.CharField(_("项目名称"), max_length=200)
    industry_chain = models.ForeignKey(
        IndustryChain, verbose_name=_("产业链"), null=True, blank=True, on_delete=models.PROTECT
    )
    owner_enterprise = models.ForeignKey(
        "enterprises.Enterprise",
        verbose_name=_("业主单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
    )
    responsible_unit = models.ForeignKey(
        Unit, verbose_name=_("责任单位"), on_delete=models.PROTECT, related_name="projects"
    )
    liaison_leader = models.ForeignKey(
        Person,
        verbose_name=_("包联领导"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="led_projects",
    )
    location = models.CharField(_("建设地点"), max_length=200, blank=True)
    stage = models.CharField(
        _("项目阶段"), max_length=12, choices=Stage.choices, default=Stage.PLANNED
    )
    total_investment = models.DecimalField(
        _("总投资（万元）"), **MONEY, validators=[MinValueValidator(Decimal("0"))]
    )
    start_year = models.PositiveSmallIntegerField(_("开工年度"), null=True, blank=True)
    end_year = models.PositiveSmallIntegerField(_("竣工年度"), null=True, blank=True)
    description = models.TextField(_("建设内容"), blank=True)
    is_synthetic = models.BooleanField(_("演示合成数据"), default=False)
    search_key = models.CharField(max_length=600, blank=True, db_index=True, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("重点项目")
        verbose_name_plural = _("重点项目")
        ordering = ["division__path", "code"]
        constraints = [models.UniqueConstraint("division", "code", name="project_unique_code")]
        # The project list's order (code, then id): a province's first page is the
        # index's first entries, not a sort of every project.
        indexes = [models.Index(fields=["code", "id"], name="project_code_idx")]

    def __str__(self) -> str:
        return self.name


class ProjectYear(models.Model):
    """A project's place on one year's key-project list, with that year's investment plan."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="years")
    year = models.PositiveSmallIntegerField(_("年度"))
    level = models.CharField(_("项目级别"), max_length=10, choices=Level.choices)
    annual_plan = models.DecimalField(
        _("年度投资计划（万元）"), **MONEY, validators=[MinValueValidator(Decimal("0"))]
    )

    class Meta:
        verbose_name = _("年度重点项目清单")
        verbose_name_plural = _("年度重点项目清单")
        ordering = ["-year"]
        constraints = [models.UniqueConstraint("project", "year", name="projectyear_unique")]

    def __str__(self) -> str:
        return f"{self.year}年 {self.get_level_display()} {self.project}"


class StageChange(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.CharField(_("原阶段"), max_length=12, choices=Stage.choices, blank=True)
    to_stage = models.CharField(_("新阶段"), max_length=12, choices=Stage.choices)
    date = models.DateField(_("变更日期"))
    reason = models.CharField(_("原因"), max_length=300, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("阶段变更")
        verbose_name_plural = _("阶段变更")
        ordering = ["date", "id"]
        indexes = [models.Index(fields=["to_stage", "date"])]

    def __str__(self) -> str:
        return f"{self.project} {self.get_from_stage_display()}→{self.get_to_stage_display()}"


class Milestone(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="milestones")
    name = models.CharField(_("节点名称"), max_length=120)
    planned_date = models.DateField(_("计划完成日期"))
    actual_date = models.DateField(_("实际完成日期"), null=True, blank=True)
    evidence = models.CharField(_("佐证说明"), max_length=500, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = _("时间节点")
        verbose_name_plural = _("时间节点")
        ordering = ["planned_date", "id"]

    def __str__(self) -> str:
        return f"{self.project} · {self.name}"


class MonthlyReport(models.Model):
    """Investment completed in one month; the year's cumulative total is the sum of its months."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="reports")
    year = models.PositiveSmallIntegerField(_("年度"))
    month = models.PositiveSmallIntegerField(_("月份"))
    amount = models.DecimalField(
        _("当月完成投资（万元）"), **MONEY, validators=[MinValueValidator(Decimal("0"))]
    )
    note = models.CharField(_("形象进度"), max_length=500, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    reported_at = models.DateTimeField(default=timezone.now)
    corrections = models.PositiveSmallIntegerField(_("更正次数"), default=0)

    class Meta:
        verbose_name = _("月度投资报送")
        verbose_name_plural = _("月度投资报送")
        ordering = ["year", "month"]
        constraints = [
            models.UniqueConstraint("project", "year", "month", name="report_unique_month"),
            models.CheckConstraint(
                condition=models.Q(month__gte=1, month__lte=12), name="report_month_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project} {self.year}年{self.month}月"


class InvestmentRollup(models.Model):
    """Investment completed by listed projects, per project division × responsible unit ×
    year × month × the level the projects are listed at that year: what the dashboards sum
    instead of scanning every monthly report (``taizhang.projects.rollup`` keeps it equal
    to the reports, in the same transaction as each change, and rebuilds it)."""

    division = models.ForeignKey(Division, on_delete=models.CASCADE, related_name="+")
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField()
    month = models.PositiveSmallIntegerField()
    level = models.CharField(max_length=10, choices=Level.choices)
    amount = models.DecimalField(**MONEY)
    reports = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                "division", "year", "month", "unit", "level", name="investment_rollup_unique"
            )
        ]
        indexes = [models.Index(fields=["year", "division"], name="investment_rollup_year")]

    def __str__(self) -> str:
        return f"{self.division_id} {self.year}年{self.month}月 {self.level} {self.amount}"


_PROJECT_RULE = ScopeRule(
    division="division__path",
    units=("responsible_unit",),
    # The named 包联领导 and anyone assigned through a liaison record (包联干部, 服务专员).
    people=("liaison_leader", Active("liaisons")),
    enterprise="owner_enterprise",
)
register(Project, _PROJECT_RULE)
for _model in (ProjectYear, StageChange, Milestone, MonthlyReport):
    register(
        _model,
        ScopeRule(
            division="project__division__path",
            units=("project__responsible_unit",),
            people=("project__liaison_leader", Active("project__liaisons")),
            enterprise="project__owner_enterprise",
        ),
    )

# Files (佐证材料): acceptance certificates of a milestone, photos of a month's progress.
register_owner("project", Project, "重点项目")
register_owner("milestone", Milestone, "时间节点")
register_owner("monthly_report", MonthlyReport, "月度投资报送")

# 专项债 and 三个一批 (projx): their models live in bonds.py; imported here so Django sees them.
from taizhang.projects.bonds import (  # noqa: E402
    BatchEvent,
    BondProject,
    BondStatusChange,
)

_BOND_RULE = ScopeRule(
    division="project__division__path",
    units=("project__responsible_unit",),
    people=("project__liaison_leader", Active("project__liaisons")),
    enterprise="project__owner_enterprise",
)
register(BondProject, _BOND_RULE)
register(
    BondStatusChange,
    ScopeRule(
        division="bond__project__division__path",
        units=("bond__project__responsible_unit",),
        people=("bond__project__liaison_leader", Active("bond__project__liaisons")),
        enterprise="bond__project__owner_enterprise",
    ),
)
# A batch event is a district's public activity: everyone who reads the district sees it,
# units and cadres those with a project of theirs.
register(
    BatchEvent,
    ScopeRule(
        division="division__path",
        units=("projects__responsible_unit",),
        people=("projects__liaison_leader", Active("projects__liaisons")),
        enterprise="projects__owner_enterprise",
    ),
)
