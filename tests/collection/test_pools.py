"""Pools and pool sessions collected against the simulator: stored as pools
and their session history, never as devices (issue 19, point 5)."""

import pytest

from connectors.choices import RunStatus, RunTrigger
from connectors.models import Device, Pool, PoolSession, Run
from connectors.runs import run_execute
from tests.conftest import CUSTOMER_ACCOUNT

pytestmark = pytest.mark.django_db
REGION = "eu-west-1"


def sync(connector) -> Run:
    return run_execute(connector_id=connector.pk, trigger=RunTrigger.COMMAND)


def open_sessions(connector):
    return PoolSession.objects.filter(pool__connector=connector, ended_at__isnull=True)


def test_pools_and_their_sessions_are_stored_and_no_pooled_device_is(aws_sim, aws_connector):
    aws_sim.seed(
        CUSTOMER_ACCOUNT, REGION, workspaces=20, bundles=4, images=2, pools=2, sessions_per_pool=6
    )
    run = sync(aws_connector)
    assert run.status == RunStatus.SUCCEEDED, run.error_message
    fleet = aws_sim.fleet(CUSTOMER_ACCOUNT, REGION)
    assert not Device.objects.filter(pool_type="pooled").exists()
    assert Device.objects.count() == 20
    assert run.seen == 32 and run.created == 32  # sessions still count as seen
    pools = {p.pool_id: p for p in Pool.objects.filter(connector=aws_connector)}
    assert set(pools) == set(fleet.pools)
    for pool_id, aws_pool in fleet.pools.items():
        pool = pools[pool_id]
        capacity = aws_pool["CapacityStatus"]
        assert pool.name == aws_pool["PoolName"] and pool.state == "RUNNING"
        assert (pool.bundle_id, pool.directory_id) == (
            aws_pool["BundleId"],
            aws_pool["DirectoryId"],
        )
        assert pool.running_mode == aws_pool["RunningMode"]
        assert pool.max_user_duration_seconds == 57600
        assert (pool.active_user_sessions, pool.desired_user_sessions) == (
            capacity["ActiveUserSessions"],
            capacity["DesiredUserSessions"],
        )
        assert pool.available_user_sessions == capacity["AvailableUserSessions"]
        assert pool.actual_user_sessions == capacity["ActualUserSessions"]
        bundle = fleet.bundles[aws_pool["BundleId"]]
        assert pool.instance_size == bundle["ComputeType"]["Name"]  # the pool bundle's
        assert pool.image_id == bundle["ImageId"] and pool.disk_image
        assert (pool.region, pool.environment_name) == (REGION, "Sim EU")
        assert pool.last_seen_run == run and pool.removed_at is None
        sessions = {s.session_id: s for s in pool.sessions.all()}
        assert set(sessions) == set(fleet.sessions[pool_id])
        for session_id, aws_session in fleet.sessions[pool_id].items():
            session = sessions[session_id]
            assert session.instance_id == aws_session["InstanceId"]
            assert session.user_id == aws_session["UserId"]
            assert session.connection_state == aws_session["ConnectionState"]
            assert session.authentication_type == "SAML"
            assert session.session_start.timestamp() == aws_session["StartTime"]
            assert session.expiration_time.timestamp() == aws_session["ExpirationTime"]
            assert session.ended_at is None


def test_sessions_a_complete_run_no_longer_sees_are_ended_and_kept(aws_sim, aws_connector):
    aws_sim.seed(
        CUSTOMER_ACCOUNT, REGION, workspaces=10, bundles=3, images=2, pools=1, sessions_per_pool=8
    )
    assert sync(aws_connector).status == RunStatus.SUCCEEDED
    before = set(PoolSession.objects.values_list("session_id", flat=True))
    aws_sim.mutate(CUSTOMER_ACCOUNT, REGION, sessions_churn=3)
    fleet = aws_sim.fleet(CUSTOMER_ACCOUNT, REGION)
    now_in_aws = {sid for sessions in fleet.sessions.values() for sid in sessions}
    ended = before - now_in_aws
    assert ended and now_in_aws - before
    run = sync(aws_connector)
    assert run.status == RunStatus.SUCCEEDED
    ended_rows = PoolSession.objects.filter(ended_at__isnull=False)
    assert set(ended_rows.values_list("session_id", flat=True)) == ended  # kept, with when
    assert set(open_sessions(aws_connector).values_list("session_id", flat=True)) == now_in_aws
    assert run.removed == len(ended)  # ended sessions count with the devices removed
    assert run.created == len(now_in_aws - before)


def test_a_partial_run_ends_no_session_and_removes_no_pool(aws_sim, aws_connector, no_backoff):
    aws_sim.seed(
        CUSTOMER_ACCOUNT, REGION, workspaces=10, bundles=3, images=2, pools=2, sessions_per_pool=4
    )
    assert sync(aws_connector).status == RunStatus.SUCCEEDED
    aws_sim.mutate(CUSTOMER_ACCOUNT, REGION, sessions_churn=4)
    aws_sim.inject_error("DescribeWorkspacesPoolSessions", "InternalServerError", status=500)
    run = sync(aws_connector)
    assert run.status == RunStatus.PARTIAL
    assert run.error_action == "DescribeWorkspacesPoolSessions"
    assert not PoolSession.objects.filter(ended_at__isnull=False).exists()
    assert not Pool.objects.filter(removed_at__isnull=False).exists()


def test_a_pool_gone_from_aws_is_marked_removed_with_its_sessions_ended(aws_sim, aws_connector):
    aws_sim.seed(
        CUSTOMER_ACCOUNT, REGION, workspaces=5, bundles=3, images=2, pools=2, sessions_per_pool=3
    )
    assert sync(aws_connector).status == RunStatus.SUCCEEDED
    fleet = aws_sim.fleet(CUSTOMER_ACCOUNT, REGION)
    gone = sorted(fleet.pools)[0]
    with aws_sim.store.lock:
        del fleet.pools[gone]
        del fleet.sessions[gone]
        fleet.touch()
    run = sync(aws_connector)
    assert run.status == RunStatus.SUCCEEDED
    pool = Pool.objects.get(pool_id=gone)
    assert pool.removed_at is not None
    assert not pool.sessions.filter(ended_at__isnull=True).exists()
    assert Pool.objects.filter(removed_at__isnull=True).count() == 1


def test_a_failed_pools_listing_keeps_the_stored_pools(aws_sim, aws_connector, no_backoff):
    aws_sim.seed(
        CUSTOMER_ACCOUNT, REGION, workspaces=5, bundles=3, images=2, pools=1, sessions_per_pool=2
    )
    assert sync(aws_connector).status == RunStatus.SUCCEEDED
    aws_sim.inject_error("DescribeWorkspacesPools", "InternalServerError", status=500)
    run = sync(aws_connector)
    assert run.status == RunStatus.PARTIAL and run.error_action == "DescribeWorkspacesPools"
    assert Pool.objects.get().removed_at is None
    assert open_sessions(aws_connector).count() == 2


def test_no_pool_or_session_becomes_an_export_row(aws_sim, aws_connector, admin_client):
    from django.urls import reverse

    aws_sim.seed(
        CUSTOMER_ACCOUNT, REGION, workspaces=7, bundles=3, images=2, pools=2, sessions_per_pool=5
    )
    assert sync(aws_connector).status == RunStatus.SUCCEEDED
    response = admin_client.get(reverse("devices:export_csv"))
    csv = b"".join(response.streaming_content).decode()
    fleet = aws_sim.fleet(CUSTOMER_ACCOUNT, REGION)
    instance_ids = [
        s["InstanceId"] for sessions in fleet.sessions.values() for s in sessions.values()
    ]
    assert len(csv.strip().splitlines()) == 1 + 7  # the header and the WorkSpaces
    assert not any(instance_id in csv for instance_id in instance_ids)
    assert not any(pool["PoolName"] in csv for pool in fleet.pools.values())
