from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "taizhang.core"
    label = "core"
    verbose_name = _("组织与权限")

    def ready(self) -> None:
        from taizhang.core.models import _register_scopes

        _register_scopes()
        import taizhang.core.calendar  # noqa: F401  (connects the override signals)
