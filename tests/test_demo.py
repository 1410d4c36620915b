import pytest
from django.core.management import CommandError, call_command

from connectors.choices import RunStatus, RunTrigger
from connectors.models import Device, DeviceChange, InboundConnector, Pool, PoolSession
from connectors.runs import run_execute
from credentials.models import Credential
from demo.services import DEMO_FLEETS, demo_setup

pytestmark = pytest.mark.django_db


def test_demo_setup_wires_two_connectors_that_collect_and_is_idempotent(aws_sim, settings):
    connectors = demo_setup(aws_sim, trusted_account=settings.AWS_TRUSTED_ACCOUNT_ID)
    assert [c.parameters["region"] for c in connectors] == [fleet[0] for fleet in DEMO_FLEETS]
    for connector in connectors:
        run = run_execute(connector_id=connector.pk, trigger=RunTrigger.COMMAND)
        assert run.status == RunStatus.SUCCEEDED, run.error_message
    assert Device.objects.count() == sum(fleet[3] for fleet in DEMO_FLEETS)  # the WorkSpaces
    assert Pool.objects.count() == sum(fleet[6] for fleet in DEMO_FLEETS)
    assert PoolSession.objects.count() == sum(fleet[6] * fleet[7] for fleet in DEMO_FLEETS)
    demo_setup(aws_sim, trusted_account=settings.AWS_TRUSTED_ACCOUNT_ID)  # a second start
    assert InboundConnector.objects.count() == 2 and Credential.objects.count() == 1


def test_demo_drift_changes_the_fleet_and_the_next_run_records_it(aws_sim, settings):
    connectors = demo_setup(aws_sim, trusted_account=settings.AWS_TRUSTED_ACCOUNT_ID)
    for connector in connectors:
        run_execute(connector_id=connector.pk, trigger=RunTrigger.COMMAND)
    call_command("demo_drift", endpoint=aws_sim.endpoint_url, resize=4, reimage=0, remove=1, add=2)
    run = run_execute(connector_id=connectors[0].pk, trigger=RunTrigger.COMMAND)
    assert run.status == RunStatus.SUCCEEDED
    assert run.created == 2 and run.removed == 1
    assert DeviceChange.objects.filter(run=run, field="instance_size").count() == 4


def test_demo_drift_says_so_when_the_demo_is_not_running():
    with pytest.raises(CommandError, match="is `make demo` running"):
        call_command("demo_drift", endpoint="http://127.0.0.1:9")
