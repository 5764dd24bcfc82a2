"""Root routes: the web pages (taizhang.web), the JSON API (taizhang.api) and the admin."""

from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from taizhang.api.api import api

urlpatterns = [
    path("", include("taizhang.web.urls")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]

# A refused query parameter (taizhang.core.params.BadParam) shows its Chinese reason.
handler400 = "taizhang.web.errors.bad_request"
