import io

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
    out = io.StringIO()
    call_command(
        "demo_drift",
        endpoint=aws_sim.endpoint_url,
        resize=4,
        reimage=0,
        remove=1,
        add=2,
        stdout=out,
    )
    fleet_lines = [line for line in out.getvalue().splitlines() if "):" in line]
    assert fleet_lines and all(  # each count once per line, none as a raw dict
        line.count("resized 4") == 1 and "removed 1" in line and "{" not in line
        for line in fleet_lines
    ), fleet_lines
    run = run_execute(connector_id=connectors[0].pk, trigger=RunTrigger.COMMAND)
    assert run.status == RunStatus.SUCCEEDED
    assert run.created == 2 and run.removed == 1
    assert DeviceChange.objects.filter(run=run, field="instance_size").count() == 4


def test_demo_drift_says_so_when_the_demo_is_not_running():
    with pytest.raises(CommandError, match="is `make demo` running"):
        call_command("demo_drift", endpoint="http://127.0.0.1:9")


def test_simulated_days_change_states_modes_and_pool_load_and_the_runs_record_them(
    aws_sim, settings
):
    from demo.services import REIMAGE_EVERY_HOURS, demo_evolve_step
    from insight.models import FleetSnapshot, StateTransition

    connectors = demo_setup(aws_sim, trusted_account=settings.AWS_TRUSTED_ACCOUNT_ID)
    europe = connectors[0]

    def run_at(hour):
        changes = demo_evolve_step(aws_sim, hour=hour)
        run = run_execute(connector_id=europe.pk, trigger=RunTrigger.COMMAND)
        assert run.status == RunStatus.SUCCEEDED, run.error_message
        return changes, FleetSnapshot.objects.get(run=run)

    _, night = run_at(REIMAGE_EVERY_HOURS + 3)  # a Thursday, 3 a.m.; a new image this day
    changes, day = run_at(REIMAGE_EVERY_HOURS + 11)  # 11 a.m.
    assert changes["Demo Europe"]["started"] > 50
    assert day.auto_stop_available > night.auto_stop_available + 50
    assert day.sessions > night.sessions
    assert (
        StateTransition.objects.filter(
            connector=europe, from_state="STOPPED", to_state="AVAILABLE"
        ).count()
        == changes["Demo Europe"]["started"]
    )
    # A week of simulated mornings later some WorkSpaces switched running mode.
    for d in range(1, 8):
        demo_evolve_step(aws_sim, hour=REIMAGE_EVERY_HOURS + 24 * d)

    def modes():
        personal = Device.objects.filter(connector=europe, removed_at__isnull=True)
        return dict(personal.exclude(workspace_id="").values_list("source_id", "running_mode"))

    before = modes()
    run_execute(connector_id=europe.pk, trigger=RunTrigger.COMMAND)
    after = modes()
    assert before.keys() == after.keys() and before != after
    assert DeviceChange.objects.filter(field="instance_size").exists()  # the third days' resizes
