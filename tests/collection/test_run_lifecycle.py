"""Every run ends in a terminal state, and only its owner writes it (issue 13,
defects 1, 2, 3 and 8): Run now when the broker is down, queued runs whose
task was lost, the lease renewed while pools are read, a run reaped while it
works, a storage failure stopping every thread, partial-run counts and the
sync command's exit codes."""

import threading
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import OperationalError, connection
from django.urls import reverse
from django.utils import timezone

from connectors import runs
from connectors.choices import RunStatus, RunTrigger
from connectors.models import Device, DeviceChange, Run
from connectors.runs import run_execute, runs_reap_stale
from tests.conftest import CUSTOMER_ACCOUNT
from tests.waiting import wait_for

from .broker import real_broker

REGION = "eu-west-1"


def sync(connector, **kwargs):
    return run_execute(connector_id=connector.pk, trigger=RunTrigger.COMMAND, **kwargs)


@pytest.fixture
def broker_down():
    """A real publish to a broker that refuses connections (nothing listens)."""
    with real_broker("redis://127.0.0.1:1/0"):
        yield


@pytest.mark.django_db(transaction=True)
def test_run_now_with_the_broker_down_says_so_and_leaves_no_run_queued(
    admin_client, aws_connector, broker_down
):
    url = reverse("connectors:run_now", args=[aws_connector.pk])
    for _ in range(2):  # and the next click is not refused as "already queued"
        response = admin_client.post(url, follow=True)
        assert response.status_code == 200
        page = response.content.decode()
        assert "could not be queued" in page and "already" not in page
    assert not Run.objects.filter(status__in=[RunStatus.QUEUED, RunStatus.RUNNING]).exists()
    assert Run.objects.filter(status=RunStatus.FAILED, error_code="NotQueued").count() == 2


@pytest.mark.django_db
def test_a_queued_run_whose_task_was_lost_does_not_block_run_now(
    admin_client, aws_connector, settings
):
    lost = Run.objects.create(connector=aws_connector, trigger=RunTrigger.MANUAL)
    Run.objects.filter(pk=lost.pk).update(
        created_at=timezone.now() - timedelta(seconds=settings.RUN_QUEUED_TIMEOUT_SECONDS + 1)
    )
    response = admin_client.post(
        reverse("connectors:run_now", args=[aws_connector.pk]), follow=True
    )
    assert "Run queued" in response.content.decode()
    lost.refresh_from_db()
    assert lost.status == RunStatus.FAILED and lost.error_code == "NeverStarted"
    assert "never started" in lost.error_message and lost.finished_at is not None
    assert Run.objects.filter(status=RunStatus.QUEUED).exclude(pk=lost.pk).count() == 1


@pytest.mark.django_db
def test_the_reaper_leaves_a_recent_queued_run_and_a_live_running_run_alone(
    aws_connector, settings
):
    queued = Run.objects.create(connector=aws_connector, trigger=RunTrigger.MANUAL)
    running = runs.run_claim(
        connector=aws_connector, run_id=None, trigger=RunTrigger.SCHEDULE, owner="alive"
    )
    assert runs_reap_stale() == 0
    assert {r.status for r in Run.objects.all()} == {RunStatus.QUEUED, RunStatus.RUNNING}
    Run.objects.filter(pk=running.pk).update(lease_expires_at=timezone.now() - timedelta(1))
    Run.objects.filter(pk=queued.pk).update(created_at=timezone.now() - timedelta(1))
    assert runs_reap_stale() == 2
    assert set(Run.objects.values_list("status", flat=True)) == {RunStatus.FAILED}


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_the_lease_is_renewed_while_pools_are_read_so_a_concurrent_trigger_is_skipped(
    aws_sim, aws_connector, settings
):
    """A pools-only fleet: one empty DescribeWorkspaces page, then seconds of
    pool sessions. The lease (1 s here) must not lapse meanwhile."""
    settings.RUN_LEASE_SECONDS = 1
    aws_sim.seed(
        CUSTOMER_ACCOUNT, REGION, workspaces=0, bundles=1, images=1, pools=6, sessions_per_pool=5
    )
    aws_sim.configure(latency_ms=400)
    results = []

    def first():
        try:
            results.append(sync(aws_connector))
        finally:
            connection.close()

    thread = threading.Thread(target=first)
    thread.start()
    assert wait_for(lambda: Run.objects.filter(status=RunStatus.RUNNING).exists(), step=0.05)
    holder = Run.objects.get(status=RunStatus.RUNNING)
    # Wait until the first lease would have lapsed twice over, then trigger.
    assert not wait_for(lambda: not thread.is_alive(), timeout=2.5, step=0.1)
    assert run_execute(connector_id=aws_connector.pk) is None  # skipped: the run is alive
    thread.join(60)
    holder.refresh_from_db()
    assert holder.status == RunStatus.SUCCEEDED and holder.seen == 30
    statuses = sorted(Run.objects.values_list("status", flat=True))
    assert statuses == [RunStatus.SKIPPED, RunStatus.SUCCEEDED]


@pytest.mark.django_db
def test_a_run_reaped_while_it_works_stops_and_never_marks_devices_removed(aws_sim, aws_connector):
    aws_sim.seed(CUSTOMER_ACCOUNT, REGION, workspaces=80, bundles=2, images=1)
    assert sync(aws_connector).status == RunStatus.SUCCEEDED
    # A device AWS no longer lists: a complete run by its owner would remove it.
    gone = Device.objects.filter(connector=aws_connector).first()
    Device.objects.filter(pk=gone.pk).update(source_id="ws-gone")

    def reaped_by_another_trigger(run):
        Run.objects.filter(pk=run.pk).update(
            status=RunStatus.FAILED, error_code="WorkerLost", lease_expires_at=None
        )

    run = sync(aws_connector, on_progress=reaped_by_another_trigger)
    assert run.status == RunStatus.FAILED and run.error_code == "WorkerLost"  # the reaper's end
    assert Device.objects.get(source_id="ws-gone").removed_at is None
    assert not Device.objects.filter(removed_at__isnull=False).exists()


@pytest.mark.django_db
def test_a_storage_failure_stops_the_pools_thread_at_once(aws_sim, aws_connector, monkeypatch):
    """600 WorkSpaces give a first batch after 24 pages; 40 pools of 100
    sessions take 81 calls. The pools thread must stop, not read on."""
    aws_sim.seed(
        CUSTOMER_ACCOUNT, REGION, workspaces=600, bundles=2, images=1, pools=40,
        sessions_per_pool=100,
    )  # fmt: skip
    aws_sim.configure(latency_ms=40)

    def failing_upsert(**kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(runs, "devices_upsert", failing_upsert)
    run = sync(aws_connector)
    assert run.status == RunStatus.FAILED and run.error_code == "OperationalError"
    sessions_calls = aws_sim.stats()["calls"].get("DescribeWorkspacesPoolSessions", 0)
    assert sessions_calls < 60, f"the pools thread read on: {sessions_calls} session pages"


@pytest.mark.django_db
def test_a_partial_run_counts_as_changed_only_devices_whose_history_changed(
    aws_sim, aws_connector, no_backoff
):
    aws_sim.seed(CUSTOMER_ACCOUNT, REGION, workspaces=60, bundles=3, images=2)
    assert sync(aws_connector).status == RunStatus.SUCCEEDED
    before = dict(Device.objects.values_list("source_id", "image_id"))
    aws_sim.inject_error("DescribeWorkspaceBundles", "InternalServerError", status=500)
    run = sync(aws_connector)
    assert run.status == RunStatus.PARTIAL and run.seen == 60
    with_history = DeviceChange.objects.filter(run=run).values("device").distinct().count()
    assert run.updated == with_history == 0
    assert run.created + run.updated + run.unchanged == run.seen
    assert dict(Device.objects.values_list("source_id", "image_id")) == before


@pytest.mark.django_db
def test_sync_connector_exit_codes_tell_partial_from_failed(aws_sim, aws_connector, no_backoff):
    aws_sim.seed(CUSTOMER_ACCOUNT, REGION, workspaces=10, bundles=1, images=1)
    call_command("sync_connector", aws_connector.nql_id)  # succeeded: no exception, exit 0
    aws_sim.inject_error("DescribeWorkspaceBundles", "InternalServerError", status=500)
    with pytest.raises(CommandError, match="Partial") as partial:
        call_command("sync_connector", aws_connector.nql_id)
    assert partial.value.returncode == 3
    aws_sim.inject_error("DescribeWorkspaces", "AccessDeniedException", status=400)
    with pytest.raises(CommandError, match="AccessDenied") as failed:
        call_command("sync_connector", aws_connector.nql_id)
    assert failed.value.returncode == 1
    with pytest.raises(CommandError) as unknown:
        call_command("sync_connector", "no_such_connector")
    assert unknown.value.returncode == 2
    runs.run_claim(connector=aws_connector, run_id=None, trigger=RunTrigger.SCHEDULE, owner="x")
    with pytest.raises(CommandError, match="Skipped") as skipped:
        call_command("sync_connector", aws_connector.nql_id)
    assert skipped.value.returncode == 4
