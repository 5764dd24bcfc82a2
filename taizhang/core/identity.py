"""Accounts, passwords, second factor and the 三权分立 roles: every change is a do_* function.

Who may do what (docs/security-identity.md):
- the system administrator (Role.SYSADMIN) creates accounts with a temporary password,
  resets passwords, deactivates and reactivates accounts;
- the security administrator (Role.SECADMIN) gives roles and scopes, resets a user's second
  factor and lifts a login delay;
- the audit administrator (Role.AUDITOR) only reads the audit log (taizhang.web.audit).
Each account has one Profile with one role, so no account holds two of the three; moving an
account from one of them to another is refused too (its audit trail would mix both duties).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django_otp import devices_for_user
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from taizhang.core import audit, lockout
from taizhang.core.errors import invalid
from taizhang.core.models import (
    ADMIN_ROLES,
    AccountSecurity,
    AuditEntry,
    Division,
    PasswordHistory,
    Person,
    Profile,
    Role,
    Unit,
)
from taizhang.core.scope import Scope

User = get_user_model()
TOTP_NAME = "身份验证器"
RECOVERY_NAME = "恢复码"


# ---------------------------------------------------------------- reading state
def _division_path(user: Any) -> str:
    profile = Profile.objects.filter(user=user).select_related("division").first()
    return profile.division.path if profile and profile.division else ""


def role_of(user: Any) -> str | None:
    return Profile.objects.filter(user=user).values_list("role", flat=True).first()


def password_change_reason(
    user: Any, now: dt.datetime | None = None, *, role: str | None = None
) -> str | None:
    """Why the user must change the password before anything else, or None.

    "temporary": set by an administrator (new account or reset); "expired": older than
    TAIZHANG_PASSWORD_MAX_AGE_DAYS (staff accounts; enterprise users are outside the rule).
    """
    state = AccountSecurity.objects.filter(user=user).first()
    if state is not None and state.must_change_password:
        return "temporary"
    days = settings.TAIZHANG_PASSWORD_MAX_AGE_DAYS
    if not days or (role or role_of(user)) == Role.ENTERPRISE:
        return None
    changed = (state.password_changed_at if state else None) or user.date_joined
    if (now or timezone.now()) - changed > dt.timedelta(days=days):
        return "expired"
    return None


def has_confirmed_device(user: Any) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def requires_two_factor(user: Any, *, role: str | None = None) -> bool:
    """Mandatory second factor: enforced, and the user's role (or superuser) is on the list."""
    if not settings.TAIZHANG_2FA_ENFORCE:
        return False
    if user.is_superuser:
        return True
    return (role or role_of(user)) in set(settings.TAIZHANG_2FA_REQUIRED_ROLES)


def recovery_codes_left(user: Any) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


# ---------------------------------------------------------------- guards
def _require(scope: Scope, role: str, what: str) -> None:
    if scope.role != role:
        raise PermissionDenied(f"只有{Role(role).label}可以{what}")


def _target(user: Any, actor: Scope) -> None:
    if user.is_superuser:
        # The installation superuser is managed with `createsuperuser`/`changepassword`, not here.
        raise PermissionDenied("超级用户仅用于安装，不能在此管理")
    if actor.user is not None and user.pk == actor.user.pk:
        raise PermissionDenied("不能对本人账号执行此操作")


def _record(actor: Any, user: Any, verb: str, **extra: Any) -> None:
    audit.record(
        actor,
        user,
        AuditEntry.Action.ACTION,
        verb=verb,
        division_path=_division_path(user),
        extra=extra or None,
    )


# ---------------------------------------------------------------- passwords
def _set_password(user: Any, raw: str, *, temporary: bool) -> None:
    user.set_password(raw)
    user.save(update_fields=["password"])
    now = timezone.now()
    PasswordHistory.objects.create(user=user, password=user.password, set_at=now)
    keep = max(settings.TAIZHANG_PASSWORD_HISTORY, 1)
    old = PasswordHistory.objects.filter(user=user).values_list("pk", flat=True)[keep:]
    PasswordHistory.objects.filter(pk__in=list(old)).delete()
    AccountSecurity.objects.update_or_create(
        user=user,
        defaults={"password_changed_at": now, "must_change_password": temporary},
    )


def do_change_password(user: Any, new: str, *, old: str | None = None) -> None:
    """The user changes their own password (old one checked when given); clears a forced change."""
    if old is not None and not user.check_password(old):
        raise invalid("old_password", "原密码不正确")
    try:
        validate_password(new, user)
    except ValidationError as e:
        raise ValidationError({"new_password1": list(e.messages)}) from None
    with transaction.atomic():
        reason = password_change_reason(user)
        _set_password(user, new, temporary=False)
        _record(
            user,
            user,
            "修改密码",
            原因={"temporary": "临时密码", "expired": "密码过期"}.get(reason or "", "本人修改"),
        )


def do_set_temporary_password(scope: Scope, user: Any, raw: str) -> None:
    """The system administrator resets a password; the user must change it at next login."""
    _require(scope, Role.SYSADMIN, "重置密码")
    _target(user, scope)
    try:
        validate_password(raw, user)
    except ValidationError as e:
        raise ValidationError({"password": list(e.messages)}) from None
    with transaction.atomic():
        _set_password(user, raw, temporary=True)
        _record(scope.actor, user, "重置密码", 说明="临时密码，首次登录须修改")


def do_create_account(scope: Scope, *, username: str, full_name: str, password: str) -> Any:
    """A new account with a temporary password and no role (the security administrator gives one)."""
    _require(scope, Role.SYSADMIN, "创建账号")
    username = (username or "").strip()
    errors: dict[str, list[str]] = {}
    if not username:
        errors["username"] = ["请填写用户名"]
    elif not User.username_validator.regex.match(username) or len(username) > 150:
        errors["username"] = ["用户名只能包含字母、数字和 @ . + - _，不超过150位"]
    elif User.objects.filter(username__iexact=username).exists():
        errors["username"] = [f"用户名「{username}」已存在"]
    if len(full_name or "") > 150:
        errors["full_name"] = ["姓名不超过150字"]
    probe = User(username=username)
    try:
        validate_password(password, probe)
    except ValidationError as e:
        errors["password"] = list(e.messages)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        user = User.objects.create_user(username, first_name=(full_name or "").strip())
        _set_password(user, password, temporary=True)
        audit.record(
            scope.actor,
            user,
            AuditEntry.Action.CREATE,
            verb="创建账号",
            after={"用户名": username, "姓名": user.first_name},
        )
    return user


def do_set_active(scope: Scope, user: Any, active: bool) -> None:
    _require(scope, Role.SYSADMIN, "停用或启用账号")
    _target(user, scope)
    if user.is_active == active:
        return
    with transaction.atomic():
        user.is_active = active
        user.save(update_fields=["is_active"])
        _record(scope.actor, user, "启用账号" if active else "停用账号")


# ---------------------------------------------------------------- roles and scopes
def _clean_links(role: str, links: dict[str, Any]) -> dict[str, Any]:
    """The profile links the role needs; the others are cleared."""
    needs = {
        Role.ADMIN: (),
        Role.SUPERVISOR: ("division",),
        Role.LEADER: ("division",),
        Role.UNIT: ("unit",),
        Role.CADRE: ("person",),
        Role.ENTERPRISE: ("enterprise",),
        Role.SYSADMIN: (),
        Role.SECADMIN: (),
        Role.AUDITOR: (),
    }[Role(role)]
    labels = {"division": "区划", "unit": "单位", "person": "干部", "enterprise": "企业"}
    allowed = {
        Role.ADMIN: ("division",),
        Role.LEADER: ("division", "person"),
        Role.AUDITOR: ("division",),
    }.get(Role(role), needs)
    errors = {
        k: [f"角色「{Role(role).label}」须选择{labels[k]}"] for k in needs if not links.get(k)
    }
    if errors:
        raise ValidationError(errors)
    return {k: (links.get(k) if k in allowed else None) for k in labels}


def do_assign_role(
    scope: Scope,
    user: Any,
    role: str,
    *,
    division: Division | None = None,
    unit: Unit | None = None,
    person: Person | None = None,
    enterprise: Any = None,
) -> Profile:
    """Give an account its role and scope (one role per account: Profile is one-to-one)."""
    _require(scope, Role.SECADMIN, "分配角色和权限范围")
    _target(user, scope)
    if role not in Role.values:
        raise invalid("role", f"未知角色「{role}」")
    links = _clean_links(
        role, {"division": division, "unit": unit, "person": person, "enterprise": enterprise}
    )
    with transaction.atomic():
        profile = Profile.objects.select_for_update().filter(user=user).first()
        if profile is not None and profile.role in ADMIN_ROLES and role in ADMIN_ROLES:
            if profile.role != role:
                raise invalid(
                    "role",
                    f"该账号已是{Role(profile.role).label}，不能再担任{Role(role).label}："
                    "三员须由不同账号担任，请另建账号",
                )
        before = audit.snapshot(profile) if profile else {}
        if profile is None:
            profile = Profile(user=user)
        profile.role = role
        for key, value in links.items():
            setattr(profile, key, value)
        profile.save()
        audit.record(
            scope.actor,
            user,
            AuditEntry.Action.UPDATE,
            verb="分配角色",
            before=before,
            after=audit.snapshot(profile),
            division_path=profile.division.path if profile.division else "",
        )
    return profile


def do_remove_role(scope: Scope, user: Any) -> None:
    _require(scope, Role.SECADMIN, "收回角色")
    _target(user, scope)
    with transaction.atomic():
        profile = Profile.objects.filter(user=user).first()
        if profile is None:
            return
        before = audit.snapshot(profile)
        path = profile.division.path if profile.division else ""
        profile.delete()
        audit.record(
            scope.actor,
            user,
            AuditEntry.Action.UPDATE,
            verb="收回角色",
            before=before,
            after={},
            division_path=path,
        )


def do_unlock(scope: Scope, user: Any) -> None:
    """Lift the login delay of a username and django-axes' records of it."""
    _require(scope, Role.SECADMIN, "解除登录限制")
    from axes.utils import reset as axes_reset

    with transaction.atomic():
        lockout.clear(user.get_username())
        axes_reset(username=user.get_username())
        _record(scope.actor, user, "解除登录限制")


# ---------------------------------------------------------------- second factor
def pending_totp(user: Any) -> TOTPDevice:
    """The unconfirmed authenticator being enrolled (made on first visit, reused until confirmed)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)
    return device


def do_confirm_totp(user: Any, token: str) -> TOTPDevice:
    """Confirm the pending authenticator with a code from the app; earlier ones are replaced."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    token = (token or "").strip().replace(" ", "")
    if device is None:
        raise invalid("token", "请先打开绑定页面扫描二维码")
    if not token.isdigit() or not device.verify_token(token):
        raise invalid("token", "验证码不正确，请输入身份验证器上当前显示的6位数字")
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        _record(user, user, "启用双因素认证")
    return device


def do_make_recovery_codes(user: Any) -> list[str]:
    """Ten new one-time recovery codes (earlier ones stop working); shown to the user once."""
    count = settings.TAIZHANG_RECOVERY_CODES
    with transaction.atomic():
        StaticDevice.objects.filter(user=user).delete()
        device = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
        codes = [StaticToken.random_token() for _ in range(count)]
        StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
        _record(user, user, "生成恢复码", 数量=count)
    return codes


def verify_second_factor(user: Any, token: str) -> Any:
    """The device that accepts the code (authenticator or a recovery code, which is used up)."""
    token = (token or "").strip().replace(" ", "").lower()
    if not token:
        return None
    for device in devices_for_user(user, confirmed=True, for_verify=True):
        if isinstance(device, TOTPDevice) and not token.isdigit():
            continue
        if device.verify_token(token):
            if isinstance(device, StaticDevice):
                _record(user, user, "使用恢复码登录", 剩余=recovery_codes_left(user))
            return device
    return None


def do_reset_two_factor(scope: Scope, user: Any) -> None:
    """The security administrator removes a user's authenticator and recovery codes."""
    _require(scope, Role.SECADMIN, "重置双因素认证")
    _target(user, scope)
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()
        _record(scope.actor, user, "重置双因素认证")


def mark_demo_password(user: Any) -> None:
    """Demo accounts: the printed password counts as chosen by the user (no forced change)."""
    AccountSecurity.objects.update_or_create(
        user=user, defaults={"password_changed_at": timezone.now(), "must_change_password": False}
    )
    PasswordHistory.objects.create(user=user, password=user.password)
