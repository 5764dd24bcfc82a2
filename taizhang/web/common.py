"""Small helpers every web view shares."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from taizhang.core.errors import messages_of
from taizhang.core.models import Division
from taizhang.core.periods import chosen_division
from taizhang.core.scope import Scope


def flash_errors(request: HttpRequest, error: ValidationError) -> None:
    """Every message of a ValidationError as an error flash, field by field."""
    for msgs in messages_of(error).values():
        for msg in msgs:
            messages.error(request, msg)


def page_division(request: HttpRequest, scope: Scope) -> Division | None:
    """The division the page shows: ?division= (code, name or id; POST too), else the default."""
    return chosen_division(scope, request.GET.get("division") or request.POST.get("division"))
