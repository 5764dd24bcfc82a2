"""API authentication by bearer token (expiry, read-only scope) and the per-token / per-IP rate
limits. Not a route module: api.py and the settings' MIDDLEWARE use it."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from ninja.security import HttpBearer

from taizhang.core.models import ApiToken

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# last_used is a hint for the owner ("used 3 minutes ago"), not a log: one UPDATE a minute at most.
LAST_USED_STEP = dt.timedelta(minutes=1)


class TokenExpired(Exception):
    pass


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str):
        found = (
            ApiToken.objects.select_related("user")
            .filter(digest=ApiToken.hash(token), user__is_active=True)
            .first()
        )
        if found is None:
            return None
        now = timezone.now()
        if found.expires_at is not None and found.expires_at <= now:
            raise TokenExpired()
        if found.read_only and request.method not in SAFE_METHODS:
            raise PermissionDenied("该令牌为只读令牌，不能修改数据")
        if found.last_used is None or now - found.last_used >= LAST_USED_STEP:
            # Conditional on the value read, so concurrent requests write it once.
            ApiToken.objects.filter(pk=found.pk, last_used=found.last_used).update(last_used=now)
        request.user = found.user
        request.api_token = found
        return found.user


def _rate(name: str, default: int) -> int:
    return int(settings.TAIZHANG.get(name, default))


def _hit(key: str, limit: int, window: int = 60) -> int | None:
    """Count one request in the current fixed window; the seconds to wait when over `limit`.

    Fixed windows in Django's cache: LocMem (the default) counts per process, so several
    servers or workers need a shared cache (docs/security-audit.md)."""
    if limit <= 0:
        return None
    now = time.time()
    slot = int(now // window)
    full = f"tz:rate:{key}:{slot}"
    cache.add(full, 0, timeout=window + 5)
    try:
        count = cache.incr(full)
    except ValueError:
        # Evicted between add and incr: start the window again.
        cache.set(full, 1, timeout=window + 5)
        count = 1
    if count > limit:
        return max(1, int((slot + 1) * window - now + 0.999))
    return None


class ApiRateLimitMiddleware:
    """429 with Retry-After for /api/ requests over the per-IP or the per-token limit.

    Before authentication on purpose: guessing tokens counts against the IP as well."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path.startswith("/api/"):
            refused = self._check(request)
            if refused is not None:
                return refused
        return self.get_response(request)

    def _check(self, request: HttpRequest) -> HttpResponse | None:
        ip = request.META.get("REMOTE_ADDR") or "unknown"
        wait = _hit(f"ip:{ip}", _rate("API_RATE_PER_IP", 300))
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if wait is None and header[:7].lower() == "bearer ":
            digest = ApiToken.hash(header[7:].strip())
            wait = _hit(f"token:{digest}", _rate("API_RATE_PER_TOKEN", 120))
        if wait is None:
            return None
        response = JsonResponse(
            {"detail": f"请求过于频繁，请 {wait} 秒后再试"},
            status=429,
            json_dumps_params={"ensure_ascii": False},
        )
        response["Retry-After"] = str(wait)
        return response
