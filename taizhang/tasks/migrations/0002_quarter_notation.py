"""Quarterly report periods were stored as "2024-Q1"; the one notation is "2024Q1"."""

from __future__ import annotations

import re

from django.db import migrations

OLD = re.compile(r"^(\d{4})-[Qq]([1-4])$")


def forwards(apps, schema_editor) -> None:
    TaskReport = apps.get_model("tasks", "TaskReport")
    TaskDetail = apps.get_model("tasks", "TaskDetail")
    for r in TaskReport.objects.filter(period__contains="-Q").only("pk", "period"):
        if m := OLD.match(r.period):
            TaskReport.objects.filter(pk=r.pk).update(period=f"{m[1]}Q{m[2]}")
    for d in TaskDetail.objects.filter(actual_period__contains="-Q").only("pk", "actual_period"):
        if m := OLD.match(d.actual_period):
            TaskDetail.objects.filter(pk=d.pk).update(actual_period=f"{m[1]}Q{m[2]}")


class Migration(migrations.Migration):
    dependencies = [("tasks", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
