"""Runs as the run lifecycle ends them, without AWS: the devices a run saw are
marked seen by it, then the one insight hook is called, as connectors/runs.py does."""

from __future__ import annotations

from datetime import datetime

from connectors.choices import RunStatus
from connectors.models import Device, InboundConnector, Run
from insight.services import insight_run_finished


def finish_run(
    connector: InboundConnector,
    at: datetime,
    *,
    status: str = RunStatus.SUCCEEDED,
    states: dict[int, str] | None = None,
    error_code: str = "",
) -> Run:
    """A run of `connector` that ended at `at`; `states` (device id -> state)
    are the states it saw change before the hook is called."""
    run = Run.objects.create(connector=connector, status=status, trigger="schedule")
    Run.objects.filter(pk=run.pk).update(
        created_at=at, started_at=at, finished_at=at, error_code=error_code
    )
    for device_id, state in (states or {}).items():
        Device.objects.filter(pk=device_id).update(state=state)
    if status in (RunStatus.SUCCEEDED, RunStatus.PARTIAL):
        Device.objects.filter(connector=connector, removed_at__isnull=True).update(
            last_seen_run=run, last_update=at
        )
    run.refresh_from_db()
    insight_run_finished(run=run)
    return run
