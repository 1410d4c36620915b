"""DescribeWorkspaces: paging, filters, validation, records."""

from __future__ import annotations

import re

import pytest
from botocore.exceptions import ClientError


def test_1000_workspaces_arrive_in_exactly_40_calls_without_duplicates(sim, kit):
    sim.seed(kit.customer, kit.region, workspaces=1000, bundles=12, images=4)
    ws = kit.customer_client()
    sim.reset_stats()

    ids = [
        w["WorkspaceId"]
        for page in ws.get_paginator("describe_workspaces").paginate()
        for w in page["Workspaces"]
    ]

    assert len(ids) == 1000
    assert len(set(ids)) == 1000
    assert sim.stats()["calls"] == {"DescribeWorkspaces": 40}


def test_next_token_loop_by_hand_matches_the_seeded_fleet(sim, kit):
    sim.seed(kit.customer, kit.region, workspaces=60)
    ws = kit.customer_client()
    seen, token, calls = [], None, 0
    while True:
        resp = ws.describe_workspaces(Limit=7, **({"NextToken": token} if token else {}))
        calls += 1
        seen += [w["WorkspaceId"] for w in resp["Workspaces"]]
        token = resp.get("NextToken")
        if not token:
            break
    assert calls == 9  # 8 pages of 7 and one of 4
    assert sorted(seen) == sorted(sim.fleet(kit.customer, kit.region).workspaces)


def test_limit_26_is_a_validation_exception(sim, kit):
    sim.seed(kit.customer, kit.region, workspaces=5)
    with pytest.raises(ClientError) as exc:
        kit.customer_client().describe_workspaces(Limit=26)
    err = exc.value.response
    assert err["Error"]["Code"] == "ValidationException"
    assert err["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert err["ResponseMetadata"]["RequestId"]
    assert (
        "Value '26' at 'limit' failed to satisfy constraint: "
        "Member must have value less than or equal to 25" in err["Error"]["Message"]
    )


def test_limit_0_rejected_by_the_server_when_client_validation_is_off(sim, kit):
    ws = kit.client(parameter_validation=False)
    with pytest.raises(ClientError) as exc:
        ws.describe_workspaces(Limit=0)
    assert exc.value.response["Error"]["Code"] == "ValidationException"


def test_malformed_workspace_id_is_a_validation_exception(kit):
    with pytest.raises(ClientError) as exc:
        kit.client().describe_workspaces(WorkspaceIds=["not-a-workspace"])
    assert exc.value.response["Error"]["Code"] == "ValidationException"
    assert "'workspaceIds.1.member'" in exc.value.response["Error"]["Message"]


def test_foreign_next_token_is_invalid_parameter_values(sim, kit):
    sim.seed(kit.customer, kit.region, workspaces=30)
    ws = kit.customer_client()
    token = ws.describe_workspaces(Limit=5)["NextToken"]
    with pytest.raises(ClientError) as exc:
        ws.describe_workspace_bundles(NextToken=token)
    assert exc.value.response["Error"]["Code"] == "InvalidParameterValuesException"
    with pytest.raises(ClientError):
        ws.describe_workspaces(NextToken="garbage")


def test_user_name_without_directory_is_rejected(kit):
    with pytest.raises(ClientError) as exc:
        kit.client().describe_workspaces(UserName="anna.smith")
    assert exc.value.response["Error"]["Code"] == "InvalidParameterValuesException"


def test_filters_by_ids_bundle_and_directory_user(sim, kit):
    sim.seed(kit.customer, kit.region, workspaces=300, bundles=6)
    fleet = sim.fleet(kit.customer, kit.region)
    ws = kit.customer_client()
    some = sorted(fleet.workspaces)[:3]
    got = ws.describe_workspaces(WorkspaceIds=some + ["ws-doesnotexist"])["Workspaces"]
    assert [w["WorkspaceId"] for w in got] == some

    bundle_id = fleet.workspaces[some[0]]["BundleId"]
    by_bundle = [
        w
        for p in ws.get_paginator("describe_workspaces").paginate(BundleId=bundle_id)
        for w in p["Workspaces"]
    ]
    assert {w["BundleId"] for w in by_bundle} == {bundle_id}
    assert len(by_bundle) == sum(1 for w in fleet.workspaces.values() if w["BundleId"] == bundle_id)

    target = fleet.workspaces[some[1]]
    mine = ws.describe_workspaces(
        DirectoryId=target["DirectoryId"], UserName=target["UserName"].upper()
    )
    assert [w["WorkspaceId"] for w in mine["Workspaces"]] == [some[1]]


def test_records_carry_the_fields_the_collector_needs(sim, kit):
    sim.seed(kit.customer, kit.region, workspaces=400, bundles=10, images=3)
    items = [
        w
        for p in kit.customer_client().get_paginator("describe_workspaces").paginate()
        for w in p["Workspaces"]
    ]
    named = [w for w in items if "ComputerName" in w]
    for w in items:
        if "ComputerName" not in w:  # still being created, or its creation failed
            assert w["State"] in ("PENDING", "ERROR") and "IpAddress" not in w
            continue
        assert re.fullmatch(r"(WSAMZN-[A-Z0-9]{8}|A-[A-Z0-9]{13})", w["ComputerName"])
        assert re.fullmatch(r"10\.\d+\.\d+\.\d+", w["IpAddress"])
        assert w["SubnetId"].startswith("subnet-") and w["DirectoryId"].startswith("d-")
        props = w["WorkspaceProperties"]
        assert {
            "RunningMode",
            "RootVolumeSizeGib",
            "UserVolumeSizeGib",
            "ComputeTypeName",
            "Protocols",
        } <= set(props)
        assert isinstance(w["ModificationStates"], list)
    assert len({w["ComputerName"] for w in named}) == len(named) > 350
    assert len({w["IpAddress"] for w in named}) == len(named)
    states = {w["State"] for w in items}
    assert {"AVAILABLE", "STOPPED", "ERROR"} <= states
    assert len({w["WorkspaceProperties"]["ComputeTypeName"] for w in items}) >= 5
    assert {w["WorkspaceProperties"]["RunningMode"] for w in items} == {"AUTO_STOP", "ALWAYS_ON"}
    fleet = sim.fleet(kit.customer, kit.region)
    assert {w["BundleId"] for w in items} <= set(fleet.bundles)


def test_paging_survives_removals_and_additions_between_pages(sim, kit):
    sim.seed(kit.customer, kit.region, workspaces=200)
    ws = kit.customer_client()
    first = ws.describe_workspaces()
    changes = sim.mutate(kit.customer, kit.region, remove=40, add=10, rng_seed=1)
    seen = [w["WorkspaceId"] for w in first["Workspaces"]]
    for page in ws.get_paginator("describe_workspaces").paginate(
        PaginationConfig={"StartingToken": first["NextToken"]}
    ):
        seen += [w["WorkspaceId"] for w in page["Workspaces"]]
    assert len(seen) == len(set(seen))  # nothing repeated
    rest = seen[25:]
    assert not set(rest) & set(changes["removed"])  # removed ones are gone from later pages
    last_of_first_page = seen[24]
    still_there = set(sim.fleet(kit.customer, kit.region).workspaces)
    assert {w for w in still_there if w > last_of_first_page} == set(rest)  # nothing skipped


def test_unseeded_account_region_is_an_empty_fleet(kit):
    assert kit.client(region="ap-southeast-2").describe_workspaces()["Workspaces"] == []
