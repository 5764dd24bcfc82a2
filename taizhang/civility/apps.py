from __future__ import annotations

from django.apps import AppConfig


class CivilityConfig(AppConfig):
    name = "taizhang.civility"
    label = "civility"
    verbose_name = "创文督查"

    def ready(self) -> None:
        from taizhang.civility import steps

        steps.register()
