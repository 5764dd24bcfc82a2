"""Push channels per division, each person's notice settings, and the delivery queue/log."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from taizhang.core.models import Division
from taizhang.core.scope import ScopeRule, register
from taizhang.lib.channels import CHANNELS, mask
from taizhang.matters.models import Matter
from taizhang.notify import crypto


class ChannelKind(models.TextChoices):
    WECOM = "wecom", _("企业微信群机器人")
    DINGTALK = "dingtalk", _("钉钉群机器人")
    FEISHU = "feishu", _("飞书群机器人")
    SMS = "sms", _("短信网关")


assert set(ChannelKind.values) == set(CHANNELS), "every adapter needs its choice"


class ChannelConfig(models.Model):
    """One robot webhook or SMS gateway of a division, set up by its supervision office.

    The URL (it carries the robot's access token) and the secret are stored encrypted and
    shown back only masked.
    """

    division = models.ForeignKey(Division, verbose_name=_("区划"), on_delete=models.PROTECT)
    kind = models.CharField(_("渠道"), max_length=10, choices=ChannelKind.choices)
    name = models.CharField(_("名称"), max_length=60)
    url_sealed = models.TextField(_("地址（加密）"))
    secret_sealed = models.TextField(_("密钥（加密）"), blank=True)
    # SMS gateway only: method (get/form/json), body template, success marker.
    options = models.JSONField(_("选项"), default=dict, blank=True)
    enabled = models.BooleanField(_("启用"), default=True)
    # No group pushes in these hours (Asia/Shanghai); queued until the end.
    quiet_start = models.TimeField(_("免打扰开始"), null=True, blank=True)
    quiet_end = models.TimeField(_("免打扰结束"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("通知渠道")
        verbose_name_plural = _("通知渠道")
        ordering = ["division__path", "kind", "pk"]

    def __str__(self) -> str:
        return f"{self.division.name} · {self.get_kind_display()} · {self.name}"

    @property
    def url(self) -> str:
        return crypto.unseal(self.url_sealed)

    @url.setter
    def url(self, value: str) -> None:
        self.url_sealed = crypto.seal(value)

    @property
    def secret(self) -> str:
        return crypto.unseal(self.secret_sealed)

    @secret.setter
    def secret(self, value: str) -> None:
        self.secret_sealed = crypto.seal(value)

    @property
    def url_masked(self) -> str:
        return mask(self.url)

    @property
    def secret_masked(self) -> str:
        return "****" if self.secret_sealed else ""

    @property
    def per_person(self) -> bool:
        return CHANNELS[self.kind].per_person


class NoticePreference(models.Model):
    """A person's own choices: which channels, a daily digest, quiet hours, the mobile to use."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notice_preference"
    )
    channels = models.JSONField(_("接收渠道"), default=list, blank=True)
    mobile = models.CharField(_("手机号"), max_length=20, blank=True)
    digest = models.BooleanField(_("每日汇总"), default=False)
    digest_hour = models.PositiveSmallIntegerField(_("汇总发送时刻"), default=8)
    quiet_start = models.TimeField(_("免打扰开始"), null=True, blank=True)
    quiet_end = models.TimeField(_("免打扰结束"), null=True, blank=True)

    class Meta:
        verbose_name = _("通知设置")
        verbose_name_plural = _("通知设置")

    def __str__(self) -> str:
        return f"{self.user} · {_('通知设置')}"


class DeliveryStatus(models.TextChoices):
    QUEUED = "queued", _("待发送")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("发送失败")


class Delivery(models.Model):
    """One message to one channel (and, for SMS, one recipient): the queue and the log.

    A worker claims a due row by a conditional UPDATE (claimed_at/claimed_by), sends it,
    records the channel's answer; a failure is retried with backoff until MAX_ATTEMPTS,
    then the row stays `failed`, visible in the delivery log.
    """

    division = models.ForeignKey(Division, verbose_name=_("区划"), on_delete=models.PROTECT)
    channel = models.ForeignKey(
        ChannelConfig, verbose_name=_("渠道"), on_delete=models.CASCADE, related_name="deliveries"
    )
    matter = models.ForeignKey(
        Matter,
        verbose_name=_("事项"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    kind = models.CharField(_("通知类型"), max_length=10, blank=True)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接收人"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    mobiles = models.JSONField(_("手机号"), default=list, blank=True)
    title = models.CharField(_("标题"), max_length=200)
    text = models.TextField(_("内容"), blank=True)
    link = models.CharField(_("链接"), max_length=300, blank=True)
    digest = models.BooleanField(_("汇总发送"), default=False)
    status = models.CharField(
        _("状态"),
        max_length=8,
        choices=DeliveryStatus.choices,
        default=DeliveryStatus.QUEUED,
        db_index=True,
    )
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次尝试"), default=timezone.now, db_index=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=64, blank=True)
    last_answer = models.TextField(_("渠道应答"), blank=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("生成时间"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("推送记录")
        verbose_name_plural = _("推送记录")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="notify_due")]

    def __str__(self) -> str:
        return f"{self.channel.get_kind_display()} · {self.title}"


class DeliveryAttempt(models.Model):
    """Each try of a delivery with the channel's answer: the log shows a failure and the later success."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="tries")
    at = models.DateTimeField(default=timezone.now)
    ok = models.BooleanField(default=False)
    answer = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.delivery_id} {self.at:%Y-%m-%d %H:%M} {'ok' if self.ok else 'fail'}"


def in_quiet(moment: dt.datetime, start: dt.time | None, end: dt.time | None) -> bool:
    """Whether a local time falls in [start, end), the span may cross midnight."""
    if start is None or end is None or start == end:
        return False
    t = timezone.localtime(moment).time()
    return start <= t < end if start < end else (t >= start or t < end)


def quiet_release(moment: dt.datetime, start: dt.time | None, end: dt.time | None) -> dt.datetime:
    """`moment` itself, or the end of the quiet hours it falls in."""
    if not in_quiet(moment, start, end):
        return moment
    local = timezone.localtime(moment)
    release = local.replace(hour=end.hour, minute=end.minute, second=0, microsecond=0)
    if release <= local:
        release += dt.timedelta(days=1)
    return release


register(ChannelConfig, ScopeRule(division="division__path"))
register(Delivery, ScopeRule(division="division__path"))
