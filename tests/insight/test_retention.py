"""Retention: the clean-up on beat keeps every history table flat, whatever
how long the console runs."""

from datetime import UTC, datetime, timedelta

import pytest
from django_celery_beat.models import PeriodicTask

from connectors.choices import RunStatus
from connectors.models import Device, DeviceChange, Pool, PoolSession, Run
from insight import retention
from insight.models import (
    AlertDelivery,
    CleanupRecord,
    FleetSnapshot,
    SnapshotHour,
    StateTransition,
)
from insight.tasks import retention_cleanup as cleanup_task
from nexthink_admin.celery import app as celery_app
from tests.connectors.factories import make_connector
from tests.devices.factories import make_device, make_devices
from tests.insight.helpers import finish_run
from tests.pools.factories import make_pool, make_session

pytestmark = pytest.mark.django_db
START = datetime(2026, 1, 1, tzinfo=UTC)
RUNS_PER_DAY = 4
SHORT = {
    "runs": 7,
    "snapshots": 20,
    "state_transitions": 20,
    "device_changes": 20,
    "removed_devices": 10,
    "alert_deliveries": 10,
    "ended_pool_sessions": 5,
    "removed_pools": 5,
}
SESSIONS_PER_DAY = 3


def table_sizes() -> dict[str, int]:
    return {
        "runs": Run.objects.count(),
        "snapshots": FleetSnapshot.objects.count(),
        "snapshot hours": SnapshotHour.objects.count(),
        "transitions": StateTransition.objects.count(),
        "changes": DeviceChange.objects.count(),
        "devices": Device.objects.count(),
        "deliveries": AlertDelivery.objects.count(),
        "cleanups": CleanupRecord.objects.count(),
        "pools": Pool.objects.count(),
        "pool_sessions": PoolSession.objects.count(),
    }


def live_one_day(connector, day: int) -> None:
    """Four runs: WorkSpaces start in the morning and stop at night, one is
    resized, one disappears and a new one arrives; the clean-up runs hourly
    on beat, here once at the end of the day."""
    base = START + timedelta(days=day)
    ws = list(
        Device.objects.filter(connector=connector, removed_at__isnull=True).order_by("id")[:10]
    )
    for i in range(RUNS_PER_DAY):
        at = base + timedelta(hours=6 * i + 1)
        state = "AVAILABLE" if i in (1, 2) else "STOPPED"
        finish_run(connector, at, states={d.pk: state for d in ws})
    victim = ws[0]
    DeviceChange.objects.create(
        device=victim, field="instance_size", old_value="STANDARD", new_value="POWER",
        changed_at=base + timedelta(hours=2),
    )  # fmt: skip
    Device.objects.filter(pk=victim.pk).update(removed_at=base + timedelta(hours=20))
    make_device(connector, 1000 + day)
    # Users come and go in the standing pool; a short-lived pool is removed.
    pool = Pool.objects.filter(connector=connector, removed_at__isnull=True).first()
    pool = pool or make_pool(connector, 1)
    ended = base + timedelta(hours=20)
    for n in range(SESSIONS_PER_DAY):
        make_session(pool, day * 10 + n, session_id=f"sess-{day}-{n}", ended_at=ended)
    short_lived = make_pool(connector, 100 + day, name=f"Test {day}", removed_at=ended)
    make_session(short_lived, 1, session_id=f"test-{day}", ended_at=ended)
    AlertDelivery.objects.create(
        created_at=base, channel_name="ops", subject="x", payload={}, status="sent"
    )
    retention.retention_cleanup(now=base + timedelta(hours=23))


def test_the_database_stays_flat_over_90_simulated_days(settings):
    settings.INSIGHT_RETENTION_DAYS = SHORT
    connector = make_connector()
    make_devices(connector, 30, state="STOPPED")
    sizes = {}
    for day in range(90):
        live_one_day(connector, day)
        if day in (44, 89):
            sizes[day] = table_sizes()
    assert sizes[44] == sizes[89], sizes
    # ...and the levels are what the periods say, not what 90 days would hold.
    assert sizes[89]["snapshots"] == 20 * RUNS_PER_DAY
    assert sizes[89]["snapshot hours"] == 20 * RUNS_PER_DAY  # one run in each hour
    assert sizes[89]["runs"] <= 8 * RUNS_PER_DAY
    assert sizes[89]["deliveries"] <= 11
    assert sizes[89]["changes"] <= 11  # the changes of removed devices went with them
    assert sizes[89]["devices"] <= 30 + 11
    assert sizes[89]["cleanups"] <= retention.RECORDS_KEPT_DAYS + 1
    # Ended sessions and removed pools (with their sessions) go too.
    assert sizes[89]["pool_sessions"] <= (SESSIONS_PER_DAY + 1) * (5 + 1)
    assert sizes[89]["pools"] <= 1 + 5 + 1


def test_clean_up_keeps_runs_in_progress_and_each_connectors_last_success(settings):
    settings.INSIGHT_RETENTION_DAYS = SHORT
    connector = make_connector()
    now = START + timedelta(days=60)
    last_success = finish_run(connector, START)
    finish_run(connector, START + timedelta(days=1), status=RunStatus.FAILED)
    running = Run.objects.create(connector=connector, status=RunStatus.RUNNING)
    Run.objects.filter(pk=running.pk).update(created_at=START)

    record = retention.retention_cleanup(now=now)

    assert set(Run.objects.values_list("pk", flat=True)) == {last_success.pk, running.pk}
    assert record.deleted["runs"] == 1 and record.finished_at and not record.error


def test_the_clean_up_is_registered_on_beat_and_known_to_the_worker():
    task = PeriodicTask.objects.get(name=retention.SCHEDULE_NAME)
    assert task.enabled and task.task == retention.TASK_NAME
    assert task.interval.every == retention.CLEANUP_EVERY_MINUTES
    assert celery_app.tasks[retention.TASK_NAME].name == cleanup_task.name == retention.TASK_NAME
    # Ensuring it again (every migrate does) never duplicates it.
    retention.retention_schedule_ensure()
    assert PeriodicTask.objects.filter(task=retention.TASK_NAME).count() == 1


def test_the_beat_task_runs_a_clean_up_pass():
    cleanup_task()  # what the worker runs (a call: no broker involved in tests)
    assert CleanupRecord.objects.get().finished_at is not None
    overview = retention.retention_overview()
    assert overview.scheduled and overview.last_cleanup is not None
    assert [p.key for p in overview.periods] == list(retention.RETENTION_LABELS)


@pytest.mark.parametrize(
    ("queryset", "index"),
    [
        (lambda at: PoolSession.objects.filter(ended_at__lt=at), "poolsession_ended_at"),
        (lambda at: Pool.objects.filter(removed_at__lt=at), "pool_removed_at"),
    ],
)
def test_the_clean_up_can_find_ended_sessions_and_removed_pools_by_an_index(queryset, index):
    # Each hour's pass must not have to read every session of every pool to find the old
    # ones. The ids are read as the clean-up reads them; on PostgreSQL, whose planner
    # prefers a scan of tables this small, sequential scans are ruled out to see that
    # the index can serve the filter at all.
    from django.db import connection

    ids = queryset(START).order_by().values_list("pk", flat=True)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
    plan = ids.explain()
    assert index in plan, plan
