from __future__ import annotations

from django.apps import AppConfig


class ServicesConfig(AppConfig):
    name = "taizhang.services"
    label = "services"
    verbose_name = "政务服务与银企对接"

    def ready(self) -> None:
        # The bulletin (assessment, a layer below) takes this app's section through its hook.
        from taizhang.assessment.bulletin import register_section
        from taizhang.services import measures
        from taizhang.services.bulletin import bulletin_section

        register_section(bulletin_section)
        # Its figures as ledger measures (targets, fact-check).
        measures.register()
