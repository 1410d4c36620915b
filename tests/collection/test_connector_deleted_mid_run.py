"""A connector deleted while its run works: the run ends quietly, leaves no
row behind and logs no traceback (issue 14 finding 13)."""

import logging

import pytest
from django_celery_beat.models import PeriodicTask

from connectors import runs
from connectors.models import Device, DeviceChange, InboundConnector, Run
from connectors.services import connector_delete
from connectors.tasks import run_connector
from tests.conftest import CUSTOMER_ACCOUNT

pytestmark = pytest.mark.django_db(transaction=True)


def delete_connector(pk: int) -> None:
    connector_delete(connector=InboundConnector.objects.get(pk=pk))


def assert_nothing_left(pk: int) -> None:
    assert not InboundConnector.objects.filter(pk=pk).exists()
    assert not Run.objects.filter(connector_id=pk).exists()
    assert not Device.objects.filter(connector_id=pk).exists()
    assert not DeviceChange.objects.filter(device__connector_id=pk).exists()
    assert not PeriodicTask.objects.filter(name=f"connector:{pk}").exists()


def assert_quiet(caplog) -> None:
    loud = [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    assert not loud, [f"{r.name}: {r.getMessage()}" for r in loud]


@pytest.mark.parametrize("moment", ["before storing", "after storing"])
def test_a_connector_deleted_while_it_runs_ends_the_run_quietly(
    aws_sim, aws_connector, monkeypatch, caplog, moment
):
    aws_sim.seed(CUSTOMER_ACCOUNT, "eu-west-1", workspaces=60, bundles=3, images=2)
    pk = aws_connector.pk
    if moment == "before storing":
        real = runs.devices_upsert

        def upsert_after_delete(**kwargs):
            if InboundConnector.objects.filter(pk=pk).exists():
                delete_connector(pk)
            return real(**kwargs)

        monkeypatch.setattr(runs, "devices_upsert", upsert_after_delete)
    else:
        real = runs.devices_mark_removed

        def mark_after_delete(**kwargs):
            delete_connector(pk)
            return real(**kwargs)

        monkeypatch.setattr(runs, "devices_mark_removed", mark_after_delete)
    caplog.set_level(logging.INFO)
    result = run_connector.apply(kwargs={"connector_id": pk})
    assert result.successful(), result.traceback
    assert_quiet(caplog)
    assert "deleted" in caplog.text
    assert_nothing_left(pk)
