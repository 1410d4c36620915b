"""The collection engine against the AWS simulator: calls, storage, failures."""

import pytest

from connectors.choices import RunStatus, RunTrigger
from connectors.models import Device, DeviceChange, PoolSession, Run
from connectors.runs import run_execute
from tests.conftest import CUSTOMER_ACCOUNT, ROLE_NAME

pytestmark = pytest.mark.django_db
REGION = "eu-west-1"


def sync(connector) -> Run:
    return run_execute(connector_id=connector.pk, trigger=RunTrigger.COMMAND)


def active(connector):
    return Device.objects.filter(connector=connector, removed_at__isnull=True)


def test_1000_workspaces_arrive_with_40_describe_calls_and_few_bundle_and_image_calls(
    aws_sim, aws_connector
):
    """Bundles are fetched by id in waves (25 a call, or a few pages' worth so
    records stream), images listed once up front: a few calls over the minimum."""
    aws_sim.seed(CUSTOMER_ACCOUNT, REGION, workspaces=1000, bundles=30, images=12, pools=0)
    run = sync(aws_connector)
    assert run.status == RunStatus.SUCCEEDED, run.error_message
    assert run.api_calls["DescribeWorkspaces"] == 40
    bundle_ids = set(active(aws_connector).values_list("bundle_id", flat=True))
    fleet = aws_sim.fleet(CUSTOMER_ACCOUNT, REGION)
    own_images = {
        fleet.bundles[b]["ImageId"] for b in bundle_ids if fleet.bundles[b]["Owner"] != "Amazon"
    }
    minimum = -(-len(bundle_ids) // 25)
    assert minimum <= run.api_calls["DescribeWorkspaceBundles"] <= minimum + 4
    # The account's images, listed once (12 here: one call); images of AWS-owned
    # bundles are never visible in the customer's account: never asked for.
    assert own_images <= set(fleet.images)
    assert run.api_calls["DescribeWorkspaceImages"] == 1
    assert set(run.api_calls) <= {
        "DescribeWorkspaces",
        "DescribeWorkspaceBundles",
        "DescribeWorkspaceImages",
        "DescribeWorkspacesPools",
        "DescribeWorkspacesPoolSessions",
    }
    assert (run.seen, run.created) == (1000, 1000)
    assert active(aws_connector).count() == 1000
    assert aws_sim.stats()["calls"]["DescribeWorkspaces"] == 40


def test_stored_device_has_the_ten_fields_and_the_source_attributes(aws_sim, aws_connector):
    aws_sim.seed(
        CUSTOMER_ACCOUNT, REGION, workspaces=30, bundles=3, images=2, pools=1, sessions_per_pool=5
    )
    run = sync(aws_connector)
    assert run.status == RunStatus.SUCCEEDED, run.error_message
    fleet = aws_sim.fleet(CUSTOMER_ACCOUNT, REGION)
    personal = active(aws_connector).filter(pool_type="personal").first()
    assert personal.name.startswith("WSAMZN-") or personal.name
    assert personal.hostname == "AWS host" and personal.hypervisor_name == "AWS hypervisor"
    assert personal.desktop_broker == "aws_workspaces"
    assert personal.environment_name == "Sim EU" and personal.region == REGION
    assert personal.desktop_pool and personal.disk_image and personal.instance_size
    assert personal.workspace_id.startswith("ws-") and personal.bundle_id and personal.directory_id
    assert personal.ip_address and personal.user_name and personal.state and personal.running_mode
    assert personal.last_update is not None
    # Pool sessions are pool history, not devices (tests/collection/test_pools.py).
    assert not Device.objects.filter(pool_type="pooled").exists()
    assert active(aws_connector).count() == 30 == len(fleet.workspaces)


def test_least_privilege_role_is_enough(aws_sim, aws_connector):
    """The role allows exactly the five actions of the reference policy; a sync needs no other."""
    aws_sim.seed(
        CUSTOMER_ACCOUNT, REGION, workspaces=60, bundles=4, images=2, pools=2, sessions_per_pool=3
    )
    run = sync(aws_connector)
    assert run.status == RunStatus.SUCCEEDED, f"{run.error_code}: {run.error_message}"
    assert run.seen == 66


def test_wrong_external_id_fails_at_once_with_what_to_check(aws_sim, aws_connector):
    aws_sim.seed(CUSTOMER_ACCOUNT, REGION, workspaces=10)
    aws_sim.create_customer_role(CUSTOMER_ACCOUNT, ROLE_NAME, external_id="some-other-external-id")
    run = sync(aws_connector)
    assert run.status == RunStatus.FAILED
    assert (run.error_action, run.error_code) == ("AssumeRole", "AccessDenied")
    assert "trust policy" in run.error_message and "External ID" in run.error_message
    assert run.request_id
    assert aws_connector.credential.external_id not in run.error_message
    assert not Device.objects.exists()
    assert aws_sim.stats()["calls"].get("AssumeRole", 0) <= 3


def test_throttling_on_30_percent_still_stores_every_device_once(
    aws_sim, aws_connector, no_backoff
):
    aws_sim.seed(
        CUSTOMER_ACCOUNT,
        REGION,
        workspaces=500,
        bundles=10,
        images=5,
        pools=2,
        sessions_per_pool=20,
    )
    aws_sim.configure(throttle_fraction=0.3, throttle_seed=7)
    run = sync(aws_connector)
    assert run.status == RunStatus.SUCCEEDED, run.error_message
    assert run.throttled > 0
    assert Device.objects.filter(connector=aws_connector).count() == 500
    assert PoolSession.objects.filter(pool__connector=aws_connector).count() == 40
    assert (
        run.api_calls["DescribeWorkspaces"] == 20
    )  # logical calls; retries are counted as throttles


def test_auxiliary_failure_makes_a_partial_run_that_keeps_devices_and_removes_none(
    aws_sim, aws_connector, no_backoff
):
    aws_sim.seed(CUSTOMER_ACCOUNT, REGION, workspaces=50, bundles=4, images=2)
    first = sync(aws_connector)
    assert first.status == RunStatus.SUCCEEDED
    before = {d.source_id: (d.desktop_pool, d.disk_image) for d in active(aws_connector)}
    aws_sim.mutate(CUSTOMER_ACCOUNT, REGION, remove=5)
    aws_sim.inject_error("DescribeWorkspaceBundles", "InternalServerError", status=500)
    run = sync(aws_connector)
    assert run.status == RunStatus.PARTIAL
    assert (
        run.error_action == "DescribeWorkspaceBundles" and run.error_code == "InternalServerError"
    )
    assert run.removed == 0 and active(aws_connector).count() == 50
    after = {d.source_id: (d.desktop_pool, d.disk_image) for d in active(aws_connector)}
    assert after == before  # unknown bundle values keep what the device had
    assert not DeviceChange.objects.filter(field__in=["desktop_pool", "disk_image"]).exists()


def test_removed_devices_are_marked_then_come_back(aws_sim, aws_connector):
    aws_sim.seed(CUSTOMER_ACCOUNT, REGION, workspaces=40, bundles=3, images=2, rng_seed=5)
    sync(aws_connector)
    aws_sim.mutate(CUSTOMER_ACCOUNT, REGION, remove=2)
    run = sync(aws_connector)
    assert run.status == RunStatus.SUCCEEDED and run.removed == 2
    removed = list(Device.objects.filter(connector=aws_connector, removed_at__isnull=False))
    assert len(removed) == 2 and active(aws_connector).count() == 38
    aws_sim.seed(
        CUSTOMER_ACCOUNT, REGION, workspaces=40, bundles=3, images=2, rng_seed=5
    )  # the same fleet again
    back = sync(aws_connector)
    assert back.status == RunStatus.SUCCEEDED and back.removed == 0
    for device in removed:
        device.refresh_from_db()
        assert device.removed_at is None and device.last_seen_run_id == back.pk
    assert Device.objects.filter(connector=aws_connector).count() == 40


def test_drift_is_recorded_per_field_with_the_run(aws_sim, aws_connector):
    aws_sim.seed(CUSTOMER_ACCOUNT, REGION, workspaces=30, bundles=3, images=2)
    sync(aws_connector)
    aws_sim.mutate(CUSTOMER_ACCOUNT, REGION, resize=4)
    run = sync(aws_connector)
    assert run.status == RunStatus.SUCCEEDED
    changes = DeviceChange.objects.filter(run=run, field="instance_size")
    assert changes.count() == 4 and run.updated >= 4
    change = changes.first()
    assert change.old_value != change.new_value
    assert change.device.instance_size == change.new_value


def test_unchanged_resync_creates_nothing_and_updates_nothing(aws_sim, aws_connector):
    aws_sim.seed(
        CUSTOMER_ACCOUNT, REGION, workspaces=60, bundles=3, images=2, pools=1, sessions_per_pool=4
    )
    sync(aws_connector)
    run = sync(aws_connector)
    # Pool sessions count with the devices: 60 WorkSpaces and 4 sessions seen again.
    assert (run.created, run.updated, run.unchanged, run.removed) == (0, 0, 64, 0)
    assert Device.objects.count() == 60 and PoolSession.objects.count() == 4
    assert not DeviceChange.objects.exists()


def test_describe_workspaces_denied_fails_the_run_and_points_at_the_permissions_policy(
    aws_sim, aws_connector
):
    aws_sim.seed(CUSTOMER_ACCOUNT, REGION, workspaces=10)
    aws_sim.create_customer_role(
        CUSTOMER_ACCOUNT,
        ROLE_NAME,
        external_id=aws_connector.credential.external_id,
        actions=["workspaces:DescribeWorkspaceBundles"],
    )
    run = sync(aws_connector)
    assert run.status == RunStatus.FAILED and run.error_action == "DescribeWorkspaces"
    assert "AccessDenied" in run.error_code and "permissions policy" in run.error_message


def test_devices_on_aws_owned_bundles_show_the_bundle_name_and_own_bundles_the_image_name(
    aws_sim, aws_connector
):
    aws_sim.seed(CUSTOMER_ACCOUNT, REGION, workspaces=200, bundles=12, images=4)
    assert sync(aws_connector).status == RunStatus.SUCCEEDED
    fleet = aws_sim.fleet(CUSTOMER_ACCOUNT, REGION)
    owners = {d.bundle_id: fleet.bundles[d.bundle_id]["Owner"] for d in active(aws_connector)}
    assert "Amazon" in owners.values() and any(o != "Amazon" for o in owners.values())
    for device in active(aws_connector):
        bundle = fleet.bundles[device.bundle_id]
        assert device.running_image_id == device.image_id == bundle["ImageId"]
        if owners[device.bundle_id] == "Amazon":
            # Not visible to the account: the bundle's name says what it is, the id beside it.
            assert device.disk_image == f"{bundle['Name']} (AWS image)"
            assert device.image_owner_account_id == "AMAZON"
        else:
            assert device.disk_image == fleet.images[device.image_id]["Name"]


def test_records_are_stored_page_by_page_while_the_describe_chain_goes_on(
    aws_sim, aws_connector, monkeypatch
):
    from connectors import runs

    aws_sim.seed(CUSTOMER_ACCOUNT, REGION, workspaces=2000, bundles=6, images=3, pools=0)
    aws_sim.configure(latency_ms=10)
    real_upsert, pages_at_each_store = runs.devices_upsert, []

    def upsert(**kwargs):
        pages_at_each_store.append(aws_sim.stats()["calls"].get("DescribeWorkspaces", 0))
        return real_upsert(**kwargs)

    monkeypatch.setattr(runs, "devices_upsert", upsert)
    run = sync(aws_connector)
    assert run.status == RunStatus.SUCCEEDED and run.created == 2000
    assert len(pages_at_each_store) >= 4  # batches of 500, not one call with the fleet
    assert pages_at_each_store[0] < 80 / 2, "the first devices waited for the chain's end"
