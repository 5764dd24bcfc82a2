"""Small helpers every web view shares."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme

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


def safe_next(request: HttpRequest, fallback: str) -> str:
    """Where to go back after a form: `next` (POST, else GET) when it is a page of this site.

    The one check for every `next` of the web layer: an absolute URL to another host, a
    scheme-relative //host or a javascript: URL would turn a form into an open redirect,
    so they give `fallback` (a URL or a route name) instead."""
    return kept_next(request) or resolve_url(fallback)


def kept_next(request: HttpRequest) -> str:
    """`next` when it is a page of this site, else "": what a form carries on to its POST."""
    back = request.POST.get("next") or request.GET.get("next") or ""
    if back and url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return back
    return ""
