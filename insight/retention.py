"""Retention: how long history is kept, and the clean-up that enforces it.

The periods are settings (INSIGHT_RETENTION_DAYS, each overridable from the
environment); the clean-up runs on beat every hour (a PeriodicTask kept in
step by `retention_schedule_ensure`, called after every migrate) and deletes
in batches, so no pass holds a long transaction. What it never deletes: a
queued or running run, and each connector's last succeeded run (the Health
page's "last success")."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Max, Model, QuerySet
from django.utils import timezone

from connectors.choices import RunStatus
from connectors.models import Device, DeviceChange, Pool, PoolSession, Run

from .models import AlertDelivery, CleanupRecord, FleetSnapshot, SnapshotHour, StateTransition
from .services import utc_hour

log = logging.getLogger(__name__)

TASK_NAME = "insight.tasks.retention_cleanup"
SCHEDULE_NAME = "insight:retention-cleanup"
CLEANUP_EVERY_MINUTES = 60
BATCH = 2000
RECORDS_KEPT_DAYS = 30
# key -> (label, what it applies to)
RETENTION_LABELS = {
    "runs": "Runs",
    "snapshots": "Fleet snapshots",
    "state_transitions": "State transitions",
    "device_changes": "Device changes (drift history)",
    "removed_devices": "Removed devices",
    "alert_deliveries": "Alerts sent",
    "ended_pool_sessions": "Ended pool sessions",
    "removed_pools": "Removed pools (with their sessions)",
}


@dataclass(frozen=True)
class RetentionPeriod:
    key: str
    label: str
    days: int


def retention_periods() -> list[RetentionPeriod]:
    days = settings.INSIGHT_RETENTION_DAYS
    return [RetentionPeriod(key, label, int(days[key])) for key, label in RETENTION_LABELS.items()]


def _delete_in_batches(queryset: QuerySet, model: type[Model]) -> int:
    """Delete what the queryset selects, BATCH rows at a time (with their
    cascades), and return how many rows of `model` went."""
    total = 0
    ids = queryset.order_by().values_list("pk", flat=True)
    while True:
        batch = list(ids[:BATCH])
        if not batch:
            return total
        _, per_model = model.objects.filter(pk__in=batch).delete()
        total += per_model.get(model._meta.label, 0)


def _kept_runs() -> QuerySet:
    """Each connector's last succeeded run."""
    return (
        Run.objects.filter(status=RunStatus.SUCCEEDED)
        .values("connector_id")
        .annotate(last=Max("id"))
        .values("last")
    )


def retention_cleanup(*, now: datetime | None = None) -> CleanupRecord:
    """One pass: delete everything older than its retention period."""
    now = now or timezone.now()
    record = CleanupRecord.objects.create(started_at=now)
    days = {p.key: p.days for p in retention_periods()}

    def cutoff(key: str) -> datetime:
        return now - timedelta(days=days[key])

    plan = (
        (
            "state_transitions",
            StateTransition.objects.filter(at__lt=cutoff("state_transitions")),
            StateTransition,
        ),
        (
            "snapshots",
            FleetSnapshot.objects.filter(taken_at__lt=cutoff("snapshots")),
            FleetSnapshot,
        ),
        (
            "device_changes",
            DeviceChange.objects.filter(changed_at__lt=cutoff("device_changes")),
            DeviceChange,
        ),
        (
            "removed_devices",
            Device.objects.filter(removed_at__lt=cutoff("removed_devices")),
            Device,
        ),
        (
            "runs",
            Run.objects.filter(created_at__lt=cutoff("runs"))
            .exclude(status__in=(RunStatus.QUEUED, RunStatus.RUNNING))
            .exclude(pk__in=_kept_runs()),
            Run,
        ),
        (
            "alert_deliveries",
            AlertDelivery.objects.filter(created_at__lt=cutoff("alert_deliveries")),
            AlertDelivery,
        ),
        (
            "ended_pool_sessions",
            PoolSession.objects.filter(ended_at__lt=cutoff("ended_pool_sessions")),
            PoolSession,
        ),
        (
            "removed_pools",
            Pool.objects.filter(removed_at__lt=cutoff("removed_pools")),
            Pool,
        ),
    )
    deleted = {}
    try:
        for key, queryset, model in plan:
            deleted[key] = _delete_in_batches(queryset, model)
        # The snapshots' hourly sums go with them (whole hours before the cutoff).
        hours = SnapshotHour.objects.filter(hour__lt=utc_hour(cutoff("snapshots")))
        _delete_in_batches(hours, SnapshotHour)
    except Exception as exc:  # recorded on the operations page, retried next hour
        log.exception("insight: retention clean-up failed")
        record.error = f"{type(exc).__name__}: {exc}"[:255]
    record.deleted, record.finished_at = deleted, timezone.now()
    record.save(update_fields=["deleted", "finished_at", "error"])
    CleanupRecord.objects.filter(started_at__lt=now - timedelta(days=RECORDS_KEPT_DAYS)).delete()
    log.info("insight: retention clean-up deleted %s", deleted)
    return record


def retention_schedule_ensure() -> None:
    """Create (or repair) the hourly PeriodicTask of the clean-up."""
    from .schedules import periodic_task_ensure

    periodic_task_ensure(
        name=SCHEDULE_NAME,
        task=TASK_NAME,
        every_minutes=CLEANUP_EVERY_MINUTES,
        description="Delete history older than its retention period (insight/retention.py)",
    )


# --- reads, for this app's page and the Operations page (issue 18) ---------


@dataclass(frozen=True)
class RetentionOverview:
    periods: list[RetentionPeriod]
    last_cleanup: CleanupRecord | None
    every_minutes: int
    scheduled: bool


def retention_overview() -> RetentionOverview:
    """The retention periods and the last clean-up (two queries)."""
    from django_celery_beat.models import PeriodicTask

    return RetentionOverview(
        periods=retention_periods(),
        last_cleanup=CleanupRecord.objects.first(),
        every_minutes=CLEANUP_EVERY_MINUTES,
        scheduled=PeriodicTask.objects.filter(name=SCHEDULE_NAME, enabled=True).exists(),
    )
