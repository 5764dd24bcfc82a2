from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "taizhang.core"
    label = "core"
    verbose_name = _("组织与权限")

    def ready(self) -> None:
        import taizhang.core.calendar  # noqa: F401  (connects the override signals)
        import taizhang.core.scope  # noqa: F401  (registers the scope rules of core's models)
