"""Query parameters of list pages, exports and API operations: parsed and bounded in one place.

A value the database or `datetime` cannot take (``year=99999``, an id beyond 64 bits, an
offset past SQLite's integer) used to reach the ORM and end in HTTP 500. Every helper here
either returns a value every backend accepts or raises :class:`BadParam`, a Django
``BadRequest``: the web answers it with the 400 page naming the parameter (``handler400``
in ``taizhang/urls.py``), the API with JSON ``{"detail": …}`` and status 400
(``taizhang/api/api.py``). An empty or missing parameter is "not filtered" (the default).

The API's Query schemas take their ``ge``/``le`` bounds from the same constants, so a
parameter has one range whichever door it comes through.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import BadRequest

# Years a filter or a period may name. Wider than any ledger (the oldest projects date from
# the 2000s) but inside what datetime.date and both databases' date functions take.
YEAR_MIN, YEAR_MAX = 1900, 2100
# Ids: primary keys are BigAutoField (signed 64 bits), the widest integer SQLite binds.
ID_MAX = 2**63 - 1
# Offsets and counts of a page: 32 bits is far beyond any list and binds everywhere.
OFFSET_MAX = 2**31 - 1
# "Not visited for N days": 100 years back still gives a valid date.
DAYS_MAX = 36500


class BadParam(BadRequest):
    """A query parameter outside its type or range; ``message`` is the Chinese sentence shown."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key
        self.message = message


def _raw(params: Any, key: str) -> str | None:
    value = params.get(key)
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def int_param(
    params: Any, key: str, *, lo: int, hi: int, default: int | None = None, label: str = ""
) -> int | None:
    """An integer in [lo, hi], the default when empty, else BadParam."""
    text = _raw(params, key)
    if text is None:
        return default
    name = label or key
    try:
        value = int(text)
    except ValueError:
        raise BadParam(key, f"参数「{name}」应为整数，收到「{text[:40]}」") from None
    if not lo <= value <= hi:
        raise BadParam(key, f"参数「{name}」应在 {lo}—{hi} 之间，收到「{text[:40]}」")
    return value


def year_param(params: Any, key: str = "year", default: int | None = None) -> int | None:
    return int_param(params, key, lo=YEAR_MIN, hi=YEAR_MAX, default=default, label="年度")


def month_param(params: Any, key: str = "month", default: int | None = None) -> int | None:
    return int_param(params, key, lo=1, hi=12, default=default, label="月份")


def days_param(params: Any, key: str, default: int | None = None) -> int | None:
    return int_param(params, key, lo=0, hi=DAYS_MAX, default=default, label="天数")


def offset_param(params: Any, key: str = "offset", default: int = 0) -> int:
    value = int_param(params, key, lo=0, hi=OFFSET_MAX, default=default, label="起始位置")
    return default if value is None else value


def date_param(params: Any, key: str, default: dt.date | None = None) -> dt.date | None:
    """A YYYY-MM-DD date, the default when empty, else BadParam."""
    text = _raw(params, key)
    if text is None:
        return default
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise BadParam(key, f"参数「{key}」应为日期 YYYY-MM-DD，收到「{text[:40]}」") from None


def choice_param(
    params: Any, key: str, choices: Iterable[str], default: str | None = None
) -> str | None:
    """One of `choices`, the default when empty, else BadParam."""
    text = _raw(params, key)
    if text is None:
        return default
    allowed = list(choices)
    if text not in allowed:
        raise BadParam(key, f"参数「{key}」应为 {'/'.join(allowed)} 之一，收到「{text[:40]}」")
    return text


def ref_id(key: str, value: str | None) -> int | None:
    """The id when a filter value that takes "an id or a name" is all digits, else None.

    Used where a list filters by ``unit=12`` or ``unit=区发改委``: digits beyond a 64-bit id
    are not a name either, so they are refused instead of reaching the database."""
    if value is None or not value.isdigit():
        return None
    number = int(value)
    if number > ID_MAX:
        raise BadParam(key, f"参数「{key}」的编号超出范围，收到「{value[:40]}」")
    return number


def year_of(value: int | None, key: str = "year") -> int | None:
    """An already-parsed year (API Query schemas, dataclass filters) checked against the range."""
    if value is not None and not YEAR_MIN <= value <= YEAR_MAX:
        raise BadParam(key, f"参数「年度」应在 {YEAR_MIN}—{YEAR_MAX} 之间，收到「{value}」")
    return value


def nul_param(request: Any) -> str | None:
    """The name of a query parameter (or "body" for JSON) carrying a NUL character.

    PostgreSQL text cannot hold U+0000: such a value reaching a filter or a save is a
    DataError (HTTP 500) on PostgreSQL and silently stored on SQLite. Form fields already
    refuse it (Django's ProhibitNullCharactersValidator); query strings and JSON bodies pass
    here. File uploads (multipart) are binary and are not looked at."""
    for key, values in request.GET.lists():
        if "\x00" in key or any("\x00" in v for v in values):
            return key.replace("\x00", "")
    if (
        request.content_type == "application/json"
        and request.method != "GET"
        and request.path not in NUL_TEXT_PATHS
    ):
        body = request.body
        try:
            body.decode("utf-8")
        except UnicodeDecodeError:
            return None  # not JSON text at all: the view's own parser answers 422 for that
        if b"\x00" in body or b"\\u0000" in body:
            return "body"
    return None


# Endpoints that only read a pasted text and store nothing of it: a NUL from a Word paste is
# harmless there (the extractor skips it), so it is not refused.
NUL_TEXT_PATHS = frozenset({"/api/v1/extract"})


class RefuseNulMiddleware:
    """Answers 400 before any view runs when a parameter carries a NUL (see nul_param)."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: Any) -> Any:
        key = nul_param(request)
        if key is None:
            return self.get_response(request)
        message = f"参数「{key}」含有不允许的空字符（\\0）"
        if request.path.startswith("/api/"):
            from django.http import JsonResponse

            body = {"detail": message, "errors": {key: [message]}}
            return JsonResponse(body, status=400, json_dumps_params={"ensure_ascii": False})
        raise BadParam(key, message)
