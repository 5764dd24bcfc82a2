from __future__ import annotations

from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo data and the `taizhang demo` command; above every domain app, below nothing."""

    name = "taizhang.demo"
    label = "demo"
