"""Similar problems and 合并 (docs/similar.md): the stored words for the candidate prefilter,
the problem a duplicate was merged into, and the enterprises a kept problem took over."""

import django.db.models.deletion
from django.db import migrations, models

from taizhang.lib.similar import keys


def fill(apps, schema_editor):
    """Existing enterprise problems get the words that creation writes from now on."""
    Matter = apps.get_model("matters", "Matter")
    rows = list(Matter.objects.filter(kind="enterprise_problem").only("pk", "title", "description"))
    for row in rows:
        row.similar_keys = keys(f"{row.title}。{(row.description or '')[:200]}")
    Matter.objects.bulk_update(rows, ["similar_keys"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("enterprises", "0003_visit_position"),
        ("matters", "0006_rectification_kind"),
    ]

    operations = [
        migrations.AddField(
            model_name="matter",
            name="merged_into",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="merged_problems",
                to="matters.matter",
                verbose_name="并入问题",
            ),
        ),
        migrations.AddField(
            model_name="matter",
            name="other_enterprises",
            field=models.ManyToManyField(
                blank=True,
                related_name="merged_matters",
                to="enterprises.enterprise",
                verbose_name="合并带入的企业",
            ),
        ),
        migrations.AddField(
            model_name="matter",
            name="similar_keys",
            field=models.CharField(
                blank=True, default="", editable=False, max_length=300, verbose_name="相似检索词"
            ),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
