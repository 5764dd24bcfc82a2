"""Errors every do_* function raises; web views, API and import all turn them into Chinese messages."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError


class ConflictError(Exception):
    """Someone else saved the record after the user opened it."""

    def __init__(self, message: str, changes: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.changes = changes or []


def invalid(field: str | None, message: str) -> ValidationError:
    if field is None:
        return ValidationError(message)
    return ValidationError({field: [message]})


def messages_of(error: ValidationError) -> dict[str, list[str]]:
    if hasattr(error, "error_dict"):
        return {k: [m for e in v for m in e.messages] for k, v in error.error_dict.items()}
    return {"__all__": list(error.messages)}


def as_date(value: Any, field: str, label: str, *, required: bool = True) -> dt.date | None:
    """A date from a form, JSON or a cell: a date object or YYYY-MM-DD, else a Chinese error."""
    if value in (None, ""):
        if required:
            raise invalid(field, f"请填写{label}（日期格式 YYYY-MM-DD）")
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise invalid(field, f"{label}格式不正确（应为 YYYY-MM-DD），收到「{value}」") from None
