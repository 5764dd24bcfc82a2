from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("matters", "0004_remove_matter_light"),
    ]

    operations = [
        migrations.AlterField(
            model_name="matter",
            name="kind",
            field=models.CharField(
                choices=[
                    ("enterprise_problem", "企业问题"),
                    ("supervision_task", "督办任务"),
                    ("suggestion", "人大代表建议"),
                    ("proposal", "政协提案"),
                    ("petition", "信访件"),
                ],
                db_index=True,
                max_length=20,
                verbose_name="事项类型",
            ),
        ),
    ]
