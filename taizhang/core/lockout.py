"""Per-username login delay: failures make the next try wait longer, but never lock the owner out.

The first TAIZHANG_LOGIN_FREE_FAILURES failures cost nothing; after that each try must wait
2, 4, 8 … seconds (at most TAIZHANG_LOGIN_MAX_DELAY_SECONDS) after the last failure. An
attacker spraying one account from many addresses only slows it down: once the delay has
passed, the owner's correct password works. Addresses that keep failing are locked by
django-axes (AXES_LOCKOUT_PARAMETERS = ["ip_address"], client IP from taizhang.core.clientip).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.core.exceptions import PermissionDenied
from django.db.models import F
from django.dispatch import receiver
from django.utils import timezone

from taizhang.core.models import LoginThrottle

# Set on the request when a try was refused for the delay, so the login form can say so
# and the refused try is not counted as one more failure.
WAIT_ATTR = "_taizhang_login_wait"


def _key(username: str | None) -> str:
    return (username or "").strip().lower()[:150]


def delay_after(failures: int) -> int:
    """Seconds the next try must wait after `failures` recent failures."""
    free = settings.TAIZHANG_LOGIN_FREE_FAILURES
    if failures < free:
        return 0
    return min(2 ** (failures - free + 1), settings.TAIZHANG_LOGIN_MAX_DELAY_SECONDS)


def wait_seconds(username: str | None, now: dt.datetime | None = None) -> int:
    """How long `username` must still wait before its password is checked again (0: go ahead)."""
    row = LoginThrottle.objects.filter(username=_key(username)).first()
    if row is None:
        return 0
    now = now or timezone.now()
    window = dt.timedelta(minutes=settings.TAIZHANG_LOGIN_FAILURE_WINDOW_MINUTES)
    if now - row.last_failure > window:
        return 0
    ready = row.last_failure + dt.timedelta(seconds=delay_after(row.failures))
    return max(0, int((ready - now).total_seconds() + 0.999))


def note_failure(username: str | None) -> None:
    key = _key(username)
    if not key:
        return
    now = timezone.now()
    window = dt.timedelta(minutes=settings.TAIZHANG_LOGIN_FAILURE_WINDOW_MINUTES)
    LoginThrottle.objects.filter(last_failure__lt=now - window).delete()
    row, created = LoginThrottle.objects.get_or_create(
        username=key, defaults={"failures": 1, "last_failure": now}
    )
    if created:
        return
    if now - row.last_failure > window:
        LoginThrottle.objects.filter(pk=row.pk).update(failures=1, last_failure=now)
    else:
        LoginThrottle.objects.filter(pk=row.pk).update(failures=F("failures") + 1, last_failure=now)


def clear(username: str | None) -> None:
    LoginThrottle.objects.filter(username=_key(username)).delete()


class UsernameDelayBackend:
    """First authentication backend: refuses (without checking the password) while waiting."""

    def authenticate(self, request: Any, username: str | None = None, **kwargs: Any) -> None:
        if username is None:
            username = kwargs.get("email")
        wait = wait_seconds(username)
        if wait:
            if request is not None:
                setattr(request, WAIT_ATTR, wait)
            raise PermissionDenied(f"登录失败次数较多，请 {wait} 秒后再试")
        return None

    # No get_user: sessions name ModelBackend (force_login and login pick the first backend
    # that has one), and this backend never authenticates anybody.


@receiver(user_login_failed, dispatch_uid="taizhang_login_delay_failed")
def _failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    if request is not None and getattr(request, WAIT_ATTR, 0):
        return  # refused for the delay: the password was not even checked
    note_failure(credentials.get("username"))


@receiver(user_logged_in, dispatch_uid="taizhang_login_delay_success")
def _succeeded(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    clear(user.get_username())
