from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "taizhang.core"
    label = "core"
    verbose_name = _("组织与权限")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        import taizhang.core.chain  # noqa: F401  (links every new audit entry into the hash chain)
        import taizhang.core.checks  # noqa: F401  (registers the deployment checks)
        import taizhang.core.scope  # noqa: F401  (registers the scope rules of core's models)
        from taizhang.core.calendar import fill_after_migrate  # also connects override signals

        post_migrate.connect(fill_after_migrate, sender=self)
        # CACHE_URL=db:// needs its table; an upgrade runs `taizhang migrate`, so create it
        # there rather than rely on a second command being remembered (docs/deploy.md).
        post_migrate.connect(create_cache_table, sender=self)
        from taizhang.core import audit_events

        audit_events.connect()

        from django.contrib.auth.signals import user_logged_in

        from taizhang.core.sessions import mark_login

        user_logged_in.connect(mark_login, dispatch_uid="taizhang-session-start")


def create_cache_table(using: str = "default", verbosity: int = 1, **kw: object) -> None:
    from django.conf import settings
    from django.core.management import call_command

    if any(c.get("BACKEND", "").endswith("DatabaseCache") for c in settings.CACHES.values()):
        call_command("createcachetable", database=using, verbosity=0)
