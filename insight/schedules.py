"""This app's tasks on beat: the hourly retention clean-up and the check for
connectors that stopped running. Each is a django-celery-beat PeriodicTask
created or repaired after every `migrate` (insight/apps.py)."""

from __future__ import annotations

import json

WATCH_TASK = "insight.tasks.connectors_watch"
WATCH_SCHEDULE = "insight:connectors-watch"
WATCH_EVERY_MINUTES = 15


def periodic_task_ensure(*, name: str, task: str, every_minutes: int, description: str) -> None:
    """Create (or repair) one PeriodicTask on an interval. Beat picks it up like
    the connectors' own tasks (connectors/schedules.py)."""
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    interval = (
        IntervalSchedule.objects.filter(every=every_minutes, period=IntervalSchedule.MINUTES)
        .order_by("pk")
        .first()
    ) or IntervalSchedule.objects.create(every=every_minutes, period=IntervalSchedule.MINUTES)
    values = {
        "task": task,
        "interval": interval,
        "args": "[]",
        "kwargs": json.dumps({}),
        "description": description,
    }
    existing = PeriodicTask.objects.filter(name=name).first()
    if existing is None:
        PeriodicTask.objects.create(name=name, enabled=True, **values)
        return
    changed = [key for key, value in values.items() if getattr(existing, key) != value]
    if changed:
        for key in changed:
            setattr(existing, key, values[key])
        existing.save()


def schedules_ensure() -> None:
    from .retention import retention_schedule_ensure

    retention_schedule_ensure()
    periodic_task_ensure(
        name=WATCH_SCHEDULE,
        task=WATCH_TASK,
        every_minutes=WATCH_EVERY_MINUTES,
        description="Alert on enabled connectors that stopped running (insight/alerts.py)",
    )
