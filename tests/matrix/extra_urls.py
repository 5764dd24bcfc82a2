"""The project's URLs plus one route that has no matrix entry (for the completeness test)."""

from __future__ import annotations

from django.http import HttpResponse
from django.urls import path

from taizhang.urls import urlpatterns as project_urlpatterns

urlpatterns = [
    *project_urlpatterns,
    path("matrix-dummy/", lambda request: HttpResponse("x"), name="matrix_dummy"),
]
