from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from taizhang.core.context import origin, serving


class RequestSourceMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        source = "api" if request.path.startswith("/api/") else "web"
        with origin(source, request.META.get("REMOTE_ADDR")), serving(request):
            return self.get_response(request)
