from __future__ import annotations

from django.apps import AppConfig
from django.db.models.signals import post_migrate


class MattersConfig(AppConfig):
    name = "taizhang.matters"
    label = "matters"
    verbose_name = "督办事项"

    def ready(self) -> None:
        post_migrate.connect(_ensure_categories, sender=self)
        from taizhang.matters import problem_steps

        problem_steps.register()
        from taizhang.matters import rollup

        rollup.connect()
        post_migrate.connect(rollup.fill_after_migrate, sender=self)


def _ensure_categories(**kwargs) -> None:
    # Runs after migrate and after a test flush, so the managed list is never empty.
    from taizhang.matters.models import ensure_default_categories

    ensure_default_categories()
