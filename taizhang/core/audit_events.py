"""Audit entries for what is not a change of business data: logins, failed logins, logouts,
password changes, role and scope changes, API tokens, exports and downloads, views of personal
data. `audit.record` (unchanged) remains the function for business changes; these sit beside it.

The signal receivers are connected in CoreConfig.ready.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db import models
from django.utils import timezone

from taizhang.core.context import current_origin, current_request
from taizhang.core.models import AuditEntry, Profile

# Form fields and query parameters that are never copied into the log.
_SECRET_PARAMS = frozenset({"password", "token", "csrfmiddlewaretoken", "otp"})
_PROFILE_LINKS = ("role", "division", "unit", "person", "enterprise")


def division_of(user: Any) -> str:
    """The division path an account belongs to, so the district's office sees its entries."""
    if user is None or not getattr(user, "pk", None):
        return ""
    profile = Profile.objects.filter(user_id=user.pk).select_related(
        "division", "unit__division", "enterprise__division", "person__division"
    )
    p = profile.first()
    if p is None:
        return ""
    for owner in (
        p.division,
        p.unit and p.unit.division,
        p.enterprise and p.enterprise.division,
        p.person and p.person.division,
    ):
        if owner is not None:
            return owner.path
    return ""


def _actor_name(user: Any) -> str:
    if user is None or not getattr(user, "pk", None):
        return ""
    return user.get_full_name() or user.get_username()


def record_event(
    actor: Any,
    *,
    verb: str,
    object_type: str,
    object_id: Any = "",
    object_repr: str = "",
    division_path: str | None = None,
    details: dict[str, Any] | None = None,
    changes: dict[str, list[Any]] | None = None,
    action: str = AuditEntry.Action.ACTION,
    actor_name: str | None = None,
    ip: str | None = None,
) -> AuditEntry:
    """One entry about something that happened, not necessarily to a model row.

    `details` are values shown as new ([None, v]); `changes` are before/after pairs."""
    origin = current_origin()
    user = actor if getattr(actor, "pk", None) else None
    return AuditEntry.objects.create(
        at=timezone.now(),
        actor_id=user.pk if user is not None else None,
        actor_name=(actor_name if actor_name is not None else _actor_name(user)) or "系统",
        source=origin.source,
        ip=ip if ip is not None else origin.ip,
        action=action,
        verb=verb[:120],
        object_type=object_type[:60],
        object_id=str(object_id or "")[:40],
        object_repr=(object_repr or "")[:200],
        division_path=division_of(user) if division_path is None else division_path,
        root_type=object_type[:60],
        root_id=str(object_id or "")[:40],
        changes={**{k: [None, v] for k, v in (details or {}).items()}, **(changes or {})},
    )


def _object(obj: models.Model) -> dict[str, Any]:
    return {
        "object_type": obj._meta.label_lower,
        "object_id": obj.pk,
        "object_repr": str(obj),
    }


def _request_ip(request: Any) -> str | None:
    return request.META.get("REMOTE_ADDR") if request is not None else None


# -- logins and passwords ----------------------------------------------------------------


def on_logged_in(sender, request, user, **kwargs) -> None:
    record_event(user, verb="登录", ip=_request_ip(request) or current_origin().ip, **_object(user))


def on_logged_out(sender, request, user, **kwargs) -> None:
    if user is None or not getattr(user, "pk", None):
        return
    record_event(
        user, verb="退出登录", ip=_request_ip(request) or current_origin().ip, **_object(user)
    )


def on_login_failed(sender, credentials, request=None, **kwargs) -> None:
    User = get_user_model()
    tried = str(credentials.get(User.USERNAME_FIELD) or credentials.get("username") or "")[:150]
    target = User.objects.filter(**{User.USERNAME_FIELD: tried}).first() if tried else None
    ip = _request_ip(request) or current_origin().ip
    record_event(
        None,
        actor_name="匿名",
        verb="登录失败",
        object_type=User._meta.label_lower,
        object_id=target.pk if target else "",
        object_repr=tried or "（未填登录名）",
        # The attacked account's district sees the attempt; an unknown name only the system admin.
        division_path=division_of(target),
        details={"尝试的登录名": tried, "IP": ip},
        ip=ip,
    )


def on_user_saved(sender, instance, created: bool, **kwargs) -> None:
    """A password set on an existing account (AbstractBaseUser keeps `_password` until after
    post_save): changed by its owner, reset by an administrator, or reset through a link."""
    if kwargs.get("raw"):
        return  # loaddata (a restore) replays rows; their own audit entries come with them
    if created or getattr(instance, "_password", None) is None:
        return
    # check_password saves a rehashed password with update_fields=["password"] during login:
    # the same password in a stronger hash, not a change.
    if set(kwargs.get("update_fields") or ()) == {"password"}:
        return
    request = current_request()
    by = getattr(request, "user", None) if request is not None else None
    by = by if getattr(by, "is_authenticated", False) else None
    if by is not None and by.pk == instance.pk:
        verb = "修改密码"
    elif by is not None:
        verb = "重置密码"
    elif request is not None:
        verb = "通过找回链接重置密码"
    else:
        verb = "命令行设置密码"
    record_event(
        by,
        verb=verb,
        division_path=division_of(instance),
        details={"账号": instance.get_username()},
        **_object(instance),
    )


# -- roles and scopes --------------------------------------------------------------------


def _links(p: Profile) -> dict[str, str]:
    return {
        str(Profile._meta.get_field(name).verbose_name): (
            p.get_role_display() if name == "role" else str(getattr(p, name) or "")
        )
        for name in _PROFILE_LINKS
    }


def on_profile_pre_save(sender, instance: Profile, **kwargs) -> None:
    if kwargs.get("raw"):
        return
    old = Profile.objects.filter(pk=instance.pk).first() if instance.pk else None
    instance._audit_before = _links(old) if old is not None else None


def on_profile_saved(sender, instance: Profile, created: bool, **kwargs) -> None:
    if kwargs.get("raw"):
        return  # loaddata (a restore): the profile's links may point at rows not loaded yet
    before = getattr(instance, "_audit_before", None)
    after = _links(instance)
    request = current_request()
    by = getattr(request, "user", None) if request is not None else None
    by = by if getattr(by, "is_authenticated", False) else None
    if created or before is None:
        changes = {k: [None, v] for k, v in after.items() if v}
        verb = "授予角色"
    else:
        changes = {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}
        verb = "变更角色与范围"
        if not changes:
            return
    record_event(
        by,
        verb=verb,
        action=AuditEntry.Action.CREATE if created or before is None else AuditEntry.Action.UPDATE,
        division_path=division_of(instance.user),
        changes=changes,
        **_object(instance.user),
    )


# -- API tokens --------------------------------------------------------------------------


def record_token(by: Any, token: Any, verb: str) -> AuditEntry:
    """Token issued or revoked; the digest is not logged, the owner, name, scope and expiry are."""
    return record_event(
        by,
        verb=verb,
        division_path=division_of(token.user),
        details={
            "所有人": token.user.get_username(),
            "名称": token.name,
            "权限": "只读" if token.read_only else "读写",
            "到期时间": timezone.localtime(token.expires_at).isoformat(timespec="minutes")
            if token.expires_at
            else "",
        },
        **_object(token),
    )


# -- exports, downloads and personal data ------------------------------------------------


def _filters(request: Any) -> dict[str, Any]:
    if request is None:
        return {}
    return {
        k: (v if len(v) > 1 else v[0])
        for k, v in request.GET.lists()
        if k not in _SECRET_PARAMS and k != "page"
    }


def record_download(what: str, fmt: str, *, request: Any = None, rows: int | None = None) -> None:
    """Who exported or downloaded what, with which filters. No-op outside a request (commands
    such as `taizhang bulletin` record their own entries)."""
    request = request if request is not None else current_request()
    user = getattr(request, "user", None) if request is not None else None
    if user is None or not getattr(user, "is_authenticated", False):
        return
    details: dict[str, Any] = {"文件": what, "格式": fmt, "地址": request.path}
    filters = _filters(request)
    if filters:
        details["筛选条件"] = filters
    if rows is not None:
        details["行数"] = rows
    record_event(
        user,
        verb="导出下载",
        object_type="export",
        object_id=fmt,
        object_repr=what,
        details=details,
    )


def audit_view_personal(request: Any, obj: models.Model, fields: list[str]) -> AuditEntry | None:
    """Record that the requesting user saw the unmasked personal data `fields` of `obj`
    (e.g. a cadre's mobile number). Call it where the unmasked value is rendered."""
    user = getattr(request, "user", None)
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    return record_event(
        user,
        verb="查看个人信息",
        details={"字段": list(fields)},
        ip=_request_ip(request),
        **_object(obj),
    )


def connect() -> None:
    """Connect the receivers (CoreConfig.ready)."""
    from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
    from django.db.models.signals import post_save, pre_save

    user_logged_in.connect(on_logged_in, dispatch_uid="taizhang_audit_login")
    user_logged_out.connect(on_logged_out, dispatch_uid="taizhang_audit_logout")
    user_login_failed.connect(on_login_failed, dispatch_uid="taizhang_audit_login_failed")
    post_save.connect(on_user_saved, sender=get_user_model(), dispatch_uid="taizhang_audit_pw")
    pre_save.connect(on_profile_pre_save, sender=Profile, dispatch_uid="taizhang_audit_role0")
    post_save.connect(on_profile_saved, sender=Profile, dispatch_uid="taizhang_audit_role1")
