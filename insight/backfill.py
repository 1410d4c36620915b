"""A few weeks of plausible history for the demo, in seconds: snapshots,
state transitions and drift for the connectors' current devices.

Each AUTO_STOP WorkSpace gets a deterministic habit (office hours on
weekdays, now and then, or never), ALWAYS_ON ones run, a few go UNHEALTHY
for a while; one in twelve switched running mode during the period; pool
sessions and each pool's capacity follow office hours (a pool is now and
then short of capacity for a day); a few WorkSpaces were resized and one
bundle's image changed. What it writes ends in each
device's current state, so the next real run continues the story."""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from connectors.models import Device, DeviceChange, InboundConnector

from . import hooks
from .models import DeviceState, FleetSnapshot, StateTransition
from .services import (
    AUTO_STOP,
    RUNNING_STATE,
    STOPPED_STATE,
    UNHEALTHY_STATES,
    snapshot_hours_rebuild,
)

SMALLER = {"POWER": "STANDARD", "POWERPRO": "POWER", "STANDARD": "VALUE", "PERFORMANCE": "STANDARD"}


@lru_cache(maxsize=500_000)  # a device's habit and its day's draws repeat every sample
def _unit(*parts) -> float:
    """A stable pseudo-random number in [0, 1) from its inputs."""
    digest = hashlib.blake2b("|".join(map(str, parts)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


def _office(t: datetime) -> bool:
    local = timezone.localtime(t)
    return local.weekday() < 5 and 8 <= local.hour < 18


def _state_at(device_id: int, mode: str, t: datetime) -> str:
    if _unit(device_id, "sick", t.date()) < 0.004:
        return "UNHEALTHY"
    if mode != AUTO_STOP:
        return RUNNING_STATE
    habit = _unit(device_id, "habit")
    if habit < 0.25:  # never used: the "likely unused" list
        return STOPPED_STATE
    if habit < 0.40:  # now and then: some days, office hours
        used = _unit(device_id, t.date()) < 0.3
        return RUNNING_STATE if used and _office(t) else STOPPED_STATE
    return RUNNING_STATE if _office(t) else STOPPED_STATE


@dataclass
class BackfillResult:
    connectors: int = 0
    snapshots: int = 0
    transitions: int = 0
    changes: int = 0


def backfill_history(
    *, days: int, step_minutes: int = 60, connector_ids: list[int] | None = None,
    replace: bool = False, now: datetime | None = None,
) -> BackfillResult:  # fmt: skip
    now = now or timezone.now()
    start = now - timedelta(days=days)
    connectors = InboundConnector.objects.order_by("pk")
    if connector_ids:
        connectors = connectors.filter(pk__in=connector_ids)
    result = BackfillResult()
    for connector in connectors:
        with transaction.atomic():
            if replace:
                FleetSnapshot.objects.filter(connector=connector, run__isnull=True).delete()
                StateTransition.objects.filter(connector=connector, run__isnull=True).delete()
                DeviceChange.objects.filter(device__connector=connector, run__isnull=True).delete()
            elif FleetSnapshot.objects.filter(connector=connector, run__isnull=True).exists():
                continue  # backfilled already
            if _backfill_connector(connector, start, now, step_minutes, result):
                result.connectors += 1
            # Snapshots written in bulk: their hourly sums, as each run's adds to them.
            snapshot_hours_rebuild(connector_id=connector.pk)
    return result


MODE_SWITCHED = 0.08  # the share of WorkSpaces whose running mode changed during the period
OTHER_MODE = {"AUTO_STOP": "ALWAYS_ON", "ALWAYS_ON": "AUTO_STOP"}


def _switch_at(device_id: int, mode: str, start: datetime, now: datetime) -> datetime | None:
    """When this WorkSpace's running mode changed to its current one, if it did."""
    if mode not in OTHER_MODE or _unit(device_id, "switched") >= MODE_SWITCHED:
        return None
    return start + (now - start) * (0.1 + 0.8 * _unit(device_id, "switch at"))


def _pools(pooled: dict[str, int], connector_id: int, t: datetime, load: float) -> dict:
    """Each pool's capacity at `t`: sessions follow office hours; now and then
    a pool is short of capacity for a day (desired above actual)."""
    out = {}
    for name, sessions in pooled.items():
        desired = max(round(sessions * 1.2), 2)
        actual = desired - 2 if _unit(connector_id, name, t.date()) < 0.08 else desired
        active = min(actual, round(actual * load * (0.7 + 0.4 * _unit(name, t))))
        out[name] = {
            "available": actual - active,
            "desired": desired,
            "actual": actual,
            "active": active,
            "state": "RUNNING",
        }
    return out


def _backfill_connector(connector, start, now, step_minutes, result: BackfillResult) -> bool:
    active = Device.objects.filter(connector=connector, removed_at__isnull=True)
    personal = list(
        active.exclude(workspace_id="").values_list(
            "id", "running_mode", "state", "instance_size", "bundle_id"
        )
    )
    # Pools are their own records (connectors.Pool): each current pool's size
    # now, in sessions, drives its made-up past load.
    pooled = {
        name: max(pool.get("actual", 0), pool.get("sessions", 0))
        for name, pool in hooks.pools_capacity(connector_id=connector.pk).items()
    }
    sessions_now = sum(pooled.values())
    if not personal and not pooled:
        return False
    Device.objects.filter(connector=connector, first_seen_at__gt=start).update(first_seen_at=start)
    dims = hooks.snapshot_dimensions()
    static = {
        dim: dict(
            active.exclude(workspace_id="").order_by().values_list(attr).annotate(n=Count("id"))
        )
        for dim, attr in dims.items()
        if dim not in ("state", "running_mode")
    }
    switches = {d: _switch_at(d, mode, start, now) for d, mode, *_ in personal}
    times = []
    t = start
    while t < now:
        times.append(t)
        t += timedelta(minutes=step_minutes)
    last = {d: None for d, *_ in personal}
    since = {}
    transitions, snapshots = [], []
    for t in times:
        counts, modes, auto = Counter(), Counter(), Counter()
        by_size: dict[str, Counter] = {}
        by_bundle: dict[str, Counter] = {}
        for device_id, current_mode, current, size, bundle in personal:
            switch = switches[device_id]
            mode = OTHER_MODE[current_mode] if switch and t < switch else current_mode
            state = _state_at(device_id, mode, t) if t < times[-1] else current
            counts[state] += 1
            if mode:
                modes[mode] += 1
                by_size.setdefault(size or "", Counter())[mode] += 1
                by_bundle.setdefault(bundle or "", Counter())[mode] += 1
            if mode == AUTO_STOP:
                auto[state if state in (RUNNING_STATE, STOPPED_STATE) else "other"] += 1
            previous = last[device_id]
            if previous is not None and previous != state:
                transitions.append(
                    StateTransition(
                        device_id=device_id, connector=connector, from_state=previous,
                        to_state=state, at=t,
                    )
                )  # fmt: skip
                since[device_id] = t
            last[device_id] = state
        load = (0.85 if _office(t) else 0.1) * (0.8 + 0.4 * _unit(connector.pk, t))
        sessions = round(sessions_now * load) if sessions_now else 0
        stored = {
            "state": dict(counts),
            "running_mode": dict(modes),
            "running_mode_by_compute_type": {k: dict(v) for k, v in by_size.items()},
            "running_mode_by_bundle": {k: dict(v) for k, v in by_bundle.items()},
            **{k: dict(v) for k, v in static.items()},
        }
        snapshots.append(
            FleetSnapshot(
                connector=connector, taken_at=t, devices=len(personal),
                workspaces=len(personal), sessions=sessions, counts=stored,
                auto_stop_available=auto[RUNNING_STATE], auto_stop_stopped=auto[STOPPED_STATE],
                auto_stop_other=auto["other"],
                unhealthy=sum(n for s, n in counts.items() if s in UNHEALTHY_STATES),
                pools=_pools(pooled, connector.pk, t, load / 0.85) if pooled else {},
            )
        )  # fmt: skip
    FleetSnapshot.objects.bulk_create(snapshots, batch_size=1000)
    StateTransition.objects.bulk_create(transitions, batch_size=2000)
    DeviceState.objects.filter(device__connector=connector).delete()
    DeviceState.objects.bulk_create(
        [
            DeviceState(
                device_id=d, state=current, since=since.get(d, start),
                since_first_seen=d not in since,
            )
            for d, _, current, *_ in personal
        ],
        batch_size=2000,
    )  # fmt: skip
    result.snapshots += len(snapshots)
    result.transitions += len(transitions)
    result.changes += _backfill_drift(connector, personal, switches, start, now)
    return True


def _backfill_drift(connector, personal, switches, start, now) -> int:
    """A few resizes spread over the period, the running-mode switches, and one
    bundle's image update."""
    changes = [
        DeviceChange(
            device_id=device_id, field="running_mode", old_value=OTHER_MODE[mode],
            new_value=mode, changed_at=switches[device_id],
        )
        for device_id, mode, *_ in personal
        if switches[device_id]
    ]  # fmt: skip
    span = (now - start).total_seconds()
    for device_id, _, _, size, _ in personal:
        if size in SMALLER and _unit(device_id, "resize") < 0.04:
            at = start + timedelta(seconds=span * _unit(device_id, "when"))
            changes.append(
                DeviceChange(
                    device_id=device_id, field="instance_size", old_value=SMALLER[size],
                    new_value=size, changed_at=at,
                )
            )  # fmt: skip
    bundle = (
        Device.objects.filter(connector=connector, removed_at__isnull=True)
        .exclude(Q(bundle_id="") | Q(disk_image=""))
        .values_list("bundle_id", "disk_image")
        .order_by("bundle_id")
        .first()
    )
    if bundle:
        at = start + (now - start) * 2 / 3
        for device_id in Device.objects.filter(
            connector=connector, bundle_id=bundle[0], removed_at__isnull=True
        ).values_list("id", flat=True):
            changes.append(
                DeviceChange(
                    device_id=device_id, field="disk_image", old_value=f"{bundle[1]} (previous)",
                    new_value=bundle[1], changed_at=at + timedelta(minutes=device_id % 90),
                )
            )  # fmt: skip
    DeviceChange.objects.bulk_create(changes, batch_size=2000)
    return len(changes)
