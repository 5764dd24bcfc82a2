"""The web's 400 page: says which query parameter was refused and why (taizhang.core.params)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


def bad_request(request: HttpRequest, exception: Any = None) -> HttpResponse:
    # BadParam carries a Chinese sentence; any other BadRequest (e.g. too many fields) gets
    # the generic one, never its English text.
    message = getattr(exception, "message", None) or _("请求参数不正确。")
    return render(request, "400.html", {"message": message}, status=400)
