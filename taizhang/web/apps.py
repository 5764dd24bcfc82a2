from __future__ import annotations

from django.apps import AppConfig


class WebConfig(AppConfig):
    """The web layer: every HTML view, form, template and list-export view."""

    name = "taizhang.web"
    label = "web"
