"""Writes to pools and pool sessions: batched upserts keyed on (connector,
pool id) and (pool, session id); after a complete run only, pools it did not
see are marked removed and sessions it did not see are ended.

Records are duck-typed (a connector type's pool and session records, such as
connectors/aws_workspaces/pool_mapping.py): a pool record has `pool_id` and
the Pool attributes it knows; a session record has `pool_id`, `session_id`
and the PoolSession attributes. A value of None means "not known in this run":
a new row gets the field's default, an existing one keeps its own."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

from django.db import transaction

from ..devices.services import UpsertCounts
from ..models import InboundConnector, Pool, PoolSession, Run

POOL_FIELDS = (
    "name",
    "description",
    "state",
    "bundle_id",
    "directory_id",
    "running_mode",
    "created_in_aws",
    "disconnect_timeout_seconds",
    "idle_disconnect_timeout_seconds",
    "max_user_duration_seconds",
    "errors",
    "available_user_sessions",
    "desired_user_sessions",
    "actual_user_sessions",
    "active_user_sessions",
    "image_id",
    "disk_image",
    "instance_size",
)
SESSION_FIELDS = (
    "user_id",
    "instance_id",
    "ip_address",
    "authentication_type",
    "connection_state",
    "session_start",
    "expiration_time",
)
_BLANK = {"image_id": "", "disk_image": "", "instance_size": ""}  # unknown on a new pool


def pools_upsert(
    *,
    connector: InboundConnector,
    run: Run,
    pools: Iterable,
    sessions: Iterable,
    now: datetime,
    guard: Callable[[], None] | None = None,
) -> UpsertCounts:
    """Store one batch: its pools first, then its sessions (whose pools are
    in this batch or stored by an earlier one), in one transaction. Counts
    sessions as the run counts devices: created (new), updated (came back
    after being ended), unchanged (seen again). Pools are not counted."""
    pools = {p.pool_id: p for p in pools}
    sessions = list(sessions)
    counts = UpsertCounts()
    if not pools and not sessions:
        return counts
    environment = connector.environment_name
    region = str((connector.parameters or {}).get("region", ""))
    with transaction.atomic():
        if guard is not None:
            guard()
        existing = {
            p.pool_id: p for p in Pool.objects.filter(connector=connector, pool_id__in=list(pools))
        }
        to_create, to_update = [], []
        for pool_id, record in pools.items():
            values = {name: getattr(record, name, None) for name in POOL_FIELDS}
            pool = existing.get(pool_id)
            if pool is None:
                clean = {k: v for k, v in values.items() if v is not None}
                to_create.append(
                    Pool(
                        connector=connector,
                        pool_id=pool_id,
                        environment_name=environment,
                        region=region,
                        last_seen_run=run,
                        last_update=now,
                        **{**_BLANK, **clean},
                    )
                )
                continue
            for name, value in values.items():
                if value is not None:
                    setattr(pool, name, value)
            pool.environment_name, pool.region = environment, region
            pool.removed_at, pool.last_update, pool.last_seen_run = None, now, run
            to_update.append(pool)
        Pool.objects.bulk_create(to_create)
        if to_update:
            Pool.objects.bulk_update(
                to_update,
                [
                    *POOL_FIELDS,
                    "environment_name",
                    "region",
                    "removed_at",
                    "last_update",
                    "last_seen_run",
                ],
            )
        if sessions:
            counts = _sessions_upsert(connector, run, sessions, now)
    return counts


def _sessions_upsert(connector, run, sessions: list, now: datetime) -> UpsertCounts:
    counts = UpsertCounts()
    pool_ids = {s.pool_id for s in sessions}
    pools = dict(
        Pool.objects.filter(connector=connector, pool_id__in=pool_ids).values_list("pool_id", "pk")
    )
    by_key = {(pools[s.pool_id], s.session_id): s for s in sessions if s.pool_id in pools}
    existing = {
        (s.pool_id, s.session_id): s
        for s in PoolSession.objects.filter(
            pool_id__in=set(pools.values()), session_id__in={k[1] for k in by_key}
        )
    }
    to_create, to_update = [], []
    for key, record in by_key.items():
        values = {name: getattr(record, name) for name in SESSION_FIELDS}
        session = existing.get(key)
        if session is None:
            to_create.append(
                PoolSession(
                    pool_id=key[0],
                    session_id=key[1],
                    first_seen_at=now,
                    last_seen_at=now,
                    last_seen_run=run,
                    **{k: ("" if v is None and k not in _TIMES else v) for k, v in values.items()},
                )
            )
            continue
        if session.ended_at is not None:
            counts.updated += 1  # came back
        else:
            counts.unchanged += 1
        for name, value in values.items():
            setattr(session, name, value)
        session.ended_at, session.last_seen_at, session.last_seen_run = None, now, run
        to_update.append(session)
    PoolSession.objects.bulk_create(to_create)
    if to_update:
        PoolSession.objects.bulk_update(
            to_update, [*SESSION_FIELDS, "ended_at", "last_seen_at", "last_seen_run"]
        )
    counts.created = len(to_create)
    return counts


_TIMES = ("session_start", "expiration_time")


def pools_mark_removed(
    *,
    connector: InboundConnector,
    run: Run,
    now: datetime,
    guard: Callable[[], None] | None = None,
) -> int:
    """After a complete run only: pools it did not see are marked removed,
    sessions it did not see are ended (both kept, with when). Returns the
    sessions ended (the run counts them with the devices removed)."""
    with transaction.atomic():
        if guard is not None:
            guard()
        Pool.objects.filter(connector=connector, removed_at__isnull=True).exclude(
            last_seen_run=run
        ).update(removed_at=now)
        return (
            PoolSession.objects.filter(pool__connector=connector, ended_at__isnull=True)
            .exclude(last_seen_run=run)
            .update(ended_at=now)
        )
