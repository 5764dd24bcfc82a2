"""Reads on PostgreSQL streaming replicas, with read-your-writes (docs/deploy.md).

Only a web request may read from a replica, and only when ReplicaPinMiddleware said so:
a GET or HEAD whose user has not written in the last REPLICA_PIN_SECONDS. Everything
else reads from the primary ("default"): management commands and workers (a worker that
claims rows must read back what it stamped), other methods, everything inside
`transaction.atomic` (select_for_update, read-then-write), the rest of a request after
it wrote anything, and the models whose freshness is a matter of security (sessions,
API tokens, lockouts, second factors) or of counting (the cache table).

The choice lives in a contextvar, so it follows the request into threads started with a
copied context and into async code, and never leaks into the next request of a worker.
"""

from __future__ import annotations

import contextvars
import hashlib
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import MiddlewareNotUsed
from django.db import connections
from django.http import FileResponse, HttpRequest, HttpResponse

PRIMARY = "default"
# App labels and models always read on the primary, whatever the request.
PRIMARY_APPS = frozenset(
    {"sessions", "axes", "django_cache", "otp_totp", "otp_static", "django_otp"}
)
PRIMARY_MODELS = frozenset({"core.apitoken", "core.loginthrottle"})
# Writes a request never reads back: the audit entry of a view or an export (and the chain
# head it locks, in a transaction) leave the rest of the request on its replica.
UNREAD_WRITES = frozenset({"core.auditentry", "core.auditchain"})
PIN_COOKIE = "taizhang_pin"
PIN_SALT = "taizhang.core.routing.pin"
# Reads of these may go to a replica; a success of those pins the user to the primary.
SAFE = frozenset({"GET", "HEAD"})
WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})


@dataclass
class ReadState:
    """What the current request may read from: a replica until it writes."""

    replica: bool = False
    wrote: bool = False
    # One replica for the whole request: two replicas lag differently, and a page whose
    # count came from one and rows from the other could disagree with itself.
    alias: str = ""


_state: contextvars.ContextVar[ReadState | None] = contextvars.ContextVar(
    "taizhang_read_state", default=None
)


def replicas() -> list[str]:
    return list(getattr(settings, "DATABASE_REPLICAS", []) or [])


def pin_seconds() -> int:
    return int(getattr(settings, "REPLICA_PIN_SECONDS", 5))


def _always_primary(model: type) -> bool:
    meta = model._meta
    return meta.app_label in PRIMARY_APPS or meta.label_lower in PRIMARY_MODELS


class ReplicaRouter:
    """Writes and migrations on the primary; reads on a random replica when allowed."""

    def db_for_read(self, model: type, **hints: Any) -> str:
        state = _state.get()
        if state is None or not state.replica or state.wrote:
            return PRIMARY
        if _always_primary(model) or connections[PRIMARY].in_atomic_block:
            return PRIMARY
        instance = hints.get("instance")
        if instance is not None and instance._state.db == PRIMARY:
            # Relations of a row read on the primary (in a transaction, after a write) are
            # read there too: a replica may not have the row's newest relations yet.
            return PRIMARY
        if not state.alias:
            aliases = replicas()
            state.alias = random.choice(aliases) if aliases else PRIMARY
        return state.alias

    def db_for_write(self, model: type, **hints: Any) -> str:
        state = _state.get()
        if (
            state is not None
            and not _always_primary(model)
            and model._meta.label_lower not in UNREAD_WRITES
        ):
            # Read-your-writes inside the request too: what it wrote is not on a replica yet.
            state.wrote = True
        return PRIMARY

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        # A row read on a replica and one read on the primary are the same database.
        ours = {PRIMARY, *replicas()}
        if obj1._state.db in ours and obj2._state.db in ours:
            return True
        return None

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        # Replicas follow the primary's WAL and are read-only: migrate the primary only.
        return db == PRIMARY


def _token_key(request: HttpRequest) -> str | None:
    """The pin of an API client is kept in the (shared) cache under its token's hash:
    scripts rarely keep cookies, so a cookie alone would not give them their writes back."""
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if not header:
        return None
    return "tz:pin:" + hashlib.sha256(header.encode()).hexdigest()[:32]


def pinned(request: HttpRequest) -> bool:
    """True when this user wrote within the last REPLICA_PIN_SECONDS."""
    # The signature carries its own time: max_age refuses a pin older than the window.
    if request.get_signed_cookie(PIN_COOKIE, default=None, salt=PIN_SALT, max_age=pin_seconds()):
        return True
    key = _token_key(request)
    return bool(key and cache.get(key))


def pin(request: HttpRequest, response: HttpResponse) -> None:
    seconds = pin_seconds()
    response.set_signed_cookie(
        PIN_COOKIE,
        "1",
        salt=PIN_SALT,
        max_age=seconds,
        httponly=True,
        secure=settings.SESSION_COOKIE_SECURE,
        samesite="Lax",
    )
    key = _token_key(request)
    if key:
        cache.set(key, 1, timeout=seconds)


class ReplicaPinMiddleware:
    """Decides per request whether reads may go to a replica, and pins a user who wrote.

    Not used at all (MiddlewareNotUsed) when no replica is configured."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        if not replicas():
            raise MiddlewareNotUsed
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        safe = request.method in SAFE
        state = ReadState(replica=safe and not pinned(request))
        token = _state.set(state)
        try:
            response = self.get_response(request)
            if (
                response.streaming
                and not response.is_async
                and not isinstance(response, FileResponse)
            ):
                # A streamed export is generated after this returns: keep its reads where
                # the request's were by running each chunk in the request's context.
                response.streaming_content = _in_context(
                    contextvars.copy_context(), response.streaming_content
                )
        finally:
            _state.reset(token)
        if request.method in WRITES and response.status_code < 400:
            pin(request, response)
        return response


def _in_context(ctx: contextvars.Context, chunks: Any) -> Iterator[bytes]:
    it = iter(chunks)
    while True:
        try:
            chunk = ctx.run(next, it)
        except StopIteration:
            return
        yield chunk


def read_state() -> ReadState | None:
    """The current request's read state (None outside a request): for tests and diagnostics."""
    return _state.get()
