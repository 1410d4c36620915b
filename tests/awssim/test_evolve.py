"""The demo's simulated days (``/_sim/evolve``): AUTO_STOP WorkSpaces start in
office hours and stop at night, pool load follows the day, running modes
switch now and then; every response stays valid against botocore's shapes."""

from __future__ import annotations

import json

from awssim.validation import shape_errors
from tests.awssim.test_response_shapes import MODEL, _calls, _raw

ACCOUNT, REGION = "123456789012", "eu-west-1"
MONDAY_3AM, MONDAY_11AM = 3, 11


def seed(sim):
    sim.seed(ACCOUNT, REGION, workspaces=300, bundles=6, images=3, pools=2, sessions_per_pool=20)
    return sim.fleet(ACCOUNT, REGION)


def evolve(kit, hour):
    status, counts = kit.control(
        "POST", "evolve", {"account_id": ACCOUNT, "region": REGION, "hour": hour}
    )
    assert status == 200, counts
    return counts


def states(fleet, mode="AUTO_STOP"):
    return [
        ws["State"]
        for ws in fleet.workspaces.values()
        if ws["WorkspaceProperties"]["RunningMode"] == mode
    ]


def test_a_simulated_working_day_starts_and_stops_auto_stop_workspaces(kit):
    fleet = seed(kit.sim)
    evolve(kit, MONDAY_3AM)
    night = states(fleet)
    day_counts = evolve(kit, MONDAY_11AM)
    day = states(fleet)
    assert night.count("AVAILABLE") < len(night) * 0.05  # all but the sick ones asleep
    assert 0.4 < day.count("AVAILABLE") / len(day) < 0.8  # a quarter never used, some rarely
    assert day_counts["started"] > 50
    assert set(states(fleet, "ALWAYS_ON")) <= {"AVAILABLE", "UNHEALTHY", "ERROR", "REBOOTING"}


def test_pool_load_follows_the_day_and_capacity_tells_it(kit):
    fleet = seed(kit.sim)
    evolve(kit, MONDAY_3AM)
    night = {p: pool["CapacityStatus"]["ActiveUserSessions"] for p, pool in fleet.pools.items()}
    evolve(kit, MONDAY_11AM)
    day = {p: pool["CapacityStatus"]["ActiveUserSessions"] for p, pool in fleet.pools.items()}
    for pool_id, pool in fleet.pools.items():
        assert 1 <= night[pool_id] < day[pool_id]
        assert len(fleet.sessions[pool_id]) == day[pool_id]
        assert pool["CapacityStatus"]["AvailableUserSessions"] >= 0


def test_running_modes_switch_over_simulated_weeks_and_the_day_is_repeatable(kit):
    fleet = seed(kit.sim)
    before = {w: ws["WorkspaceProperties"]["RunningMode"] for w, ws in fleet.workspaces.items()}
    switches = sum(evolve(kit, hour)["mode_switches"] for hour in range(0, 14 * 24, 24))
    after = {w: ws["WorkspaceProperties"]["RunningMode"] for w, ws in fleet.workspaces.items()}
    assert switches > 0 and before != after
    for ws in fleet.workspaces.values():
        props = ws["WorkspaceProperties"]
        assert ("RunningModeAutoStopTimeoutInMinutes" in props) == (
            props["RunningMode"] == "AUTO_STOP"
        )
    evolve(kit, MONDAY_11AM)
    first = {w: ws["State"] for w, ws in fleet.workspaces.items()}
    evolve(kit, MONDAY_3AM)
    evolve(kit, MONDAY_11AM)
    assert {w: ws["State"] for w, ws in fleet.workspaces.items()} == first


def test_responses_stay_valid_after_simulated_days(kit):
    seed(kit.sim)
    for hour in (MONDAY_3AM, MONDAY_11AM, 24 * 5 + 12):
        evolve(kit, hour)
    for operation, params in _calls(kit.sim):
        status, _, body = _raw(kit.sim, operation, params)
        assert status == 200, body
        shape = MODEL.operation_model(operation).output_shape
        assert shape_errors(shape, json.loads(body)) == [], operation


def test_evolving_a_fleet_never_seeded_is_a_404(kit):
    status, body = kit.control(
        "POST", "evolve", {"account_id": ACCOUNT, "region": "us-west-2", "hour": 1}
    )
    assert status == 404 and "no fleet seeded" in body["error"]
