from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = []

    operations = [
        migrations.CreateModel(
            name="Heartbeat",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "name",
                    models.CharField(help_text="Who beats: beat, ...", max_length=64, unique=True),
                ),
                ("at", models.DateTimeField(help_text="When it last beat.")),
            ],
            options={
                "default_permissions": (),
                "permissions": [
                    (
                        "view_operations",
                        "Can see the Operations page: beat, workers, queue and runs",
                    )
                ],
            },
        ),
    ]
