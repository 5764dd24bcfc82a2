"""Where a change comes from (web, API, import, command), carried without threading it through calls."""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Origin:
    source: str = "command"
    ip: str | None = None


# Origin is frozen, so sharing one default instance is safe.
_DEFAULT = Origin()
_origin: contextvars.ContextVar[Origin] = contextvars.ContextVar(
    "taizhang_origin", default=_DEFAULT
)


def current_origin() -> Origin:
    return _origin.get()


@contextmanager
def origin(source: str, ip: str | None = None) -> Iterator[None]:
    token = _origin.set(Origin(source, ip))
    try:
        yield
    finally:
        _origin.reset(token)


# The request being served, for audit entries written where no request is passed along
# (a download's renderer, a password saved by Django's own views). None outside requests.
_request: contextvars.ContextVar[Any] = contextvars.ContextVar("taizhang_request", default=None)


def current_request() -> Any:
    return _request.get()


@contextmanager
def serving(request: Any) -> Iterator[None]:
    token = _request.set(request)
    try:
        yield
    finally:
        _request.reset(token)
