from django.db import migrations, models

# connectors.choices.WORKSPACE_PROBLEM_STATES when this was written.
PROBLEM_STATES = (
    "UNHEALTHY",
    "IMPAIRED",
    "ERROR",
    "PENDING",
    "STARTING",
    "REBOOTING",
    "REBUILDING",
    "RESTORING",
    "UPDATING",
    "STOPPING",
    "TERMINATING",
    "MAINTENANCE",
    "ADMIN_MAINTENANCE",
)


class Migration(migrations.Migration):
    """Indexes of the insight pages at 100,000 devices (issue 15, benchmark 7)."""

    dependencies = [
        ("connectors", "0011_nql_filter_indexes"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="device",
            index=models.Index(
                fields=["state", "workspace_id"],
                condition=models.Q(state__in=PROBLEM_STATES, removed_at__isnull=True),
                name="device_problem_state",
            ),
        ),
        migrations.AddIndex(
            model_name="device",
            index=models.Index(
                fields=["connector", "last_update"],
                condition=models.Q(removed_at__isnull=True),
                name="device_active_connector_update",
            ),
        ),
        migrations.AddIndex(
            model_name="device",
            index=models.Index(
                fields=["modification_states"],
                condition=models.Q(removed_at__isnull=True),
                name="device_active_modification",
            ),
        ),
        migrations.AddIndex(
            model_name="devicechange",
            index=models.Index(fields=["changed_at"], name="devicechange_changed_at"),
        ),
    ]
