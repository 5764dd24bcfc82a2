"""search_key on divisions, units and people, for the searchable picker (web/pick.py)."""

from django.db import migrations, models

from taizhang.lib.pinyin import search_key


def fill(apps, schema_editor):
    """Existing rows get the key that save() writes from now on."""
    for name in ("Division", "Unit", "Person"):
        model = apps.get_model("core", name)
        rows = list(model.objects.only("pk", "name"))
        for row in rows:
            row.search_key = search_key(row.name)
        model.objects.bulk_update(rows, ["search_key"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0004_audit_chain_and_token_scopes"),
    ]

    operations = [
        migrations.AddField(
            model_name="division",
            name="search_key",
            field=models.CharField(blank=True, editable=False, max_length=300),
        ),
        migrations.AddField(
            model_name="person",
            name="search_key",
            field=models.CharField(blank=True, editable=False, max_length=200),
        ),
        migrations.AddField(
            model_name="unit",
            name="search_key",
            field=models.CharField(blank=True, editable=False, max_length=400),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
