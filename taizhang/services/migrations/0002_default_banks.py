"""The managed bank list starts with the banks a county's 银企对接会 usually seats."""

from __future__ import annotations

from django.db import migrations

BANKS = [
    "中国工商银行",
    "中国农业银行",
    "中国银行",
    "中国建设银行",
    "交通银行",
    "中国邮政储蓄银行",
    "中原银行",
    "平顶山银行",
    "农村商业银行",
    "郑州银行",
]


def add_banks(apps, schema_editor):
    Bank = apps.get_model("services", "Bank")
    for i, name in enumerate(BANKS):
        Bank.objects.get_or_create(name=name, defaults={"order": i})


class Migration(migrations.Migration):
    dependencies = [("services", "0001_cases_and_financing")]
    operations = [migrations.RunPython(add_banks, migrations.RunPython.noop)]
