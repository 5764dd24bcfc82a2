from __future__ import annotations

from django.apps import AppConfig


class TasksConfig(AppConfig):
    name = "taizhang.tasks"
    label = "tasks"
    verbose_name = "督查任务"

    def ready(self) -> None:
        from taizhang.tasks import (
            rules,  # noqa: F401  (registers the task light)
            steps,
        )

        steps.register()

        from django.db.models.signals import post_delete, post_migrate, post_save

        from taizhang.core.models import CalendarOverride, CalendarYear
        from taizhang.tasks.lights import calendar_changed, fill_after_migrate

        post_migrate.connect(fill_after_migrate, sender=self)

        # Working days move the stored light dates of open tasks (tasks/lights.py).
        for model in (CalendarOverride, CalendarYear):
            post_save.connect(calendar_changed, sender=model, dispatch_uid=f"task-lights-{model}")
            post_delete.connect(
                calendar_changed, sender=model, dispatch_uid=f"task-lights-del-{model}"
            )
