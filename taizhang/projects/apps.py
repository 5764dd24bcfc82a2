from __future__ import annotations

from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "taizhang.projects"
    label = "projects"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from taizhang.projects import rollup

        post_migrate.connect(rollup.fill_after_migrate, sender=self)
