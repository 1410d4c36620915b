from django.db import models


class Recurrence(models.IntegerChoices):
    """Minutes between runs."""

    EVERY_5_MINUTES = 5, "Every 5 minutes"
    EVERY_15_MINUTES = 15, "Every 15 minutes"
    EVERY_30_MINUTES = 30, "Every 30 minutes"
    HOURLY = 60, "Every hour"
    EVERY_2_HOURS = 120, "Every 2 hours"
    EVERY_4_HOURS = 240, "Every 4 hours"
    EVERY_6_HOURS = 360, "Every 6 hours"
    EVERY_12_HOURS = 720, "Every 12 hours"
    DAILY = 1440, "Every day"


class RunStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    PARTIAL = "partial", "Partial"
    FAILED = "failed", "Failed"
    SKIPPED = "skipped", "Skipped"


class RunTrigger(models.TextChoices):
    SCHEDULE = "schedule", "Schedule"
    MANUAL = "manual", "Run now"
    COMMAND = "command", "Command line"


class PoolType(models.TextChoices):
    PERSONAL = "personal", "personal"
    POOLED = "pooled", "pooled"


# WorkSpace states the Health page lists (insight): in trouble, or in a
# transitional state it may be stuck in. Here, not in insight, because the
# Device model's partial index on them (device_problem_state) must repeat them
# exactly, in this order, for SQLite to use it.
WORKSPACE_UNHEALTHY_STATES = ("UNHEALTHY", "IMPAIRED", "ERROR")
WORKSPACE_TRANSITIONAL_STATES = (
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
WORKSPACE_PROBLEM_STATES = WORKSPACE_UNHEALTHY_STATES + WORKSPACE_TRANSITIONAL_STATES
