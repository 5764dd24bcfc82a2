"""The 三权分立 administrators' pages: accounts (系统管理员) and roles and scopes (安全管理员).

Neither page shows business data: accounts are names, states and dates; scopes are the
organisation's reference data (divisions, units, people, enterprises) a role is tied to.
The audit administrator's page is the audit log (taizhang.web.audit).
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from taizhang.core import identity
from taizhang.core.models import AccountSecurity, Division, Person, Profile, Role, Unit
from taizhang.core.paging import CappedPaginator
from taizhang.core.scope import scope_of
from taizhang.enterprises.models import Enterprise
from taizhang.web.common import flash_errors
from taizhang.web.forms.base import ClerkForm

User = get_user_model()


def _require(request: HttpRequest, role: str) -> None:
    if scope_of(request).role != role:
        raise PermissionDenied(f"只有{Role(role).label}可以打开此页面")


def _users(request: HttpRequest):
    qs = User.objects.select_related("profile", "security").order_by("username")
    q = (request.GET.get("q") or "").strip()[:60]
    if q:
        qs = qs.filter(Q(username__icontains=q) | Q(first_name__icontains=q))
    return CappedPaginator(qs, 50).get_page(request.GET.get("page")), q


class NewAccountForm(ClerkForm):
    username = forms.CharField(label=gettext_lazy("用户名"), max_length=150)
    full_name = forms.CharField(label=gettext_lazy("姓名或名称"), max_length=150, required=False)
    password = forms.CharField(
        label=gettext_lazy("临时密码"), widget=forms.PasswordInput, max_length=128
    )


@login_required
def account_users(request: HttpRequest) -> HttpResponse:
    """系统管理员: every account, create one with a temporary password."""
    _require(request, Role.SYSADMIN)
    form = NewAccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = identity.do_create_account(scope_of(request), **form.cleaned_data)
        except ValidationError as e:
            flash_errors(request, e)
        else:
            messages.success(
                request,
                _("已创建账号 %(u)s，首次登录须修改临时密码；请安全管理员分配角色。")
                % {"u": user.username},
            )
            return redirect("account_users")
    page, q = _users(request)
    return render(
        request,
        "web/account_users.html",
        {"page": page, "q": q, "form": form, "superusers": User.objects.filter(is_superuser=True)},
    )


@login_required
@require_POST
def account_user(request: HttpRequest, pk: int) -> HttpResponse:
    """系统管理员: reset a password (temporary), deactivate or reactivate an account."""
    _require(request, Role.SYSADMIN)
    user = get_object_or_404(User, pk=pk)
    scope = scope_of(request)
    action = request.POST.get("action")
    try:
        if action == "reset":
            identity.do_set_temporary_password(scope, user, request.POST.get("password", ""))
            messages.success(request, _("已重置 %(u)s 的密码，首次登录须修改。") % {"u": user})
        elif action in {"deactivate", "activate"}:
            identity.do_set_active(scope, user, action == "activate")
            messages.success(request, _("已更新账号 %(u)s 的状态。") % {"u": user})
        else:
            messages.error(request, _("未知操作"))
    except ValidationError as e:
        flash_errors(request, e)
    return redirect("account_users")


class RoleForm(ClerkForm):
    role = forms.ChoiceField(label=gettext_lazy("角色"), choices=Role.choices)
    division = forms.ModelChoiceField(
        Division.objects.all(), label=gettext_lazy("区划"), required=False
    )
    unit = forms.ModelChoiceField(
        Unit.objects.select_related("division"), label=gettext_lazy("单位"), required=False
    )
    person = forms.ModelChoiceField(
        Person.objects.all(), label=gettext_lazy("干部"), required=False
    )
    enterprise = forms.ModelChoiceField(
        Enterprise.objects.all(), label=gettext_lazy("企业"), required=False
    )


@login_required
def account_roles(request: HttpRequest) -> HttpResponse:
    """安全管理员: every account's role and scope, second factor and login delay; the policy."""
    _require(request, Role.SECADMIN)
    page, q = _users(request)
    with_device = set(
        identity.TOTPDevice.objects.filter(
            confirmed=True, user__in=[u.pk for u in page.object_list]
        ).values_list("user_id", flat=True)
    )
    policy = {
        "min_length": settings.TAIZHANG_PASSWORD_MIN_LENGTH,
        "history": settings.TAIZHANG_PASSWORD_HISTORY,
        "max_age": settings.TAIZHANG_PASSWORD_MAX_AGE_DAYS,
        "enforce": settings.TAIZHANG_2FA_ENFORCE,
        "roles": [Role(r).label for r in settings.TAIZHANG_2FA_REQUIRED_ROLES if r in Role.values],
        "free": settings.TAIZHANG_LOGIN_FREE_FAILURES,
        "max_delay": settings.TAIZHANG_LOGIN_MAX_DELAY_SECONDS,
        "ip_limit": settings.AXES_FAILURE_LIMIT,
        "proxy_header": settings.TAIZHANG_TRUSTED_PROXY_HEADER,
    }
    return render(
        request,
        "web/account_roles.html",
        {"page": page, "q": q, "with_device": with_device, "policy": policy},
    )


@login_required
def account_role(request: HttpRequest, pk: int) -> HttpResponse:
    """安全管理员: one account's role and scope; reset its second factor; lift its login delay."""
    _require(request, Role.SECADMIN)
    user = get_object_or_404(User, pk=pk)
    scope = scope_of(request)
    profile = Profile.objects.filter(user=user).first()
    initial = (
        {
            "role": profile.role,
            "division": profile.division_id,
            "unit": profile.unit_id,
            "person": profile.person_id,
            "enterprise": profile.enterprise_id,
        }
        if profile
        else {}
    )
    form = RoleForm(request.POST or None, initial=initial)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "assign":
                if form.is_valid():
                    identity.do_assign_role(scope, user, **form.cleaned_data)
                    messages.success(request, _("已更新 %(u)s 的角色和权限范围。") % {"u": user})
                    return redirect("account_role", pk=user.pk)
            elif action == "remove":
                identity.do_remove_role(scope, user)
                messages.success(request, _("已收回 %(u)s 的角色。") % {"u": user})
                return redirect("account_role", pk=user.pk)
            elif action == "reset_2fa":
                identity.do_reset_two_factor(scope, user)
                messages.success(request, _("已重置 %(u)s 的双因素认证。") % {"u": user})
                return redirect("account_role", pk=user.pk)
            elif action == "unlock":
                identity.do_unlock(scope, user)
                messages.success(request, _("已解除 %(u)s 的登录限制。") % {"u": user})
                return redirect("account_role", pk=user.pk)
            else:
                messages.error(request, _("未知操作"))
        except ValidationError as e:
            flash_errors(request, e)
    return render(
        request,
        "web/account_role.html",
        {
            "target": user,
            "profile": profile,
            "form": form,
            "enrolled": identity.has_confirmed_device(user),
            "security": AccountSecurity.objects.filter(user=user).first(),
        },
    )
