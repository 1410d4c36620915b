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
