from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeasuresConfig(AppConfig):
    name = "taizhang.measures"
    label = "measures"
    verbose_name = _("台账指标与核对")

    def ready(self) -> None:
        from taizhang.measures import builtin

        builtin.register_all()
