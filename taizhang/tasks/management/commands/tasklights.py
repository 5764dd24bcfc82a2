"""`taizhang tasklights --rebuild`: rewrite every task's stored light dates.

The dates are written at every write to a task and whenever the calendar's overrides
change; run this after changing the light settings (YELLOW_WORKDAYS, the pace margins)
or after loading tasks outside the service functions. Without ``--rebuild`` it only
counts the tasks whose stored light today is missing or not the rule's answer.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from taizhang.matters.models import Matter
from taizhang.tasks import lights
from taizhang.tasks.status import task_status


class Command(BaseCommand):
    help = "重算督办任务的亮灯日期（日历或亮灯参数调整后运行）"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--rebuild", action="store_true", help="重算并写入全部任务")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["rebuild"]:
            with transaction.atomic():
                n = lights.rebuild()
            self.stdout.write(f"已重算 {n} 项任务的亮灯日期")
            return
        today = timezone.localdate()
        tasks = Matter.objects.filter(task__isnull=False).select_related("task")
        stale = 0
        for m in tasks.prefetch_related("task_reports").iterator(chunk_size=500):
            if lights.stored_light(m.task, today) != task_status(m, today).light.light:
                stale += 1  # unset, written in the future, or no longer the rule's answer
        self.stdout.write(f"共 {tasks.count()} 项任务，{stale} 项亮灯日期需重算（--rebuild）")
