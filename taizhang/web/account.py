"""A user's own account: password change (forced or not), authenticator, recovery codes, login form."""

from __future__ import annotations

from base64 import b32encode

import qrcode
import qrcode.image.svg
from django import forms
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.contrib.auth.password_validation import password_validators_help_texts
from django.contrib.auth.views import LoginView
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from taizhang.core import identity, lockout
from taizhang.core.errors import messages_of
from taizhang.web.common import safe_next
from taizhang.web.forms.base import ClerkForm

REASONS = {
    "temporary": "您的密码是管理员设置的临时密码，请先设置自己的新密码。",
    "expired": "您的密码已超过有效期，请设置新密码。",
}


class LoginForm(AuthenticationForm):
    """Django's login form; when the username is waiting out a delay, it says how long."""

    wait = 0

    def get_invalid_login_error(self) -> ValidationError:
        wait = self.wait = getattr(self.request, lockout.WAIT_ATTR, 0)
        if wait:
            return ValidationError(
                _("该账号登录失败次数较多，请 %(s)d 秒后再试。") % {"s": wait}, code="delayed"
            )
        return super().get_invalid_login_error()


class TaizhangLoginView(LoginView):
    form_class = LoginForm
    redirect_authenticated_user = True


def _next(request: HttpRequest, fallback: str = "dashboard") -> str:
    return safe_next(request, fallback)


@login_required
def password_change(request: HttpRequest) -> HttpResponse:
    reason = identity.password_change_reason(request.user)
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            identity.do_change_password(request.user, form.cleaned_data["new_password1"])
        except ValidationError as e:
            for field, msgs in messages_of(e).items():
                for msg in msgs:
                    form.add_error(field if field in form.fields else None, msg)
        else:
            update_session_auth_hash(request, request.user)
            return redirect("password_change_done")
    return render(
        request,
        "web/password_change_form.html",
        {
            "form": form,
            "reason": REASONS.get(reason or ""),
            "rules": password_validators_help_texts(),
        },
    )


@login_required
def password_change_done(request: HttpRequest) -> HttpResponse:
    return render(request, "web/password_change_done.html")


def _qr_svg(url: str) -> str:
    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=10)
    # Made here from the key, never from user input: safe to put into the page as markup.
    return mark_safe(image.to_string(encoding="unicode"))  # noqa: S308


def _spaced(key_b32: str) -> str:
    return " ".join(key_b32[i : i + 4] for i in range(0, len(key_b32), 4))


class TokenForm(ClerkForm):
    token = forms.CharField(label=_("验证码"), max_length=16)


@login_required
def otp_setup(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator (QR code and key) or, once enrolled, see its state."""
    user = request.user
    enrolled = identity.has_confirmed_device(user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and not enrolled and form.is_valid():
        try:
            device = identity.do_confirm_totp(user, form.cleaned_data["token"])
        except ValidationError as e:
            for msgs in messages_of(e).values():
                for msg in msgs:
                    form.add_error("token", msg)
        else:
            otp_login(request, device)
            codes = identity.do_make_recovery_codes(user)
            messages.success(request, _("已绑定身份验证器。"))
            return render(request, "web/otp_codes.html", {"codes": codes, "next": _next(request)})
    context: dict = {
        "enrolled": enrolled,
        "form": form,
        "required": identity.requires_two_factor(user),
        "codes_left": identity.recovery_codes_left(user),
        "next": _next(request),
    }
    if not enrolled:
        device = identity.pending_totp(user)
        context["qr"] = _qr_svg(device.config_url)
        context["key"] = _spaced(b32encode(device.bin_key).decode())
    return render(request, "web/otp_setup.html", context)


@login_required
@require_POST
def otp_recovery(request: HttpRequest) -> HttpResponse:
    """New recovery codes (the old ones stop working), for an enrolled user, shown once."""
    if not identity.has_confirmed_device(request.user):
        messages.error(request, _("请先绑定身份验证器。"))
        return redirect("otp_setup")
    codes = identity.do_make_recovery_codes(request.user)
    return render(request, "web/otp_codes.html", {"codes": codes, "next": _next(request)})


@login_required
def otp_verify(request: HttpRequest) -> HttpResponse:
    """The second step of login: a code from the authenticator or a recovery code."""
    user = request.user
    if not identity.has_confirmed_device(user) or user.is_verified():
        return redirect(_next(request))
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = identity.verify_second_factor(user, form.cleaned_data["token"])
        if device is not None:
            otp_login(request, device)
            return redirect(_next(request))
        form.add_error("token", _("验证码不正确或已使用，请重新输入。"))
    return render(request, "web/otp_verify.html", {"form": form, "next": _next(request)})
