"""Celery tasks stay thin: ids only, then a service."""

from celery import shared_task


@shared_task(name="insight.tasks.retention_cleanup", ignore_result=True)
def retention_cleanup() -> None:
    from .retention import retention_cleanup as cleanup

    cleanup()


@shared_task(name="insight.tasks.deliver_alert", ignore_result=True)
def deliver_alert(delivery_id: int) -> None:
    from .alerts import delivery_send

    delivery_send(delivery_id=delivery_id)


@shared_task(name="insight.tasks.connectors_watch", ignore_result=True)
def connectors_watch() -> None:
    """Every 15 minutes on beat: alert on enabled connectors that stopped running."""
    from .alerts import alerts_check_schedules

    alerts_check_schedules()
