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
        from django.db.models.signals import post_migrate

        from taizhang.core.calendar import fill_after_migrate  # also connects override signals

        post_migrate.connect(fill_after_migrate, sender=self)
