"""A real Celery worker consuming from a real Redis runs what beat enqueues."""

import pytest

from connectors.choices import RunStatus
from connectors.models import Device, PoolSession, Run
from nexthink_admin.celery import app as celery_app
from tests.conftest import CUSTOMER_ACCOUNT
from tests.waiting import wait_for

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_beat_entry_is_consumed_by_a_real_worker_and_fills_devices(
    aws_sim, aws_connector, real_worker
):
    from django_celery_beat.schedulers import DatabaseScheduler

    aws_sim.seed(
        CUSTOMER_ACCOUNT,
        "eu-west-1",
        workspaces=60,
        bundles=3,
        images=2,
        pools=1,
        sessions_per_pool=5,
    )
    scheduler = DatabaseScheduler(app=celery_app, lazy=True)
    entry = scheduler.schedule[aws_connector.beat_task_name]
    assert entry.kwargs == {"connector_id": aws_connector.pk}
    scheduler.apply_async(entry)  # what beat does when the entry is due
    assert wait_for(lambda: Run.objects.filter(status=RunStatus.SUCCEEDED).exists()), list(
        Run.objects.values()
    )
    assert Device.objects.filter(connector=aws_connector).count() == 60
    assert PoolSession.objects.filter(pool__connector=aws_connector).count() == 5
