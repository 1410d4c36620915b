"""Writes at the end of each run: the connector's run streak, a snapshot of
its fleet (succeeded runs), the devices whose state changed, then the alerts.

The run lifecycle calls `insight_run_finished(run=...)` once, after the run
row is final. Nothing here may break a run: a failure is logged and the run
stands as it ended."""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from datetime import UTC, datetime

from django.db import transaction
from django.db.models import Count, F, Min, Q, Value
from django.db.models.functions import Greatest

from connectors.choices import (
    WORKSPACE_TRANSITIONAL_STATES,
    WORKSPACE_UNHEALTHY_STATES,
    PoolType,
    RunStatus,
)
from connectors.models import Device, Run

from . import hooks
from .models import ConnectorHealth, DeviceState, FleetSnapshot, SnapshotHour, StateTransition

log = logging.getLogger(__name__)

UNHEALTHY_STATES = WORKSPACE_UNHEALTHY_STATES
TRANSITIONAL_STATES = WORKSPACE_TRANSITIONAL_STATES
RUNNING_STATE = "AVAILABLE"
STOPPED_STATE = "STOPPED"
AUTO_STOP = "AUTO_STOP"
FAILING_STATUSES = (RunStatus.FAILED, RunStatus.PARTIAL)
OBSERVED_STATUSES = (RunStatus.SUCCEEDED, RunStatus.PARTIAL)
CHUNK = 2000
AUTO_STOP_SAMPLES = ("auto_stop_available", "auto_stop_stopped", "auto_stop_other")


def insight_run_finished(*, run: Run) -> None:
    """The one call the run lifecycle makes when a run has ended (any status)."""
    try:
        connector_health_record(run=run)
        if run.status in OBSERVED_STATUSES:
            states_record(run=run, now=run.finished_at)
        if run.status == RunStatus.SUCCEEDED:
            snapshot_record(run=run, now=run.finished_at)
    except Exception:  # never let history break a run
        log.exception("insight: recording run %s failed", run.pk)
        return
    try:
        from .alerts import alerts_evaluate

        alerts_evaluate(connector_id=run.connector_id, now=run.finished_at)
    except Exception:
        log.exception("insight: evaluating alerts after run %s failed", run.pk)


def connector_health_record(*, run: Run) -> ConnectorHealth:
    """Update the connector's streak: failed or partial runs in a row, last success."""
    if run.status not in (*FAILING_STATUSES, RunStatus.SUCCEEDED):
        return ConnectorHealth.objects.get_or_create(connector_id=run.connector_id)[0]
    with transaction.atomic():
        health, _ = ConnectorHealth.objects.select_for_update().get_or_create(
            connector_id=run.connector_id
        )
        when = run.finished_at or run.created_at
        health.last_status, health.last_run_at = run.status, when
        if run.status == RunStatus.SUCCEEDED:
            health.last_success_at, health.failing_since = when, None
            health.consecutive_failures, health.last_error = 0, ""
        else:
            # Counted from the run rows, so a run failed by the reaper (its
            # worker died: no hook ran for it) is in the streak too.
            since_success = Run.objects.filter(
                connector_id=run.connector_id, status__in=FAILING_STATUSES
            )
            if health.last_success_at:
                since_success = since_success.filter(created_at__gt=health.last_success_at)
            counted = since_success.aggregate(n=Count("id"), first=Min("finished_at"))
            health.consecutive_failures = max(counted["n"], health.consecutive_failures + 1)
            health.failing_since = health.failing_since or counted["first"] or when
            health.last_error = f"{run.error_code}: {run.error_message}"[:255]
        health.save()
    return health


def states_record(*, run: Run, now: datetime) -> int:
    """Store a transition for every personal WorkSpace this run saw in another
    state than the last; start tracking the ones seen for the first time.
    Reads only the devices whose state changed (one query per 2,000)."""
    changed = (
        Device.objects.filter(connector_id=run.connector_id, last_seen_run=run)
        .exclude(workspace_id="")
        .filter(Q(insight_state__isnull=True) | ~Q(insight_state__state=F("state")))
        .values_list("id", "state", "insight_state__id", "insight_state__state")
        .order_by("id")
    )
    recorded, last_id = 0, 0
    while True:
        rows = list(changed.filter(id__gt=last_id)[:CHUNK])
        if not rows:
            return recorded
        last_id = rows[-1][0]
        new_states, moved, transitions = [], [], []
        for device_id, state, state_id, old_state in rows:
            if state_id is None:
                new_states.append(
                    DeviceState(device_id=device_id, state=state, since=now, since_first_seen=True)
                )
                continue
            moved.append(DeviceState(id=state_id, state=state, since=now, since_first_seen=False))
            transitions.append(
                StateTransition(
                    device_id=device_id,
                    connector_id=run.connector_id,
                    run=run,
                    from_state=old_state or "",
                    to_state=state,
                    at=now,
                )
            )
        with transaction.atomic():
            DeviceState.objects.bulk_create(new_states)
            DeviceState.objects.bulk_update(moved, ["state", "since", "since_first_seen"])
            StateTransition.objects.bulk_create(transitions)
        recorded += len(transitions)


def untracked_auto_stop_count(*, connector_id: int | None = None) -> int:
    """AUTO_STOP WorkSpaces no run has tracked yet: counted live over the
    fleet by each run for its snapshot (after tracking what it saw), and by the
    Likely unused page before any snapshot carries it."""
    scope = Device.objects.filter(removed_at__isnull=True, running_mode=AUTO_STOP).exclude(
        workspace_id=""
    )
    if connector_id is not None:
        scope = scope.filter(connector_id=connector_id)
    return scope.exclude(pk__in=DeviceState.objects.values("device_id")).count()


def outdated_image_count(*, connector_id: int | None = None) -> int | None:
    """WorkSpaces running an image other than their bundle's current image,
    or None while the two are not both collected (issue 19). Counted live over
    the fleet: by each run for its snapshot, by the Drift page before any."""
    running, current = (
        hooks.device_attr(hooks.RUNNING_IMAGE_FIELD),
        hooks.device_attr(hooks.BUNDLE_IMAGE_FIELD),
    )
    if not running or not current or running == current:
        return None
    scope = Device.objects.filter(removed_at__isnull=True)
    if connector_id is not None:
        scope = scope.filter(connector_id=connector_id)
    return (
        scope.exclude(workspace_id="")
        .exclude(**{running: ""})
        .exclude(**{current: ""})
        .exclude(**{running: F(current)})
        .count()
    )


def snapshot_record(*, run: Run, now: datetime) -> FleetSnapshot:
    """Count the connector's active devices by every dimension: one GROUP BY,
    folded here (its rows are distinct value combinations, not devices)."""
    dims = hooks.snapshot_dimensions()
    # desktop_pool: the images per pool or bundle of the Drift page.
    extra = [a for a in ("desktop_pool",) if hooks.device_has(a)]
    attrs = list(dict.fromkeys([*dims.values(), *extra]))
    rows = (
        Device.objects.filter(connector_id=run.connector_id, removed_at__isnull=True)
        .order_by()
        .values(*attrs)
        .annotate(n=Count("id"))
    )
    counts: dict[str, Counter] = defaultdict(Counter)
    by_compute: dict[str, Counter] = defaultdict(Counter)
    by_bundle: dict[str, Counter] = defaultdict(Counter)
    images_by_pool: dict[str, Counter] = defaultdict(Counter)
    values = dict(devices=0, workspaces=0, sessions=0, unhealthy=0)
    auto_stop = Counter()
    for row in rows:
        n = row["n"]
        values["devices"] += n
        values["workspaces"] += n  # pool sessions are not devices: counted from the pools below
        for dim, attr in dims.items():
            counts[dim][str(row[attr] or "")] += n
        state, mode = row.get("state") or "", row.get("running_mode") or ""
        if state in UNHEALTHY_STATES:
            values["unhealthy"] += n
        if mode:
            by_compute[row.get("instance_size") or ""][mode] += n
            by_bundle[row.get("bundle_id") or ""][mode] += n
        if "desktop_pool" in row and row.get("disk_image"):
            pool_key = f"{row.get('pool_type') or ''}|{row['desktop_pool'] or ''}"
            images_by_pool[pool_key][row["disk_image"]] += n
        if mode == AUTO_STOP:
            key = state if state in (RUNNING_STATE, STOPPED_STATE) else "other"
            auto_stop[key] += n
    pools = hooks.pools_capacity(connector_id=run.connector_id)
    for name, pool in pools.items():
        # Pool sessions are pool history, not devices (connectors/models/pool.py).
        if "sessions" in pool:
            values["sessions"] += pool["sessions"]
            counts["pool_sessions"][name] += pool["sessions"]
    # Pools are not devices: each runs its bundle's image, keyed as pooled
    # "desktop pools" so that a pool of one name on two images (two regions,
    # two connectors) shows on the Drift page as a pool on several images.
    for name, image in hooks.pool_images(connector_id=run.connector_id).items():
        if image:
            images_by_pool[f"{PoolType.POOLED}|{name}"][image] += 1
    stored = {dim: dict(c) for dim, c in counts.items()}
    stored["running_mode_by_compute_type"] = {k: dict(v) for k, v in by_compute.items()}
    stored["running_mode_by_bundle"] = {k: dict(v) for k, v in by_bundle.items()}
    if extra and "pool_type" in attrs and "disk_image" in attrs:
        stored["images_by_pool"] = {k: dict(v) for k, v in images_by_pool.items()}
    stored["untracked_auto_stop"] = untracked_auto_stop_count(connector_id=run.connector_id)
    outdated = outdated_image_count(connector_id=run.connector_id)
    if outdated is not None:
        stored["outdated_image"] = outdated
    with transaction.atomic():
        snapshot = FleetSnapshot.objects.create(
            connector_id=run.connector_id,
            run=run,
            taken_at=now,
            counts=stored,
            pools=pools,
            auto_stop_available=auto_stop[RUNNING_STATE],
            auto_stop_stopped=auto_stop[STOPPED_STATE],
            auto_stop_other=auto_stop["other"],
            **values,
        )
        snapshot_hour_add(snapshot)
    return snapshot


def utc_hour(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(minute=0, second=0, microsecond=0)


def snapshot_hour_add(snapshot: FleetSnapshot) -> None:
    """Add a snapshot to its connector's sums of its UTC hour (SnapshotHour)."""
    row, _ = SnapshotHour.objects.get_or_create(
        connector_id=snapshot.connector_id, hour=utc_hour(snapshot.taken_at)
    )
    SnapshotHour.objects.filter(pk=row.pk).update(
        snapshots=F("snapshots") + 1,
        last=Greatest(F("last"), Value(snapshot.pk)),
        sessions=F("sessions") + snapshot.sessions,
        auto_stop_available=F("auto_stop_available") + snapshot.auto_stop_available,
        auto_stop_stopped=F("auto_stop_stopped") + snapshot.auto_stop_stopped,
        auto_stop_other=F("auto_stop_other") + snapshot.auto_stop_other,
    )


def snapshot_hours_rebuild(*, connector_id: int | None = None) -> int:
    """Recount the hourly sums of a connector's (or every) snapshots, after
    snapshots written in bulk (the history backfill); returns the hours."""
    snapshots = FleetSnapshot.objects.order_by()
    hours = SnapshotHour.objects.all()
    if connector_id is not None:
        snapshots = snapshots.filter(connector_id=connector_id)
        hours = hours.filter(connector_id=connector_id)
    sums: dict[tuple[int, datetime], SnapshotHour] = {}
    for connector, taken_at, pk, sessions, available, stopped, other in snapshots.values_list(
        "connector_id", "taken_at", "id", "sessions", *AUTO_STOP_SAMPLES
    ).iterator(chunk_size=5000):
        key = (connector, utc_hour(taken_at))
        row = sums.get(key) or sums.setdefault(key, SnapshotHour(connector_id=key[0], hour=key[1]))
        row.snapshots += 1
        row.last = max(row.last, pk)
        row.sessions += sessions
        row.auto_stop_available += available
        row.auto_stop_stopped += stopped
        row.auto_stop_other += other
    with transaction.atomic():
        hours.delete()
        SnapshotHour.objects.bulk_create(sums.values(), batch_size=2000)
    return len(sums)
