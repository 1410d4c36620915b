"""Run rows: claim, skip, stale runs, the operator command."""

import threading
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from connectors.choices import RunStatus, RunTrigger
from connectors.models import Device, Run
from connectors.runs import run_claim, run_execute
from tests.conftest import CUSTOMER_ACCOUNT

REGION = "eu-west-1"


@pytest.mark.django_db
def test_a_trigger_that_finds_a_run_in_progress_is_recorded_as_skipped(aws_sim, aws_connector):
    aws_sim.seed(CUSTOMER_ACCOUNT, REGION, workspaces=10)
    holder = run_claim(
        connector=aws_connector, run_id=None, trigger=RunTrigger.SCHEDULE, owner="other-worker"
    )
    assert holder.status == RunStatus.RUNNING
    assert run_execute(connector_id=aws_connector.pk) is None
    skipped = Run.objects.exclude(pk=holder.pk).get()
    assert skipped.status == RunStatus.SKIPPED and "in progress" in skipped.error_message
    assert not Device.objects.exists()


@pytest.mark.django_db
def test_a_run_left_running_by_a_dead_worker_is_failed_and_the_next_run_goes_ahead(
    aws_sim, aws_connector
):
    aws_sim.seed(CUSTOMER_ACCOUNT, REGION, workspaces=10)
    dead = run_claim(
        connector=aws_connector, run_id=None, trigger=RunTrigger.SCHEDULE, owner="killed-worker"
    )
    Run.objects.filter(pk=dead.pk).update(lease_expires_at=timezone.now() - timedelta(seconds=1))
    run = run_execute(connector_id=aws_connector.pk)
    assert run.status == RunStatus.SUCCEEDED and run.seen == 10
    dead.refresh_from_db()
    assert dead.status == RunStatus.FAILED and dead.error_code == "WorkerLost"


@pytest.mark.django_db
def test_run_now_run_is_executed_once_even_if_the_task_is_delivered_twice(aws_sim, aws_connector):
    aws_sim.seed(CUSTOMER_ACCOUNT, REGION, workspaces=5)
    queued = Run.objects.create(connector=aws_connector, trigger=RunTrigger.MANUAL)
    first = run_execute(connector_id=aws_connector.pk, run_id=queued.pk)
    assert first.pk == queued.pk and first.status == RunStatus.SUCCEEDED
    assert run_execute(connector_id=aws_connector.pk, run_id=queued.pk) is None
    assert Run.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_triggers_give_one_run_and_one_skip(aws_sim, aws_connector):
    aws_sim.seed(CUSTOMER_ACCOUNT, REGION, workspaces=100)
    aws_sim.configure(latency_ms=30)
    results, barrier = [], threading.Barrier(2)

    def trigger():
        barrier.wait()
        try:
            results.append(run_execute(connector_id=aws_connector.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=trigger) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    statuses = sorted(Run.objects.values_list("status", flat=True))
    assert statuses == [RunStatus.SKIPPED, RunStatus.SUCCEEDED]
    assert Device.objects.count() == 100


@pytest.mark.django_db
def test_sync_connector_prints_progress_and_the_summary(aws_sim, aws_connector, capsys):
    aws_sim.seed(CUSTOMER_ACCOUNT, REGION, workspaces=30, bundles=2, images=1)
    call_command("sync_connector", aws_connector.nql_id)
    out = capsys.readouterr().out
    assert "succeeded" in out and "Seen 30, created 30" in out and "DescribeWorkspaces 2" in out


@pytest.mark.django_db
def test_sync_connector_exits_non_zero_on_failure(aws_sim, aws_connector):
    aws_sim.create_customer_role(
        CUSTOMER_ACCOUNT, "NexthinkConnector-Test", external_id="not-the-right-one"
    )
    with pytest.raises(CommandError, match="AccessDenied in AssumeRole"):
        call_command("sync_connector", aws_connector.nql_id)


@pytest.mark.django_db
def test_sync_connector_names_known_connectors_for_an_unknown_id(aws_connector):
    with pytest.raises(CommandError, match="simulated_eu"):
        call_command("sync_connector", "nope")
