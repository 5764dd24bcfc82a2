"""State changes of the notify app: channel settings by the office, a person's own settings.

Each is one `do_*` function, one transaction, one audit entry. Audit entries name the
channel and show the URL only masked: the audit log is read by more people than the robot
token should be.
"""

from __future__ import annotations

import datetime as dt
import json
import urllib.parse
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from taizhang.core import audit
from taizhang.core.errors import invalid
from taizhang.core.models import AuditEntry, Division
from taizhang.core.scope import Scope
from taizhang.lib.channels import CHANNELS, PLACEHOLDER, SMS_PLACEHOLDERS, Message
from taizhang.notify.models import (
    ChannelConfig,
    ChannelKind,
    Delivery,
    DeliveryAttempt,
    DeliveryStatus,
    NoticePreference,
)
from taizhang.notify.queue import MOBILE, adapter_for

SMS_METHODS = ("form", "json", "get")
AUDITED = ["name", "kind", "enabled", "quiet_start", "quiet_end"]


def _time(value: Any, field: str, label: str) -> dt.time | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.time):
        return value
    try:
        return dt.time.fromisoformat(str(value).strip())
    except ValueError:
        raise invalid(field, f"{label}格式不正确（应为 HH:MM），收到「{value}」") from None


def _plain_times(snap: dict[str, Any]) -> dict[str, Any]:
    """Times as HH:MM: the audit log stores JSON."""
    return {k: v.strftime("%H:%M") if isinstance(v, dt.time) else v for k, v in snap.items()}


def _snapshot(c: ChannelConfig) -> dict[str, Any]:
    snap = _plain_times(audit.snapshot(c, AUDITED))
    snap["地址"] = c.url_masked
    snap["密钥"] = c.secret_masked
    return snap


def _check_url(url: str, field: str = "url") -> None:
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise invalid(
            field, "地址应以 https:// 或 http:// 开头，例如 https://qyapi.weixin.qq.com/…"
        )


def _check_sms(url: str, options: dict[str, Any]) -> None:
    if options.get("method", "form") not in SMS_METHODS:
        raise invalid("method", "短信网关的提交方式应为 form、json 或 get")
    for field, template in (("url", url), ("body", options.get("body", ""))):
        unknown = set(PLACEHOLDER.findall(template)) - set(SMS_PLACEHOLDERS)
        if unknown:
            raise invalid(
                field,
                "模板只能使用 {mobile}、{text}、{secret} 占位符，不认识："
                + "、".join(f"{{{u}}}" for u in sorted(unknown)),
            )
    if "{mobile}" not in url + options.get("body", ""):
        raise invalid("body", "短信网关的地址或请求体中须包含 {mobile} 占位符")
    if options.get("method") == "json":
        probe = PLACEHOLDER.sub("x", options.get("body", ""))
        try:
            json.loads(probe)
        except ValueError:
            raise invalid("body", "JSON 请求体模板不是合法的 JSON") from None


@dataclass
class ChannelInput:
    division: Division
    kind: str
    name: str
    url: str = ""  # blank on edit: keep the stored one
    secret: str = ""  # blank on edit: keep the stored one
    clear_secret: bool = False
    enabled: bool = True
    quiet_start: Any = None
    quiet_end: Any = None
    method: str = "form"
    body: str = ""
    ok_text: str = ""


def do_save_channel(
    scope: Scope, data: ChannelInput, channel: ChannelConfig | None = None
) -> ChannelConfig:
    """Add a channel to a division, or change one; the office of that division only."""
    scope.require_manage()
    if not scope.divisions.filter(pk=data.division.pk).exists():
        raise invalid("division", "只能为本区划及下级区划配置通知渠道")
    if data.kind not in ChannelKind.values:
        raise invalid("kind", "请选择渠道：企业微信、钉钉、飞书或短信网关")
    name = (data.name or "").strip()
    if not name:
        raise invalid("name", "请填写渠道名称，例如“督查室工作群”")
    url = (data.url or "").strip()
    if channel is None and not url:
        raise invalid("url", "请填写机器人 Webhook 地址或短信网关地址")
    options: dict[str, Any] = {}
    if data.kind == ChannelKind.SMS:
        options = {
            "method": data.method or "form",
            "body": data.body or "",
            "ok_text": data.ok_text or "",
        }
        if url or channel is not None:
            _check_sms(url or channel.url, options)
    if url:
        # The SMS template may carry {placeholders}; check the address it makes.
        _check_url(PLACEHOLDER.sub("1", url))
    quiet_start = _time(data.quiet_start, "quiet_start", "免打扰开始时间")
    quiet_end = _time(data.quiet_end, "quiet_end", "免打扰结束时间")
    if (quiet_start is None) != (quiet_end is None):
        raise invalid("quiet_end", "免打扰时段须同时填写开始和结束时间")
    with transaction.atomic():
        if channel is not None:
            channel = ChannelConfig.objects.select_for_update().get(pk=channel.pk)
            before = _snapshot(channel)
        else:
            channel = ChannelConfig(division=data.division)
            before = None
        channel.division = data.division
        channel.kind = data.kind
        channel.name = name[:60]
        if url:
            channel.url = url
        if data.clear_secret:
            channel.secret_sealed = ""
        elif data.secret:
            channel.secret = data.secret.strip()
        channel.options = options
        channel.enabled = data.enabled
        channel.quiet_start, channel.quiet_end = quiet_start, quiet_end
        channel.updated_at = timezone.now()
        channel.save()
        if before is None:
            audit.record(
                scope.actor,
                channel,
                AuditEntry.Action.CREATE,
                after=_snapshot(channel),
                verb="新增通知渠道",
                division_path=data.division.path,
            )
        else:
            audit.record(
                scope.actor,
                channel,
                AuditEntry.Action.UPDATE,
                before=before,
                after=_snapshot(channel),
                verb="修改通知渠道",
                division_path=data.division.path,
            )
    return channel


def do_set_channel_enabled(scope: Scope, channel: ChannelConfig, enabled: bool) -> ChannelConfig:
    scope.require_manage()
    with transaction.atomic():
        channel = ChannelConfig.objects.select_for_update().get(pk=channel.pk)
        before = _snapshot(channel)
        channel.enabled = enabled
        channel.updated_at = timezone.now()
        channel.save(update_fields=["enabled", "updated_at"])
        audit.record(
            scope.actor,
            channel,
            AuditEntry.Action.UPDATE,
            before=before,
            after=_snapshot(channel),
            verb="启用通知渠道" if enabled else "停用通知渠道",
            division_path=channel.division.path,
        )
    return channel


def do_test_channel(scope: Scope, channel: ChannelConfig, mobile: str = "") -> Delivery:
    """Send a test message now (the office pressed 测试发送) and log it like any delivery."""
    scope.require_manage()
    mobile = (mobile or "").strip()
    if mobile and not MOBILE.match(mobile):
        raise invalid("mobile", "手机号应为11位数字，以1开头")
    if channel.per_person and not mobile:
        raise invalid("mobile", "测试短信网关须填写接收测试短信的手机号")
    now = timezone.now()
    message = Message(
        "【台账】通知渠道测试",
        f"这是{scope.filler_name}发出的测试消息，收到说明“{channel.name}”配置正确。",
        "",
        (mobile,) if mobile else (),
    )
    # Sent inside the request on purpose: the office waits for the answer (bounded timeout).
    result = adapter_for(channel).send(message)
    with transaction.atomic():
        d = Delivery.objects.create(
            division=channel.division,
            channel=channel,
            kind="test",
            title=message.title,
            text=message.text,
            mobiles=list(message.mobiles),
            status=DeliveryStatus.SENT if result.ok else DeliveryStatus.FAILED,
            attempts=1,
            last_answer=result.answer,
            sent_at=now if result.ok else None,
        )
        DeliveryAttempt.objects.create(delivery=d, at=now, ok=result.ok, answer=result.answer)
        audit.record(
            scope.actor,
            channel,
            AuditEntry.Action.ACTION,
            verb="测试通知渠道",
            extra={"结果": "成功" if result.ok else "失败"},
            division_path=channel.division.path,
        )
    return d


@dataclass
class PreferenceInput:
    channels: list[str]
    mobile: str = ""
    digest: bool = False
    digest_hour: Any = 8
    quiet_start: Any = None
    quiet_end: Any = None


def do_save_preferences(user: Any, data: PreferenceInput) -> NoticePreference:
    """A person's own notice settings (every signed-in user, for themselves only)."""
    unknown = set(data.channels) - set(CHANNELS)
    if unknown:
        raise invalid("channels", f"没有这种通知渠道：{'、'.join(sorted(unknown))}")
    mobile = (data.mobile or "").strip().replace(" ", "")
    if mobile and not MOBILE.match(mobile):
        raise invalid("mobile", "手机号应为11位数字，以1开头")
    try:
        hour = int(data.digest_hour if data.digest_hour not in (None, "") else 8)
    except (TypeError, ValueError):
        raise invalid("digest_hour", "汇总发送时刻应为0至23之间的整数") from None
    if not 0 <= hour <= 23:
        raise invalid("digest_hour", "汇总发送时刻应为0至23之间的整数")
    quiet_start = _time(data.quiet_start, "quiet_start", "免打扰开始时间")
    quiet_end = _time(data.quiet_end, "quiet_end", "免打扰结束时间")
    if (quiet_start is None) != (quiet_end is None):
        raise invalid("quiet_end", "免打扰时段须同时填写开始和结束时间")
    fields = ["channels", "mobile", "digest", "digest_hour", "quiet_start", "quiet_end"]
    with transaction.atomic():
        pref, created = NoticePreference.objects.select_for_update().get_or_create(user=user)
        before = None if created else _plain_times(audit.snapshot(pref, fields))
        pref.channels = sorted(set(data.channels))
        pref.mobile = mobile
        pref.digest = bool(data.digest)
        pref.digest_hour = hour
        pref.quiet_start, pref.quiet_end = quiet_start, quiet_end
        pref.save()
        profile = getattr(user, "profile", None)
        division = getattr(profile, "division", None) if profile is not None else None
        audit.record(
            user,
            pref,
            AuditEntry.Action.UPDATE,
            before=before or {},
            after=_plain_times(audit.snapshot(pref, fields)),
            verb="修改通知设置",
            division_path=division.path if division is not None else "",
        )
    return pref
