from __future__ import annotations

from django.apps import AppConfig


class PetitionsConfig(AppConfig):
    name = "taizhang.petitions"
    label = "petitions"
    verbose_name = "信访"

    def ready(self) -> None:
        from taizhang.assessment.bulletin import register_section
        from taizhang.petitions import measures, steps
        from taizhang.petitions.bulletin import petition_section

        steps.register()
        register_section(petition_section)
        measures.register()
