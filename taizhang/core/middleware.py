from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from taizhang.core.clientip import client_ip
from taizhang.core.context import origin, serving


class RequestSourceMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        source = "api" if request.path.startswith("/api/") else "web"
        # The real client behind a trusted proxy, like the login lockout (core.clientip).
        with origin(source, client_ip(request)), serving(request):
            return self.get_response(request)


# No 'unsafe-inline' anywhere: every script and style comes from a file under /static/
# (tests/test_headers.py scans the templates for inline scripts, handlers and styles).
CSP = "; ".join(
    [
        "default-src 'self'",
        "img-src 'self' data: blob:",
        "script-src 'self'",
        "style-src 'self'",
        "object-src 'none'",
        "frame-ancestors 'none'",
        "base-uri 'self'",
        "form-action 'self'",
    ]
)
# Swagger UI (ninja's bundled copy, served from /static/) sets style attributes from its
# scripts; only its own page gets inline styles, and still no inline script.
CSP_API_DOCS = CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
API_DOCS_URL_NAME = "openapi-view"


class SecurityHeadersMiddleware:
    """Content-Security-Policy on HTML; `Cache-Control: no-store` on every page and API answer.

    Static files never reach this middleware (WhiteNoise answers them earlier), so they
    stay cacheable. A view that set its own Cache-Control keeps it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.get("Content-Type", "").startswith("text/html"):
            match = getattr(request, "resolver_match", None)
            docs = match is not None and match.url_name == API_DOCS_URL_NAME
            response.setdefault("Content-Security-Policy", CSP_API_DOCS if docs else CSP)
        # Business data must not stay in a shared computer's browser cache or a proxy.
        response.setdefault("Cache-Control", "no-store")
        return response
