"""Bounded checks of what the console depends on: the database, the broker,
the migrations, beat and the workers. Each answers in about a second at
worst and never raises; none of them says more than it must (no host names,
versions or URLs leave this module)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from .models import BEAT, Heartbeat

log = logging.getLogger(__name__)


def timeout() -> float:
    """Seconds any one check may wait on the broker or the workers."""
    return float(getattr(settings, "OPERATIONS_CHECK_TIMEOUT", 1.0))


def beat_silent_after() -> int:
    return int(getattr(settings, "OPERATIONS_BEAT_SILENT_AFTER", 45))


def database_ok() -> bool:
    try:
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception as exc:  # any driver error means "not reachable"
        log.warning("readiness: database check failed (%s)", type(exc).__name__)
        return False


def migrations_applied() -> bool:
    """True when no migration of any installed app is left to apply."""
    try:
        executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
        targets = executor.loader.graph.leaf_nodes()
        return not executor.migration_plan(targets)
    except Exception as exc:
        log.warning("readiness: migration check failed (%s)", type(exc).__name__)
        return False


def broker_connection():
    """A connection to the broker whose every wait is bounded by timeout()."""
    from nexthink_admin.celery import app

    seconds = timeout()
    options = {
        **(app.conf.broker_transport_options or {}),
        "socket_connect_timeout": seconds,
        "socket_timeout": seconds,
        "max_retries": 1,
    }
    return app.connection_for_write(transport_options=options, connect_timeout=seconds)


def broker_ok() -> bool:
    try:
        with broker_connection() as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, timeout=timeout())
            conn.default_channel.client.ping()
            return True
    except Exception as exc:
        log.warning("readiness: broker check failed (%s)", type(exc).__name__)
        return False


def queue_depth(queue: str | None = None) -> int | None:
    """Messages waiting in the task queue, None when the broker cannot say."""
    from nexthink_admin.celery import app

    name = queue or app.conf.task_default_queue
    try:
        with broker_connection() as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, timeout=timeout())
            return conn.default_channel.queue_declare(queue=name, passive=False).message_count
    except Exception as exc:
        log.warning("queue depth unavailable (%s)", type(exc).__name__)
        return None


@dataclass
class BeatStatus:
    last_beat: datetime | None
    silent_after: int

    @property
    def age_seconds(self) -> float | None:
        if self.last_beat is None:
            return None
        return max(0.0, (timezone.now() - self.last_beat).total_seconds())

    @property
    def alive(self) -> bool:
        age = self.age_seconds
        return age is not None and age <= self.silent_after


def beat_status() -> BeatStatus:
    beat = Heartbeat.objects.filter(name=BEAT).first()
    return BeatStatus(last_beat=beat.at if beat else None, silent_after=beat_silent_after())


@dataclass
class ActiveTask:
    name: str
    connector_id: int | None
    started_at: datetime | None
    connector_name: str = ""


@dataclass
class Worker:
    name: str
    concurrency: int | None
    active: list[ActiveTask] = field(default_factory=list)


@dataclass
class Workers:
    reachable: bool  # False: the broker could not be asked at all
    workers: list[Worker] = field(default_factory=list)


def _active_task(task: dict) -> ActiveTask:
    kwargs = task.get("kwargs") if isinstance(task.get("kwargs"), dict) else {}
    args = task.get("args") if isinstance(task.get("args"), list | tuple) else []
    connector_id = kwargs.get("connector_id", args[0] if args else None)
    started = task.get("time_start")
    return ActiveTask(
        name=str(task.get("name") or task.get("type") or "?"),
        connector_id=connector_id if isinstance(connector_id, int) else None,
        started_at=datetime.fromtimestamp(started, tz=timezone.get_current_timezone())
        if isinstance(started, int | float)
        else None,
    )


def workers_status(*, with_tasks: bool = True) -> Workers:
    """The workers that answer within timeout(), with their pool size and
    what they run now. Asked only when the broker answers, so a dead broker
    costs one bounded connection attempt, not a hang."""
    from nexthink_admin.celery import app

    if not broker_ok():
        return Workers(reachable=False)
    try:
        with broker_connection() as conn:
            stats = app.control.inspect(timeout=timeout(), connection=conn).stats() or {}
            # The workers are known now: stop waiting as soon as all of them replied.
            asking = app.control.inspect(timeout=timeout(), connection=conn, limit=len(stats))
            active = (asking.active() or {}) if with_tasks and stats else {}
    except Exception as exc:
        log.warning("workers could not be inspected (%s)", type(exc).__name__)
        return Workers(reachable=False)
    workers = []
    for name in sorted(stats):
        pool = stats[name].get("pool") if isinstance(stats[name], dict) else None
        concurrency = pool.get("max-concurrency") if isinstance(pool, dict) else None
        workers.append(
            Worker(
                name=name,
                concurrency=concurrency if isinstance(concurrency, int) else None,
                active=[_active_task(t) for t in active.get(name) or [] if isinstance(t, dict)],
            )
        )
    return Workers(reachable=True, workers=workers)


def workers_count() -> int | None:
    """How many workers answer a ping within timeout(); None: broker unreachable."""
    from nexthink_admin.celery import app

    if not broker_ok():
        return None
    try:
        with broker_connection() as conn:
            return len(app.control.inspect(timeout=timeout(), connection=conn).ping() or {})
    except Exception as exc:
        log.warning("workers could not be pinged (%s)", type(exc).__name__)
        return None
