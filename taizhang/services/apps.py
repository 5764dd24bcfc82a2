from __future__ import annotations

from django.apps import AppConfig


class ServicesConfig(AppConfig):
    name = "taizhang.services"
    label = "services"
    verbose_name = "政务服务与银企对接"
