"""通知渠道 pages: the office's channels and delivery log, everyone's own notice settings."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from taizhang.core.errors import messages_of
from taizhang.core.paging import CappedPaginator
from taizhang.core.scope import Scope, scope_of
from taizhang.notify import services
from taizhang.notify.models import (
    ChannelConfig,
    ChannelKind,
    Delivery,
    DeliveryStatus,
    NoticePreference,
)
from taizhang.notify.queue import mobile_of

SMS_METHODS = [("form", "表单 POST"), ("json", "JSON POST"), ("get", "GET")]


def _errors(e: ValidationError) -> dict[str, list[str]]:
    return messages_of(e)


def _channel_input(scope: Scope, post, channel: ChannelConfig | None) -> services.ChannelInput:
    ref = (post.get("division") or "").strip()
    if not ref and channel is not None:
        division = channel.division
    else:
        try:
            division = scope.divisions.get(pk=int(ref))
        except (ValueError, TypeError, scope.divisions.model.DoesNotExist):
            raise ValidationError({"division": ["请选择本区划或下级区划"]}) from None
    return services.ChannelInput(
        division=division,
        kind=post.get("kind") or (channel.kind if channel else ""),
        name=post.get("name", ""),
        url=post.get("url", ""),
        secret=post.get("secret", ""),
        clear_secret=post.get("clear_secret") == "1",
        enabled=post.get("enabled", "1") == "1",
        quiet_start=post.get("quiet_start", ""),
        quiet_end=post.get("quiet_end", ""),
        method=post.get("method", "form"),
        body=post.get("body", ""),
        ok_text=post.get("ok_text", ""),
    )


def _channels(scope: Scope):
    return scope.filter(ChannelConfig.objects.select_related("division")).order_by(
        "division__path", "kind", "pk"
    )


@login_required
def channel_list(request: HttpRequest) -> HttpResponse:
    """List and add channels (office and admins of the division)."""
    scope = scope_of(request)
    scope.require_manage()
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            c = services.do_save_channel(scope, _channel_input(scope, request.POST, None))
        except ValidationError as e:
            errors = _errors(e)
        else:
            messages.success(request, f"已添加通知渠道“{c.name}”。")
            return redirect("notify_channels")
    return render(
        request,
        "notify/channels.html",
        {
            "channels": _channels(scope),
            "divisions": scope.divisions.order_by("path"),
            "kinds": ChannelKind.choices,
            "methods": SMS_METHODS,
            "errors": errors,
            "form": request.POST if request.method == "POST" else {},
        },
    )


@login_required
def channel_edit(request: HttpRequest, pk: int) -> HttpResponse:
    scope = scope_of(request)
    channel = scope.get(ChannelConfig.objects.select_related("division"), pk)
    scope.require_manage()
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            services.do_save_channel(scope, _channel_input(scope, request.POST, channel), channel)
        except ValidationError as e:
            errors = _errors(e)
        else:
            messages.success(request, f"已保存通知渠道“{channel.name}”。")
            return redirect("notify_channels")
    recent = channel.deliveries.order_by("-created_at", "-id")[:20]
    return render(
        request,
        "notify/channel_edit.html",
        {
            "channel": channel,
            "divisions": scope.divisions.order_by("path"),
            "kinds": ChannelKind.choices,
            "methods": SMS_METHODS,
            "errors": errors,
            "recent": recent,
        },
    )


@login_required
@require_POST
def channel_test(request: HttpRequest, pk: int) -> HttpResponse:
    scope = scope_of(request)
    channel = scope.get(ChannelConfig.objects.select_related("division"), pk)
    scope.require_manage()
    try:
        d = services.do_test_channel(scope, channel, request.POST.get("mobile", ""))
    except ValidationError as e:
        for msgs in _errors(e).values():
            for m in msgs:
                messages.error(request, m)
    else:
        if d.status == DeliveryStatus.SENT:
            messages.success(request, f"测试消息已发送，渠道应答：{d.last_answer[:200]}")
        else:
            messages.error(request, f"测试发送失败，渠道应答：{d.last_answer[:300]}")
    return redirect("notify_channel", pk=channel.pk)


@login_required
@require_POST
def channel_enable(request: HttpRequest, pk: int) -> HttpResponse:
    scope = scope_of(request)
    channel = scope.get(ChannelConfig.objects.select_related("division"), pk)
    scope.require_manage()
    enabled = request.POST.get("enabled") == "1"
    services.do_set_channel_enabled(scope, channel, enabled)
    messages.success(request, f"已{'启用' if enabled else '停用'}通知渠道“{channel.name}”。")
    return redirect("notify_channels")


@login_required
def delivery_log(request: HttpRequest) -> HttpResponse:
    """Every push of the office's divisions, failures with the channel's answer."""
    scope = scope_of(request)
    scope.require_manage()
    qs = scope.filter(Delivery.objects.select_related("channel", "matter", "recipient"))
    status = request.GET.get("status", "")
    if status in DeliveryStatus.values:
        qs = qs.filter(status=status)
    kind = request.GET.get("kind", "")
    if kind in ChannelKind.values:
        qs = qs.filter(channel__kind=kind)
    page = CappedPaginator(
        qs.prefetch_related("tries").order_by("-created_at", "-id"), 50
    ).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "notify/deliveries.html",
        {
            "page": page,
            "params": request.GET,
            "querystring": params.urlencode(),
            "statuses": DeliveryStatus.choices,
            "kinds": ChannelKind.choices,
        },
    )


@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    """我的通知设置: every signed-in user, for themselves."""
    pref = NoticePreference.objects.filter(user=request.user).first()
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        data = services.PreferenceInput(
            channels=request.POST.getlist("channels"),
            mobile=request.POST.get("mobile", ""),
            digest=request.POST.get("digest") == "1",
            digest_hour=request.POST.get("digest_hour", "8"),
            quiet_start=request.POST.get("quiet_start", ""),
            quiet_end=request.POST.get("quiet_end", ""),
        )
        try:
            services.do_save_preferences(request.user, data)
        except ValidationError as e:
            errors = _errors(e)
        else:
            messages.success(request, "已保存通知设置。")
            return redirect("notify_preferences")
    chosen = ChannelKind.values if pref is None else pref.channels
    return render(
        request,
        "notify/preferences.html",
        {
            "pref": pref,
            "kinds": [(v, label, v in chosen) for v, label in ChannelKind.choices],
            "mobile": mobile_of(request.user, pref),
            "hours": range(24),
            "errors": errors,
        },
    )
