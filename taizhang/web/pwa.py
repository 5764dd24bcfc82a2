"""The installable web app: manifest, service worker and favicon, served from our own files.

The service worker is served at /sw.js (not under /static/) because a worker only controls
pages at or below its own path: from the root it may serve the shell for every page. It
caches static files only; pages carry data a browser must not keep, so navigations always
go to the network (see templates/web/sw.js).
"""

from __future__ import annotations

import json
from importlib.metadata import PackageNotFoundError, version

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

# Files the worker fetches when it installs, so the shell styles and scripts work offline.
SHELL = (
    "taizhang/app.css",
    "taizhang/menu.js",
    "taizhang/sw-register.js",
    "taizhang/offline.html",
    "taizhang/icons/icon-192.png",
    "taizhang/icons/icon-512.png",
)


def _version() -> str:
    try:
        return version("taizhang")
    except PackageNotFoundError:  # a checkout run without installing
        return "dev"


@require_GET
@cache_control(max_age=3600)
def manifest(request: HttpRequest) -> HttpResponse:
    body = {
        "name": _("台账督查督办系统"),
        "short_name": _("台账"),
        "lang": "zh-CN",
        "start_url": reverse("landing"),
        "scope": "/",
        "display": "standalone",
        "background_color": "#f4f6f9",
        "theme_color": "#b3121f",
        "icons": [
            {
                "src": static(f"taizhang/icons/icon-{n}.png"),
                "sizes": f"{n}x{n}",
                "type": "image/png",
            }
            for n in (192, 512)
        ]
        + [
            {
                "src": static("taizhang/icons/icon-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            }
        ],
    }
    return HttpResponse(
        json.dumps(body, ensure_ascii=False), content_type="application/manifest+json"
    )


@require_GET
@cache_control(no_cache=True)  # browsers re-check the worker on every visit anyway; say so
def service_worker(request: HttpRequest) -> HttpResponse:
    js = render_to_string(
        "web/sw.js",
        {
            "cache_name": f"taizhang-shell-{_version()}",
            "shell": json.dumps([static(p) for p in SHELL]),
            "static_prefix": json.dumps(static("")),
            "offline": json.dumps(static("taizhang/offline.html")),
        },
    )
    response = HttpResponse(js, content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    return response


@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    return redirect(static("taizhang/icons/favicon.ico"), permanent=True)
