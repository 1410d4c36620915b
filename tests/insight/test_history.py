"""Fleet history: a snapshot per succeeded run, a transition only when a
WorkSpace's state changes, the connector's run streak."""

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from connectors.choices import RunStatus, RunTrigger
from connectors.models import Device, Run
from connectors.runs import run_execute
from insight.models import (
    ConnectorHealth,
    DeviceState,
    FleetSnapshot,
    SnapshotHour,
    StateTransition,
)
from insight.services import snapshot_hours_rebuild
from tests.conftest import CUSTOMER_ACCOUNT
from tests.connectors.factories import make_connector
from tests.devices.factories import make_devices
from tests.insight.helpers import finish_run
from tests.pools.factories import make_pool, make_session

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def test_a_real_run_against_the_simulator_leaves_a_snapshot_of_what_it_stored(
    aws_sim, aws_connector
):
    aws_sim.seed(
        CUSTOMER_ACCOUNT, "eu-west-1", workspaces=40, bundles=3, images=2, pools=1,
        sessions_per_pool=4,
    )  # fmt: skip
    run = run_execute(connector_id=aws_connector.pk, trigger=RunTrigger.COMMAND)
    assert run.status == RunStatus.SUCCEEDED, run.error_message

    snapshot = FleetSnapshot.objects.get(run=run)
    # ...and adds it to its hour's sums, which the Usage page reads.
    hour = SnapshotHour.objects.get(connector=aws_connector)
    assert (hour.snapshots, hour.last, hour.sessions) == (1, snapshot.pk, 4)
    assert hour.hour == snapshot.taken_at.replace(minute=0, second=0, microsecond=0)
    assert (hour.auto_stop_available, hour.auto_stop_stopped, hour.auto_stop_other) == (
        snapshot.auto_stop_available,
        snapshot.auto_stop_stopped,
        snapshot.auto_stop_other,
    )
    active = Device.objects.filter(connector=aws_connector, removed_at__isnull=True)
    assert snapshot.devices == active.count() == 40
    assert (snapshot.workspaces, snapshot.sessions) == (40, 4)
    assert sum(snapshot.counts["state"].values()) == 40
    for mode in ("AUTO_STOP", "ALWAYS_ON"):
        assert (
            snapshot.counts["running_mode"].get(mode, 0) == active.filter(running_mode=mode).count()
        )
    # Every dimension the issue names is counted as the run stored the devices.
    for dimension, attr in {
        "state": "state",
        "compute_type": "instance_size",
        "operating_system": "operating_system_name",
        "protocol": "protocols",
        "image": "disk_image",
        "bundle": "bundle_id",
    }.items():
        stored = Counter(active.values_list(attr, flat=True))
        assert snapshot.counts[dimension] == dict(stored), dimension
        assert all(stored), f"the simulator left {attr} empty"
    assert len(snapshot.counts["image"]) > 1 and len(snapshot.counts["bundle"]) > 1
    assert sum(snapshot.counts["pool_sessions"].values()) == 4
    [pool] = aws_sim.fleet(CUSTOMER_ACCOUNT, "eu-west-1").pools.values()
    capacity = pool["CapacityStatus"]
    assert snapshot.pools == {
        pool["PoolName"]: {
            "available": capacity["AvailableUserSessions"],
            "desired": capacity["DesiredUserSessions"],
            "actual": capacity["ActualUserSessions"],
            "active": capacity["ActiveUserSessions"],
            "sessions": 4,
            "state": "RUNNING",
        }
    }
    # Every WorkSpace is tracked from its first run on, without a transition row yet.
    assert DeviceState.objects.filter(device__connector=aws_connector).count() == 40
    assert not StateTransition.objects.exists()
    assert ConnectorHealth.objects.get(connector=aws_connector).last_success_at is not None


def test_a_transition_is_stored_only_when_a_workspace_changes_state():
    connector = make_connector()
    devices = make_devices(connector, 50, state="AVAILABLE")
    finish_run(connector, T0)
    for hour in range(1, 6):  # five runs that see nothing change
        finish_run(connector, T0 + timedelta(hours=hour))
    assert StateTransition.objects.count() == 0
    assert FleetSnapshot.objects.filter(connector=connector).count() == 6

    stopped = devices[3]
    finish_run(connector, T0 + timedelta(hours=7), states={stopped.pk: "STOPPED"})
    finish_run(connector, T0 + timedelta(hours=8))

    transition = StateTransition.objects.get()
    assert (transition.device_id, transition.from_state, transition.to_state) == (
        stopped.pk,
        "AVAILABLE",
        "STOPPED",
    )
    assert transition.at == T0 + timedelta(hours=7)
    state = DeviceState.objects.get(device=stopped)
    assert (state.state, state.since, state.since_first_seen) == ("STOPPED", transition.at, False)
    assert DeviceState.objects.get(device=devices[0]).since_first_seen


def test_the_snapshot_records_each_pools_capacity_and_current_sessions():
    connector = make_connector()
    make_devices(connector, 3)
    busy = make_pool(connector, 1, name="Pool A", active_user_sessions=2, actual_user_sessions=4)
    make_session(busy, 1)
    make_session(busy, 2)
    make_session(busy, 3, ended_at=T0)  # ended: history, not a current session
    make_pool(
        connector, 2, name="Pool B", state="STOPPED", active_user_sessions=0,
        errors=[{"code": "IAM_SERVICE_ROLE_MISSING_DESCRIBE_SUBNET_ACTION", "message": "..."}],
    )  # fmt: skip
    make_pool(connector, 3, name="Gone", removed_at=T0)
    finish_run(connector, T0)
    snapshot = FleetSnapshot.objects.get()
    assert snapshot.counts["pool_sessions"] == {"Pool A": 2, "Pool B": 0}
    assert (snapshot.devices, snapshot.workspaces, snapshot.sessions) == (3, 3, 2)
    assert snapshot.pools["Pool A"] == {
        "available": 2, "desired": 10, "actual": 4, "active": 2, "sessions": 2, "state": "RUNNING"
    }  # fmt: skip
    assert snapshot.pools["Pool B"]["state"] == "STOPPED" and "Gone" not in snapshot.pools
    # AWS reports a pool's trouble in its Errors, not in a state: their count is kept.
    assert snapshot.pools["Pool B"]["errors"] == 1
    assert DeviceState.objects.count() == 3  # sessions are never tracked one by one


def test_failed_and_partial_runs_count_in_a_row_and_a_success_resets_the_streak():
    connector = make_connector()
    make_devices(connector, 5)
    finish_run(connector, T0)
    finish_run(
        connector, T0 + timedelta(hours=1), status=RunStatus.FAILED, error_code="AccessDenied"
    )
    finish_run(
        connector, T0 + timedelta(hours=2), status=RunStatus.PARTIAL, error_code="Throttling"
    )
    health = ConnectorHealth.objects.get(connector=connector)
    assert health.consecutive_failures == 2
    assert health.last_success_at == T0
    assert health.failing_since == T0 + timedelta(hours=1)
    assert health.last_error.startswith("Throttling")
    # Failed runs leave no snapshot (what they saw is not the fleet).
    assert FleetSnapshot.objects.filter(connector=connector).count() == 1

    finish_run(connector, T0 + timedelta(hours=3))
    health.refresh_from_db()
    assert (health.consecutive_failures, health.failing_since) == (0, None)
    assert health.last_success_at == T0 + timedelta(hours=3)


def test_a_broken_history_write_never_breaks_the_run(monkeypatch, caplog):
    connector = make_connector()
    make_devices(connector, 2)

    def boom(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("insight.services.snapshot_record", boom)
    run = finish_run(connector, T0)
    run.refresh_from_db()
    assert run.status == RunStatus.SUCCEEDED
    assert "recording run" in caplog.text


def test_a_run_failed_by_the_reaper_counts_in_the_streak():
    connector = make_connector()
    make_devices(connector, 2)
    finish_run(connector, T0)
    # A worker died: runs_reap_stale marks its run failed, and no hook runs for it.
    lost = Run.objects.create(connector=connector, status=RunStatus.FAILED, error_code="WorkerLost")
    Run.objects.filter(pk=lost.pk).update(
        created_at=T0 + timedelta(hours=1), finished_at=T0 + timedelta(hours=1)
    )
    finish_run(connector, T0 + timedelta(hours=2), status=RunStatus.FAILED)
    health = ConnectorHealth.objects.get(connector=connector)
    assert health.consecutive_failures == 2
    assert health.failing_since == T0 + timedelta(hours=1)


def test_snapshots_of_one_hour_add_up_in_its_sums_and_a_rebuild_counts_the_same():
    connector = make_connector()
    devices = make_devices(connector, 4, state="STOPPED")
    for minutes, running in ((5, 1), (35, 3), (70, 2)):
        finish_run(
            connector,
            T0 + timedelta(minutes=minutes),
            states={d.pk: "AVAILABLE" if i < running else "STOPPED" for i, d in enumerate(devices)},
        )
    snaps = list(FleetSnapshot.objects.filter(connector=connector).order_by("taken_at"))
    fields = ("hour", "snapshots", "last", "auto_stop_available", "auto_stop_stopped")
    hours = list(SnapshotHour.objects.order_by("hour").values_list(*fields))
    assert hours == [
        (T0, 2, snaps[1].pk, 1 + 3, 3 + 1),
        (T0 + timedelta(hours=1), 1, snaps[2].pk, 2, 2),
    ]
    assert snapshot_hours_rebuild(connector_id=connector.pk) == 2
    assert list(SnapshotHour.objects.order_by("hour").values_list(*fields)) == hours
