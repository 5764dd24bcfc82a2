"""Assessment (考评): versioned scoring schemes, hand-entered adjustments, published periods,
and the bulletin settings of a district.

A scheme is never edited in place: saving creates the next version, and a published
period points at the exact version it was scored with. A published period stores the
cards it showed (lines and items as JSON), so later ledger edits cannot change it.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from taizhang.core.models import Division, Person, Unit
from taizhang.core.scope import ScopeRule, register

POINTS = {"max_digits": 8, "decimal_places": 2}


class Scheme(models.Model):
    """One version of a district's scoring scheme for a year."""

    class Empty(models.TextChoices):
        FULL = "full", _("无考核事项按满分计")
        EXCLUDE = "exclude", _("无考核事项不计分，分值按比例分配")

    division = models.ForeignKey(Division, verbose_name=_("区划"), on_delete=models.PROTECT)
    year = models.PositiveSmallIntegerField(_("年度"))
    version = models.PositiveIntegerField(_("版本"), default=1)
    name = models.CharField(_("方案名称"), max_length=120)
    # [{"code", "name", "weight", "formula", "params"}], formulas from taizhang.lib.scoring.FORMULAS
    indicators = models.JSONField(_("指标"), default=list)
    lead_weight = models.DecimalField(_("主办权重"), max_digits=4, decimal_places=2, default=1)
    co_weight = models.DecimalField(
        _("协办权重"), max_digits=4, decimal_places=2, default=Decimal("0.5")
    )
    empty = models.CharField(
        _("无考核事项时"), max_length=10, choices=Empty.choices, default=Empty.FULL
    )
    bonus_cap = models.DecimalField(_("加分上限"), **POINTS, null=True, blank=True)
    penalty_cap = models.DecimalField(_("扣分上限"), **POINTS, null=True, blank=True)
    board_size = models.PositiveSmallIntegerField(_("飞虎榜/蜗牛榜人数"), default=3)
    note = models.CharField(_("修订说明"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("保存时间"), default=timezone.now)

    class Meta:
        verbose_name = _("考评方案")
        verbose_name_plural = _("考评方案")
        ordering = ["division__path", "-year", "-version"]
        constraints = [
            models.UniqueConstraint("division", "year", "version", name="scheme_unique_version")
        ]

    def __str__(self) -> str:
        return f"{self.year}年{self.name}（第{self.version}版）"


class Adjustment(models.Model):
    """A bonus (positive) or penalty (negative) entered by hand, always with a reason."""

    division = models.ForeignKey(Division, verbose_name=_("区划"), on_delete=models.PROTECT)
    unit = models.ForeignKey(
        Unit, verbose_name=_("单位"), null=True, blank=True, on_delete=models.PROTECT
    )
    person = models.ForeignKey(
        Person, verbose_name=_("干部"), null=True, blank=True, on_delete=models.PROTECT
    )
    points = models.DecimalField(_("分值"), **POINTS)
    reason = models.CharField(_("理由"), max_length=300)
    on = models.DateField(_("日期"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("加减分")
        verbose_name_plural = _("加减分")
        ordering = ["-on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(unit__isnull=False, person__isnull=True)
                | models.Q(unit__isnull=True, person__isnull=False),
                name="adjustment_one_target",
            )
        ]

    def __str__(self) -> str:
        who = self.unit or self.person
        return f"{who} {'+' if self.points >= 0 else ''}{self.points} {self.reason}"

    @property
    def target_name(self) -> str:
        return self.unit.name if self.unit_id else self.person.name


class ScorePeriod(models.Model):
    """A published (frozen) period: the scheme version used and when it was frozen."""

    division = models.ForeignKey(Division, verbose_name=_("区划"), on_delete=models.PROTECT)
    code = models.CharField(_("期间"), max_length=10)  # 2022Q3, 2022, 2022-08
    label = models.CharField(_("期间名称"), max_length=30)
    start = models.DateField(_("起始日期"))
    end = models.DateField(_("截止日期"))
    cutoff = models.DateField(_("数据截至"))
    scheme = models.ForeignKey(Scheme, verbose_name=_("考评方案"), on_delete=models.PROTECT)
    published_at = models.DateTimeField(_("发布时间"), default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("已发布考评期")
        verbose_name_plural = _("已发布考评期")
        ordering = ["division__path", "-end", "code"]
        constraints = [models.UniqueConstraint("division", "code", name="scoreperiod_unique")]

    def __str__(self) -> str:
        return f"{self.division.name}{self.label}考评"


class PublishedScore(models.Model):
    period = models.ForeignKey(ScorePeriod, on_delete=models.CASCADE, related_name="scores")
    target_kind = models.CharField(_("对象类型"), max_length=10)  # unit | person
    unit = models.ForeignKey(
        Unit, verbose_name=_("单位"), null=True, blank=True, on_delete=models.PROTECT
    )
    person = models.ForeignKey(
        Person, verbose_name=_("干部"), null=True, blank=True, on_delete=models.PROTECT
    )
    name = models.CharField(_("名称"), max_length=80)
    group = models.CharField(_("分组"), max_length=20)
    position = models.PositiveIntegerField(_("名次"))
    total = models.DecimalField(_("总分"), **POINTS)
    movement = models.IntegerField(_("名次变化"), null=True, blank=True)
    board = models.CharField(_("榜单"), max_length=10, blank=True)  # 飞虎榜 / 蜗牛榜
    card = models.JSONField(_("得分明细"), default=dict)

    class Meta:
        verbose_name = _("已发布得分")
        verbose_name_plural = _("已发布得分")
        ordering = ["period", "group", "position", "name"]

    def __str__(self) -> str:
        return f"{self.period} {self.name} {self.total}"

    @property
    def target_id(self) -> int:
        return self.unit_id if self.target_kind == "unit" else self.person_id


class BulletinSettings(models.Model):
    """How a district's bulletins are headed and signed, and its document-number counter."""

    division = models.OneToOneField(Division, verbose_name=_("区划"), on_delete=models.CASCADE)
    issuer_name = models.CharField(_("发文机关标志"), max_length=40)
    number_prefix = models.CharField(_("发文字号代字"), max_length=20)  # 山城督
    closing_office = models.CharField(_("署名"), max_length=40)
    addressee = models.CharField(
        _("主送机关"), max_length=80, default="各乡镇（街道），区直各单位，各园区管委会："
    )

    class Meta:
        verbose_name = _("通报设置")
        verbose_name_plural = _("通报设置")

    def __str__(self) -> str:
        return self.issuer_name


class DocCounter(models.Model):
    """The next 发文字号 number of a district in a year; the office may correct it."""

    division = models.ForeignKey(Division, verbose_name=_("区划"), on_delete=models.CASCADE)
    year = models.PositiveSmallIntegerField(_("年度"))
    next_number = models.PositiveIntegerField(_("下一个文号"), default=1)

    class Meta:
        verbose_name = _("发文字号计数")
        verbose_name_plural = _("发文字号计数")
        constraints = [models.UniqueConstraint("division", "year", name="doccounter_unique")]

    def __str__(self) -> str:
        return f"{self.division} {self.year} → {self.next_number}"


class FrozenError(RuntimeError):
    """An issued bulletin is a record of what went out: it is never changed or deleted."""


class FrozenQuerySet(models.QuerySet):
    # Bulk paths skip save()/delete(), so they are closed too; a bulletin is created once.
    def update(self, **kwargs):  # type: ignore[override]
        raise FrozenError("已印发通报不能修改")

    def delete(self):  # type: ignore[override]
        raise FrozenError("已印发通报不能删除")


class IssuedBulletin(models.Model):
    """A bulletin as it was issued (印发): its number, the .docx bytes and every figure in it.

    Written once by ``bulletin.do_issue`` and never changed: downloads serve ``body``
    unchanged, however the ledgers change later; a recompute is shown beside it.
    """

    division = models.ForeignKey(Division, verbose_name=_("区划"), on_delete=models.PROTECT)
    period_code = models.CharField(_("期间"), max_length=10)
    number = models.PositiveIntegerField(_("文号序号"))
    doc_number = models.CharField(_("发文字号"), max_length=40)
    issued_on = models.DateField(_("成文日期"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("印发时间"), default=timezone.now)
    # Null only for bulletins issued before the document was stored; filled once on first use.
    body = models.BinaryField(_("通报文件（.docx）"), null=True, editable=False)
    sha256 = models.CharField(_("文件摘要（SHA-256）"), max_length=64, blank=True, editable=False)
    content = models.JSONField(_("通报内容"), null=True, editable=False)
    figures = models.JSONField(_("通报中的数字"), null=True, editable=False)

    objects = FrozenQuerySet.as_manager()

    class Meta:
        verbose_name = _("已印发通报")
        verbose_name_plural = _("已印发通报")
        ordering = ["-at"]
        constraints = [
            models.UniqueConstraint("division", "period_code", name="issuedbulletin_unique")
        ]

    def __str__(self) -> str:
        return self.doc_number

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None and IssuedBulletin.objects.filter(pk=self.pk).exists():
            raise FrozenError(f"{self.doc_number}已印发，不能修改")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise FrozenError(f"{self.doc_number}已印发，不能删除")

    def fill_missing_document(self, body: bytes, sha256: str, content: dict, figures: dict) -> bool:
        """Store the document of a bulletin issued before documents were stored, once.

        Only a row whose ``body`` is still empty is written, so a stored document is never
        replaced; returns False when another request stored it first.
        """
        done = (
            models.QuerySet(IssuedBulletin)
            .filter(pk=self.pk, body__isnull=True)
            .update(body=body, sha256=sha256, content=content, figures=figures)
        )
        if done:
            self.body, self.sha256, self.content, self.figures = body, sha256, content, figures
        return bool(done)


_DIVISION_ONLY = ScopeRule(division="division__path")
for _m in (Scheme, BulletinSettings, DocCounter, IssuedBulletin):
    register(_m, _DIVISION_ONLY)
register(Adjustment, ScopeRule(division="division__path", units=("unit",), people=("person",)))
register(
    ScorePeriod,
    ScopeRule(
        division="division__path",
        units=("scores__unit",),
        people=("scores__person",),
    ),
)
register(
    PublishedScore,
    ScopeRule(division="period__division__path", units=("unit",), people=("person",)),
)
