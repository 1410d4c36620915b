"""DescribeWorkspacesPools and DescribeWorkspacesPoolSessions (no botocore paginators)."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError


def _all(call, key, **params):
    items, token, calls = [], None, 0
    while True:
        resp = call(**params, **({"NextToken": token} if token else {}))
        calls += 1
        items += resp[key]
        token = resp.get("NextToken")
        if not token:
            return items, calls


def test_pools_page_by_25(sim, kit):
    sim.seed(kit.customer, kit.region, workspaces=0, bundles=3, pools=30, sessions_per_pool=1)
    pools, calls = _all(kit.customer_client().describe_workspaces_pools, "WorkspacesPools")
    assert calls == 2
    assert len({p["PoolId"] for p in pools}) == 30


def test_sessions_page_by_50_with_unique_instance_ids(sim, kit):
    sim.seed(kit.customer, kit.region, workspaces=10, bundles=3, pools=2, sessions_per_pool=120)
    ws = kit.customer_client()
    pools, _ = _all(ws.describe_workspaces_pools, "WorkspacesPools")
    sim.reset_stats()
    instance_ids = []
    for pool in pools:
        sessions, calls = _all(
            ws.describe_workspaces_pool_sessions, "Sessions", PoolId=pool["PoolId"]
        )
        assert calls == 3  # 50 + 50 + 20
        assert len(sessions) == 120 == pool["CapacityStatus"]["ActiveUserSessions"]
        assert {s["PoolId"] for s in sessions} == {pool["PoolId"]}
        instance_ids += [s["InstanceId"] for s in sessions]
        s = sessions[0]
        assert s["AuthenticationType"] == "SAML" and s["ConnectionState"] in (
            "CONNECTED",
            "NOT_CONNECTED",
        )
        assert s["NetworkAccessConfiguration"]["EniId"].startswith("eni-")
        assert s["StartTime"] < s["ExpirationTime"] and s["UserId"]
    assert len(set(instance_ids)) == 240 and all(i.startswith("i-0") for i in instance_ids)
    assert sim.stats()["calls"] == {"DescribeWorkspacesPoolSessions": 6}


def test_pool_records_have_every_required_member(sim, kit):
    sim.seed(kit.customer, kit.region, workspaces=0, bundles=4, pools=3, sessions_per_pool=20)
    fleet = sim.fleet(kit.customer, kit.region)
    for pool in kit.customer_client().describe_workspaces_pools()["WorkspacesPools"]:
        assert pool["BundleId"] in fleet.bundles
        assert pool["DirectoryId"].startswith("wsd-") and pool["PoolArn"].endswith(pool["PoolId"])
        cap = pool["CapacityStatus"]
        assert cap["ActiveUserSessions"] == 20
        assert cap["AvailableUserSessions"] == cap["ActualUserSessions"] - cap["ActiveUserSessions"]
        assert pool["State"] == "RUNNING" and pool["RunningMode"] in ("ALWAYS_ON", "AUTO_STOP")


def test_pool_filters_and_ids(sim, kit):
    sim.seed(kit.customer, kit.region, workspaces=0, bundles=3, pools=12, sessions_per_pool=0)
    ws = kit.customer_client()
    eq = ws.describe_workspaces_pools(
        Filters=[{"Name": "PoolName", "Values": ["Finance-Pool-1"], "Operator": "EQUALS"}]
    )["WorkspacesPools"]
    assert [p["PoolName"] for p in eq] == ["Finance-Pool-1"]
    contains = ws.describe_workspaces_pools(
        Filters=[{"Name": "PoolName", "Values": ["Finance"], "Operator": "CONTAINS"}]
    )["WorkspacesPools"]
    assert sorted(p["PoolName"] for p in contains) == ["Finance-Pool-1", "Finance-Pool-11"]
    ids = sorted(sim.fleet(kit.customer, kit.region).pools)[:2]
    assert (
        sorted(p["PoolId"] for p in ws.describe_workspaces_pools(PoolIds=ids)["WorkspacesPools"])
        == ids
    )


def test_sessions_user_filter_unknown_pool_and_limits(sim, kit):
    sim.seed(kit.customer, kit.region, workspaces=0, bundles=3, pools=1, sessions_per_pool=10)
    fleet = sim.fleet(kit.customer, kit.region)
    pool_id = next(iter(fleet.pools))
    user = next(iter(fleet.sessions[pool_id].values()))["UserId"]
    ws = kit.customer_client()
    mine = ws.describe_workspaces_pool_sessions(PoolId=pool_id, UserId=user)["Sessions"]
    assert mine and {s["UserId"] for s in mine} == {user}
    with pytest.raises(ClientError) as exc:
        ws.describe_workspaces_pool_sessions(PoolId="wspool-zzzzzzzzz")
    assert exc.value.response["Error"]["Code"] == "ResourceNotFoundException"
    for bad in ({"PoolId": pool_id, "Limit": 51}, {"PoolId": "pool-1"}):
        with pytest.raises(ClientError) as exc:
            ws.describe_workspaces_pool_sessions(**bad)
        assert exc.value.response["Error"]["Code"] == "ValidationException"
    with pytest.raises(ClientError) as exc:
        ws.describe_workspaces_pools(Limit=26)
    assert exc.value.response["Error"]["Code"] == "ValidationException"


@pytest.mark.parametrize("bundles", [1, 3, 12])
def test_pools_run_only_on_windows_server_bundles_with_capacity_status(sim, kit, bundles):
    """WorkSpaces Pools run Windows Server bundles only: when the fleet has
    none, the simulator adds an AWS-owned one for the pools."""
    sim.seed(kit.customer, kit.region, workspaces=5, bundles=bundles, pools=4, sessions_per_pool=3)
    fleet = sim.fleet(kit.customer, kit.region)
    response = kit.customer_client().describe_workspace_bundles(
        BundleIds=sorted({p["BundleId"] for p in fleet.pools.values()})
    )
    assert response["Bundles"]
    for bundle in response["Bundles"]:
        assert fleet.bundles[bundle["BundleId"]]["_os_name"].startswith("WINDOWS_SERVER")
    for pool in kit.customer_client().describe_workspaces_pools()["WorkspacesPools"]:
        capacity = pool["CapacityStatus"]
        assert set(capacity) == {
            "AvailableUserSessions",
            "DesiredUserSessions",
            "ActualUserSessions",
            "ActiveUserSessions",
        }
        assert capacity["ActiveUserSessions"] == 3
