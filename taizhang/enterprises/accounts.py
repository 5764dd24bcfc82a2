"""Enterprise users: created and switched off by the supervision office, never self-registered."""

from __future__ import annotations

import re
import secrets

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction

from taizhang.core import audit
from taizhang.core.errors import invalid
from taizhang.core.models import AuditEntry, Profile, Role
from taizhang.core.scope import Scope
from taizhang.enterprises.models import Enterprise

USERNAME_RE = re.compile(r"^[A-Za-z0-9_.@-]{3,40}$")
# No 0/O or 1/l/I: the password is read out over the phone to the enterprise.
_ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def temporary_password() -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(12))


def enterprise_users(enterprise: Enterprise):
    return (
        get_user_model()
        .objects.filter(profile__role=Role.ENTERPRISE, profile__enterprise=enterprise)
        .order_by("username")
    )


@transaction.atomic
def do_create_enterprise_user(
    scope: Scope, enterprise: Enterprise, *, username: str, full_name: str
) -> tuple[object, str]:
    """Returns the user and a one-time password for the office to hand over."""
    scope.require_manage()
    if not scope.contains(enterprise):
        raise PermissionDenied("该企业不在您的管辖范围内")
    username = (username or "").strip()
    full_name = (full_name or "").strip()
    if not USERNAME_RE.match(username):
        raise invalid("username", "登录名应为3—40位字母、数字或 _ . @ -")
    User = get_user_model()
    if User.objects.filter(username__iexact=username).exists():
        raise invalid("username", f"登录名「{username}」已被使用")
    if not full_name:
        raise invalid("full_name", "请填写使用人姓名")
    password = temporary_password()
    user = User.objects.create_user(username, password=password, first_name=full_name[:150])
    Profile.objects.create(user=user, role=Role.ENTERPRISE, enterprise=enterprise)
    audit.record(
        scope.actor,
        user,
        AuditEntry.Action.CREATE,
        after={"登录名": username, "姓名": full_name, "企业": enterprise.name, "角色": "企业用户"},
        verb="新增企业账号",
        division_path=enterprise.division.path,
        root=enterprise,
    )
    return user, password


@transaction.atomic
def do_set_enterprise_user_active(
    scope: Scope, enterprise: Enterprise, user_id: int, *, active: bool
) -> object:
    scope.require_manage()
    if not scope.contains(enterprise):
        raise PermissionDenied("该企业不在您的管辖范围内")
    user = enterprise_users(enterprise).select_for_update().filter(pk=user_id).first()
    if user is None:
        raise invalid(None, "该账号不属于本企业")
    if user.is_active != active:
        user.is_active = active
        user.save(update_fields=["is_active"])
        audit.record(
            scope.actor,
            user,
            AuditEntry.Action.UPDATE,
            before={"状态": "停用" if active else "启用"},
            after={"状态": "启用" if active else "停用"},
            verb="启用企业账号" if active else "停用企业账号",
            division_path=enterprise.division.path,
            root=enterprise,
        )
    return user
