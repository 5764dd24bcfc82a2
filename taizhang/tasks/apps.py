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
