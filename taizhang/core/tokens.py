"""API tokens: issued, listed and revoked by their owner (web /account/tokens/, `taizhang token`).

Only the sha256 digest is stored; the raw token is returned once. Issue and revoke are audited.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404

from taizhang.core import audit_events
from taizhang.core.errors import invalid
from taizhang.core.models import ApiToken


def max_days() -> int:
    return int(settings.TAIZHANG.get("TOKEN_DAYS", 90))


def tokens_of(user: Any) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).order_by("-created")


@transaction.atomic
def do_issue_token(
    user: Any, *, name: str, days: int | None = None, read_only: bool = False, by: Any = None
) -> tuple[ApiToken, str]:
    """A token for `user` (`by` issues it: the user, or an administrator on the command line)."""
    name = (name or "").strip()
    if not name:
        raise invalid("name", "请填写令牌用途，如“数据中心对接”")
    if len(name) > 60:
        raise invalid("name", "令牌用途不能超过60个字")
    if days is None:
        days = max_days()
    if not 1 <= days <= max_days():
        raise invalid("days", f"有效期应为 1—{max_days()} 天")
    if not getattr(user, "is_active", False):
        raise invalid(None, "账号已停用，不能签发令牌")
    token, raw = ApiToken.issue(user, name, days=days, read_only=read_only)
    audit_events.record_token(by if by is not None else user, token, "签发接口令牌")
    return token, raw


@transaction.atomic
def do_revoke_token(user: Any, token_id: int) -> ApiToken:
    """Revoke (delete) one of the user's own tokens; another's is not found."""
    token = tokens_of(user).select_for_update().filter(pk=token_id).first()
    if token is None:
        raise Http404("没有这个令牌")
    audit_events.record_token(user, token, "吊销接口令牌")
    token.delete()
    return token
