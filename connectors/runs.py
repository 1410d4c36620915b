"""A run, from claim to finish. Tasks and the sync command call run_execute.

Every run ends in a terminal state (succeeded, partial, failed, skipped), in
the manner of healthchecks' `sendalerts` claim and NetBox's job runner: each
state change is a compare-and-set on the row's status (and owner), so of two
writers exactly one wins, and every branch says what happens to the loser.

- A trigger claims the run: queued (or new) -> running. The partial unique
  constraint "one running run per connector" lets one claimer win; a trigger
  that loses is recorded as skipped.
- The claimer holds a lease, renewed by a thread of its own (RunLease) for as
  long as the run works. Every write of the run (progress, each stored batch,
  marking devices removed, the finish) first checks, in the same transaction,
  that this owner still holds a running run; when it does not, the one stop
  signal of the run is set and every thread of the run stops.
- runs_reap_stale fails what was left: running runs whose lease expired (their
  worker died) and queued runs that never started (their task was lost with
  the broker). Beat calls it every minute; every claim and Run now call it.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable
from contextlib import closing
from datetime import timedelta

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone

from insight.services import insight_run_finished

from . import registry
from .choices import RunStatus, RunTrigger
from .devices.services import (
    UpsertCounts,
    devices_mark_removed,
    devices_refresh_statistics,
    devices_upsert,
)
from .models import InboundConnector, Run
from .registry import CollectionFailed, CollectionStopped

log = logging.getLogger(__name__)
PROGRESS_EVERY_SECONDS = 1.0
WORKER_LOST = (
    "The worker running this collection stopped responding (killed or lost); the next run goes"
    " ahead."
)


def lease_seconds() -> int:
    return settings.RUN_LEASE_SECONDS


def queued_timeout_seconds() -> int:
    return settings.RUN_QUEUED_TIMEOUT_SECONDS


def never_started_message() -> str:
    minutes = max(1, round(queued_timeout_seconds() / 60))
    return (
        f"This run was queued for more than {minutes} minutes and never started: its task was lost"
        " (the broker or the embedded Redis restarted) or no worker is running. Run it again."
    )


class RunLost(Exception):
    """This worker no longer owns a running run: it was reaped (its lease
    lapsed) or finished by someone else. The run must stop writing."""


def runs_reap_stale(*, connector: InboundConnector | None = None) -> int:
    """Fail the runs that can no longer end by themselves. Both updates are
    compare-and-set: a worker that renewed its lease (or claimed the queued
    run) in the meantime keeps its run, because the WHERE no longer holds."""
    now = timezone.now()
    running = Run.objects.filter(status=RunStatus.RUNNING, lease_expires_at__lt=now)
    queued = Run.objects.filter(
        status=RunStatus.QUEUED, created_at__lt=now - timedelta(seconds=queued_timeout_seconds())
    )
    if connector is not None:
        running, queued = running.filter(connector=connector), queued.filter(connector=connector)
    # A running run whose lease expired: its worker died (killed, lost the
    # database) or hangs. Failed, so the next trigger can claim the connector.
    reaped = running.update(
        status=RunStatus.FAILED,
        finished_at=now,
        lease_expires_at=None,
        error_code="WorkerLost",
        error_message=WORKER_LOST,
    )
    # A queued run that never started: its task never reached a worker. If the
    # task arrives after all, run_claim finds the run no longer queued and
    # drops it (a redelivered task).
    reaped += queued.update(
        status=RunStatus.FAILED,
        finished_at=now,
        error_code="NeverStarted",
        error_message=never_started_message(),
    )
    return reaped


def run_claim(
    *, connector: InboundConnector, run_id: int | None, trigger: str, owner: str, worker: str = ""
) -> Run | None:
    """Move a queued run (or a new one) to running, or record it as skipped."""
    runs_reap_stale(connector=connector)
    if run_id is None:
        run = Run.objects.create(connector=connector, trigger=trigger)
    else:
        run = Run.objects.filter(pk=run_id, connector=connector).first()
        if run is None or run.status != RunStatus.QUEUED:
            # Already handled: a redelivered task, a run reaped as never
            # started, or a connector deleted meanwhile. Nothing to do.
            return None
    now = timezone.now()
    try:
        with transaction.atomic():
            claimed = Run.objects.filter(pk=run.pk, status=RunStatus.QUEUED).update(
                status=RunStatus.RUNNING,
                owner=owner,
                worker=worker[:255],
                started_at=now,
                lease_expires_at=now + timedelta(seconds=lease_seconds()),
            )
    except IntegrityError:
        # Another run of the connector is running (the partial unique
        # constraint refused a second one).
        claimed = 0
    if claimed:
        # Won: this owner holds the run and its lease.
        run.refresh_from_db()
        return run
    # Lost: another run is in progress, or the run left `queued` between the
    # read and the update (reaped, or claimed by a duplicate delivery, which
    # then owns it). Only a run still queued is recorded as skipped.
    Run.objects.filter(pk=run.pk, status=RunStatus.QUEUED).update(
        status=RunStatus.SKIPPED,
        finished_at=now,
        error_message="Another run of this connector was in progress; this trigger was skipped.",
    )
    return None


class RunLease:
    """The owner's hold on a running run, renewed by a thread of its own for as
    long as the run works (not only when a page arrives). `stop` is the one
    stop signal of every thread of the run: set when the lease is lost, when
    storage fails, and when the run ends."""

    def __init__(self, *, run_id: int, owner: str, seconds: int):
        self.run_id, self.owner, self.seconds = run_id, owner, seconds
        self.stop = threading.Event()
        self._ended = threading.Event()
        self._thread = threading.Thread(target=self._renew, name=f"run-{run_id}-lease", daemon=True)

    def hold(self, **values) -> None:
        """Compare-and-set: extend the lease (and write `values`) only while
        this owner holds a running run. Called first inside each transaction
        that writes the run's devices, it also locks the run's row (PostgreSQL)
        or the database (SQLite) until commit, so no reaper can fail the run
        between this check and the writes."""
        updated = Run.objects.filter(
            pk=self.run_id, owner=self.owner, status=RunStatus.RUNNING
        ).update(lease_expires_at=timezone.now() + timedelta(seconds=self.seconds), **values)
        if updated:
            return  # still ours: go on
        # Reaped (the lease lapsed) or finished by someone else: stop every
        # thread of the run and write nothing more.
        self.stop.set()
        raise RunLost(f"run {self.run_id} is no longer owned by this worker")

    def _renew(self) -> None:
        interval = max(self.seconds / 4, 0.05)
        try:
            while not self._ended.wait(interval):
                try:
                    self.hold()
                except RunLost:
                    log.warning("run %s lost its lease: stopping it", self.run_id)
                    return  # stop is set: the run's threads wind down
                except DatabaseError:
                    # The database blinked: try again at the next tick (the
                    # lease lasts four ticks). If it never comes back the run
                    # fails on its next write and is reaped.
                    log.warning("run %s: lease renewal failed, retrying", self.run_id)
        finally:
            connection.close()  # this thread's own connection

    def __enter__(self) -> RunLease:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        self._ended.set()
        self._thread.join()


def _finish(run: Run, owner: str, **values) -> bool:
    """The run's last write, compare-and-set: only the owner of a running run
    ends it. False when it was reaped meanwhile (the reaper's end stands)."""
    values.setdefault("finished_at", timezone.now())
    values["lease_expires_at"] = None
    return bool(
        Run.objects.filter(pk=run.pk, owner=owner, status=RunStatus.RUNNING).update(**values)
    )


def run_execute(
    *,
    connector_id: int,
    run_id: int | None = None,
    trigger: str = RunTrigger.SCHEDULE,
    on_progress: Callable[[Run], None] | None = None,
    worker: str = "",
) -> Run | None:
    connector = (
        InboundConnector.objects.select_related("credential").filter(pk=connector_id).first()
    )
    if connector is None:
        log.warning("run for connector %s skipped: the connector no longer exists", connector_id)
        return None
    owner = uuid.uuid4().hex
    run = run_claim(connector=connector, run_id=run_id, trigger=trigger, owner=owner, worker=worker)
    if run is None:
        return None
    stats = None  # the type's API call counter, once the collection starts
    counts = UpsertCounts()
    last_beat = 0.0
    log.info("run %s of connector %s started", run.pk, connector.nql_id)
    result: dict = {}
    collector = None
    with RunLease(run_id=run.pk, owner=owner, seconds=lease_seconds()) as lease:

        def heartbeat(progress) -> None:
            nonlocal last_beat
            if lease.stop.is_set():
                raise RunLost(f"run {run.pk} was stopped")
            if time.monotonic() - last_beat < PROGRESS_EVERY_SECONDS:
                return
            last_beat = time.monotonic()
            run.pages_fetched, run.seen = progress.pages, progress.seen
            lease.hold(
                pages_fetched=progress.pages,
                seen=progress.seen,
                created=counts.created,
                updated=counts.updated,
                unchanged=counts.unchanged,
                api_calls=dict(stats.calls),
                throttled=stats.throttled,
            )
            if on_progress:
                on_progress(run)

        try:
            connector_type = registry.connector_type(connector.connector_type)
            stats = connector_type.call_stats()
            collector, batches = connector_type.collect(
                connector, stats=stats, on_page=heartbeat, stop=lease.stop
            )
            with closing(batches):  # stops the collector's threads at once if storage fails
                for batch in batches:
                    batch, more = connector_type.store_more(
                        batch, connector=connector, run=run, now=timezone.now(), guard=lease.hold
                    )
                    if more is not None:
                        counts.add(more)
                    counts.add(
                        devices_upsert(
                            connector=connector,
                            run=run,
                            records=batch,
                            now=timezone.now(),
                            guard=lease.hold,
                        )
                    )
            if collector.complete:
                removed = devices_mark_removed(
                    connector=connector, run=run, now=timezone.now(), guard=lease.hold
                )
                removed += connector_type.mark_removed_more(
                    connector=connector, run=run, now=timezone.now(), guard=lease.hold
                )
                result.update(status=RunStatus.SUCCEEDED, removed=removed)
            else:
                first = collector.errors[0]
                others = "; ".join(f"{e.action}: {e.code}" for e in collector.errors[1:])
                result.update(
                    status=RunStatus.PARTIAL,
                    error_code=first.code,
                    error_action=first.action,
                    request_id=first.request_id,
                    error_message=f"{first.message} (WorkSpaces were stored with what is known;"
                    " nothing was marked removed)" + (f". Also: {others}" if others else ""),
                )
        except (RunLost, CollectionStopped):
            # Reaped while working (its lease lapsed), or its connector was
            # deleted: whoever ended it did, and the compare-and-set finish
            # below writes nothing.
            result.update(
                status=RunStatus.FAILED,
                error_code="RunLost",
                error_message="The run stopped: it no longer held its lease.",
            )
        except CollectionFailed as exc:
            e = exc.error
            result.update(
                status=RunStatus.FAILED,
                error_code=e.code,
                error_action=e.action,
                request_id=e.request_id,
                error_message=f"{e.message} {exc.hint}".strip(),
            )
        except SoftTimeLimitExceeded:
            result.update(
                status=RunStatus.FAILED,
                error_code="TimeLimit",
                error_message="The run exceeded its time limit.",
            )
        except Exception as exc:  # a run row must never stay `running`
            if not InboundConnector.objects.filter(pk=connector.pk).exists():
                # Deleted while it ran: storage failed on the missing connector;
                # its runs and devices went with it. Nothing to record or report.
                log.info("run %s stopped: connector %s was deleted", run.pk, connector.nql_id)
                return None
            log.exception("run %s of connector %s crashed", run.pk, connector.nql_id)
            result.update(
                status=RunStatus.FAILED,
                error_code=type(exc).__name__,
                error_message=str(exc)[:2000],
            )
        if result.get("error_message"):
            # AWS messages never carry it today; make sure no run row ever does
            result["error_message"] = result["error_message"].replace(
                connector.credential.external_id, "[external id]"
            )
        progress = collector.progress if collector else None
        finished = _finish(
            run,
            owner,
            seen=progress.seen if progress else 0,
            pages_fetched=progress.pages if progress else 0,
            created=counts.created,
            updated=counts.updated,
            unchanged=counts.unchanged,
            api_calls=dict(stats.calls) if stats else {},
            throttled=stats.throttled if stats else 0,
            **result,
        )
    run = Run.objects.filter(pk=run.pk).first()
    if run is None:  # the connector, and so this run, was deleted as it ran or finished
        log.info("run stopped: connector %s was deleted", connector.nql_id)
        return None
    if not finished:
        log.warning(
            "run %s of connector %s stopped: it was %s by another worker (%s)",
            run.pk,
            connector.nql_id,
            run.status,
            run.error_code,
        )
        return run
    devices_refresh_statistics(created=run.created, removed=run.removed)
    insight_run_finished(run=run)  # fleet history, connector health, alerts (insight/)
    log.info(
        "run %s of connector %s %s: %s seen, %s created, %s updated, %s removed",
        run.pk,
        connector.nql_id,
        run.status,
        run.seen,
        run.created,
        run.updated,
        run.removed,
    )
    return run
