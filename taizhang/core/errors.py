"""Errors every do_* function raises; web views, API and import all turn them into Chinese messages."""

from __future__ import annotations

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
