"""Celery tasks stay thin: they take ids (never credentials), and call a service."""

from celery import shared_task

from .choices import RunTrigger


@shared_task(name="connectors.tasks.run_connector", ignore_result=True, bind=True)
def run_connector(self, connector_id: int, run_id: int | None = None) -> None:
    from .runs import run_execute

    run_execute(
        connector_id=connector_id,
        run_id=run_id,
        trigger=RunTrigger.MANUAL if run_id else RunTrigger.SCHEDULE,
        worker=self.request.hostname or "",
    )


@shared_task(name="connectors.tasks.runs_reap_stale", ignore_result=True)
def runs_reap_stale() -> int:
    """Fail runs whose worker died and queued runs that never started."""
    from .runs import runs_reap_stale as reap

    return reap()


@shared_task(name="connectors.tasks.device_rollup_refresh", ignore_result=True)
def device_rollup_refresh() -> None:
    """Every minute on beat: recount NQL's devices rollup if devices changed."""
    from .devices.rollup import device_rollup_refresh as refresh

    refresh()
