"""Faults during collection: each ends with nothing lost, nothing duplicated
and nothing wrongly marked removed. Outcomes are listed in docs/RELIABILITY.md."""

import pytest
from botocore.config import Config
from django.db import OperationalError

from connectors import runs
from connectors.aws_workspaces import aws
from connectors.choices import RunStatus, RunTrigger
from connectors.devices import services as device_services
from connectors.models import Device
from tests.conftest import CUSTOMER_ACCOUNT

from .netfaults import ResettingProxy

pytestmark = pytest.mark.django_db
REGION = "eu-west-1"


def sync(connector):
    return runs.run_execute(connector_id=connector.pk, trigger=RunTrigger.COMMAND)


def fleet_state(connector) -> dict:
    return {
        d.source_id: (d.removed_at is None, d.instance_size)
        for d in Device.objects.filter(connector=connector)
    }


@pytest.fixture
def synced(aws_sim, aws_connector):
    """A connector with a first complete sync of 120 WorkSpaces and 10 sessions."""
    aws_sim.seed(
        CUSTOMER_ACCOUNT, REGION, workspaces=120, bundles=6, images=3, pools=1, sessions_per_pool=10
    )
    assert sync(aws_connector).status == RunStatus.SUCCEEDED
    return aws_connector


def assert_fleet_intact(connector, before: dict) -> None:
    after = fleet_state(connector)
    assert after == before, "devices lost, duplicated or wrongly removed"
    assert Device.objects.filter(connector=connector).count() == len(before)


@pytest.mark.parametrize("fraction, seed", [(0.3, 11), (0.6, 3)])
def test_throttling_still_collects_every_device_exactly_once(
    aws_sim, synced, no_backoff, fraction, seed
):
    before = fleet_state(synced)
    aws_sim.configure(throttle_fraction=fraction, throttle_seed=seed)
    run = sync(synced)
    assert run.status == RunStatus.SUCCEEDED, run.error_message
    assert run.throttled > 0 and run.seen == 130
    assert_fleet_intact(synced, before)


@pytest.mark.parametrize(
    "code, status", [("InternalServerError", 500), ("ServiceUnavailable", 503)]
)
def test_transient_server_errors_are_retried(aws_sim, synced, no_backoff, code, status):
    before = fleet_state(synced)
    aws_sim.inject_error("DescribeWorkspaces", code, status=status, count=3)
    run = sync(synced)
    assert run.status == RunStatus.SUCCEEDED
    assert_fleet_intact(synced, before)


def test_a_describe_workspaces_outage_fails_the_run_and_removes_nothing(
    aws_sim, synced, no_backoff
):
    before = fleet_state(synced)
    aws_sim.inject_error("DescribeWorkspaces", "ServiceUnavailable", status=503)
    run = sync(synced)
    assert (
        run.status == RunStatus.FAILED
        and run.error_code == "ServiceUnavailable"
        and run.removed == 0
    )
    assert_fleet_intact(synced, before)


def test_connection_resets_are_retried(aws_sim, synced, no_backoff, monkeypatch):
    before = fleet_state(synced)
    proxy = ResettingProxy(aws_sim.port, resets=3)
    monkeypatch.setenv("AWS_ENDPOINT_URL_WORKSPACES", proxy.url)
    try:
        run = sync(synced)
    finally:
        proxy.close()
    assert proxy.resets_done == 3
    assert run.status == RunStatus.SUCCEEDED, run.error_message
    assert_fleet_intact(synced, before)


def test_responses_slower_than_the_read_timeout_fail_cleanly(
    aws_sim, synced, no_backoff, monkeypatch
):
    before = fleet_state(synced)
    monkeypatch.setattr(
        aws,
        "WORKSPACES_CONFIG",
        Config(
            retries={"mode": "standard", "max_attempts": 2}, read_timeout=0.5, connect_timeout=1
        ),
    )
    aws_sim.configure(latency_ms=1200)
    run = sync(synced)
    assert run.status == RunStatus.FAILED and run.error_code == "ReadTimeoutError"
    assert "timeout" in run.error_message.lower()
    assert_fleet_intact(synced, before)


def test_a_session_expiring_mid_run_is_re_assumed_and_the_run_carries_on(
    aws_sim, synced, monkeypatch
):
    before = fleet_state(synced)
    real_client = aws.workspaces_client

    def client_that_outlives_its_session(session, **kwargs):
        client = real_client(session, **kwargs)
        calls = {"n": 0}

        def expire_after_two_pages(**_):
            calls["n"] += 1
            if calls["n"] == 2:
                aws_sim.expire_sessions()

        client.meta.events.register(
            "after-call.workspaces.DescribeWorkspaces", expire_after_two_pages
        )
        return client

    monkeypatch.setattr(aws, "workspaces_client", client_that_outlives_its_session)
    assume_calls = aws_sim.stats()["calls"].get("AssumeRole", 0)
    run = sync(synced)
    assert run.status == RunStatus.SUCCEEDED, run.error_message
    assert (
        aws_sim.stats()["calls"]["AssumeRole"] == assume_calls + 2
    )  # the first, and the re-assume
    assert_fleet_intact(synced, before)


def test_database_unavailable_during_a_run_fails_it_cleanly_and_the_next_run_completes(
    aws_sim, synced, monkeypatch
):
    before = fleet_state(synced)
    real_upsert = device_services.devices_upsert
    state = {"failed": False}

    def flaky_upsert(**kwargs):
        if not state["failed"]:
            state["failed"] = True
            raise OperationalError("server closed the connection unexpectedly")
        return real_upsert(**kwargs)

    monkeypatch.setattr(runs, "devices_upsert", flaky_upsert)
    failed = sync(synced)
    assert (
        failed.status == RunStatus.FAILED
        and failed.error_code == "OperationalError"
        and failed.removed == 0
    )
    assert_fleet_intact(synced, before)
    again = sync(synced)
    assert again.status == RunStatus.SUCCEEDED and again.unchanged == 130
    assert_fleet_intact(synced, before)
