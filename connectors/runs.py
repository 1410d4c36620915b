"""A run, from claim to finish. Tasks and the sync command call run_execute.

A run is claimed atomically: the partial unique constraint "one running run
per connector" lets only one worker move a run to `running`; a trigger that
loses is recorded as skipped. The claimer holds a lease it renews while it
works; a run whose lease expired was left by a dead worker and is marked
failed before the next run goes ahead.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable
from contextlib import closing
from datetime import timedelta

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import IntegrityError, transaction
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
from .registry import CollectionFailed

log = logging.getLogger(__name__)
PROGRESS_EVERY_SECONDS = 1.0


def lease_seconds() -> int:
    return settings.RUN_LEASE_SECONDS


def runs_reap_stale(*, connector: InboundConnector | None = None) -> int:
    """Mark failed the runs whose worker died (lease expired)."""
    stale = Run.objects.filter(status=RunStatus.RUNNING, lease_expires_at__lt=timezone.now())
    if connector is not None:
        stale = stale.filter(connector=connector)
    return stale.update(
        status=RunStatus.FAILED,
        finished_at=timezone.now(),
        error_code="WorkerLost",
        error_message="The worker running this collection stopped responding (killed or lost);"
        " the next run goes ahead.",
    )


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
            return None  # already handled (a redelivered task)
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
        claimed = 0
    if not claimed:
        Run.objects.filter(pk=run.pk, status=RunStatus.QUEUED).update(
            status=RunStatus.SKIPPED,
            finished_at=now,
            error_message="Another run of this connector was in progress;"
            " this trigger was skipped.",
        )
        return None
    run.refresh_from_db()
    return run


def _finish(run: Run, owner: str, **values) -> None:
    values.setdefault("finished_at", timezone.now())
    values["lease_expires_at"] = None
    Run.objects.filter(pk=run.pk, owner=owner, status=RunStatus.RUNNING).update(**values)


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

    def heartbeat(progress) -> None:
        nonlocal last_beat
        if time.monotonic() - last_beat < PROGRESS_EVERY_SECONDS:
            return
        last_beat = time.monotonic()
        run.pages_fetched, run.seen = progress.pages, progress.seen
        Run.objects.filter(pk=run.pk, owner=owner).update(
            pages_fetched=progress.pages,
            seen=progress.seen,
            created=counts.created,
            updated=counts.updated,
            unchanged=counts.unchanged,
            api_calls=dict(stats.calls),
            throttled=stats.throttled,
            lease_expires_at=timezone.now() + timedelta(seconds=lease_seconds()),
        )
        if on_progress:
            on_progress(run)

    log.info("run %s of connector %s started", run.pk, connector.nql_id)
    result: dict = {}
    collector = None
    try:
        connector_type = registry.connector_type(connector.connector_type)
        stats = connector_type.call_stats()
        collector, batches = connector_type.collect(connector, stats=stats, on_page=heartbeat)
        with closing(batches):  # stops the collector's threads at once if storage fails
            for batch in batches:
                counts.add(
                    devices_upsert(connector=connector, run=run, records=batch, now=timezone.now())
                )
        if collector.complete:
            result.update(
                status=RunStatus.SUCCEEDED,
                removed=devices_mark_removed(connector=connector, run=run, now=timezone.now()),
            )
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
            # Deleted while it ran: storage failed on the missing connector; its
            # runs and devices went with it. Nothing to record, nothing to report.
            log.info("run %s stopped: connector %s was deleted", run.pk, connector.nql_id)
            return None
        log.exception("run %s of connector %s crashed", run.pk, connector.nql_id)
        result.update(
            status=RunStatus.FAILED, error_code=type(exc).__name__, error_message=str(exc)[:2000]
        )
    if result.get(
        "error_message"
    ):  # AWS messages never carry it today; make sure no run row ever does
        result["error_message"] = result["error_message"].replace(
            connector.credential.external_id, "[external id]"
        )
    progress = collector.progress if collector else None
    _finish(
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
    if run is None:  # the connector, and so this run, was deleted as it finished
        log.info("run stopped: connector %s was deleted", connector.nql_id)
        return None
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
