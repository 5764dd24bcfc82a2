from __future__ import annotations

from django.apps import AppConfig


class PetitionsConfig(AppConfig):
    name = "taizhang.petitions"
    label = "petitions"
    verbose_name = "信访"

    def ready(self) -> None:
        from taizhang.petitions import steps

        steps.register()
