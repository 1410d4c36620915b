"""Keeps each connector's django-celery-beat PeriodicTask in step.

One PeriodicTask per connector, named `connector:<pk>`, running
`connectors.tasks.run_connector` with only the connector id in its kwargs.
Interval rows are shared between connectors, never duplicated. A new
connector runs at once, then on its interval. Saving a
PeriodicTask through the ORM bumps django-celery-beat's change marker, so a
running beat picks the change up without a restart.
"""

import json

from django.utils import timezone
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from .models import InboundConnector

TASK_NAME = "connectors.tasks.run_connector"


def interval_for(minutes: int) -> IntervalSchedule:
    schedule = (
        IntervalSchedule.objects.filter(every=minutes, period=IntervalSchedule.MINUTES)
        .order_by("pk")
        .first()
    )
    return schedule or IntervalSchedule.objects.create(
        every=minutes, period=IntervalSchedule.MINUTES
    )


def periodic_task_sync(*, connector: InboundConnector) -> PeriodicTask:
    """Create or update the connector's periodic task. Call inside the
    transaction that saves the connector."""
    values = {
        "task": TASK_NAME,
        "kwargs": json.dumps({"connector_id": connector.pk}),
        "args": "[]",
        "interval": interval_for(connector.recurrence),
        "enabled": connector.enabled,
        "description": (
            f"Collect {connector.connector_type_label} for connector '{connector.nql_id}'"
        ),
    }
    task = connector.periodic_task
    if task is None:
        # start_time makes beat run a new connector at once, then on its interval.
        task, _ = PeriodicTask.objects.update_or_create(
            name=connector.beat_task_name, defaults={**values, "start_time": timezone.now()}
        )
        InboundConnector.objects.filter(pk=connector.pk).update(periodic_task=task)
        connector.periodic_task = task
    else:
        changed = [name for name, value in values.items() if getattr(task, name) != value]
        if changed:
            for name in changed:
                setattr(task, name, values[name])
            task.save()
    return task


def periodic_task_delete(*, connector: InboundConnector) -> None:
    PeriodicTask.objects.filter(name=connector.beat_task_name).delete()
