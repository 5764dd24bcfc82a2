from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from taizhang.core.clientip import client_ip
from taizhang.core.context import origin


class RequestSourceMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        source = "api" if request.path.startswith("/api/") else "web"
        # The real client behind a trusted proxy, like the login lockout (core.clientip).
        with origin(source, client_ip(request)):
            return self.get_response(request)
