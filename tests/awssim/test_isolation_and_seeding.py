"""Separate data per (account, region) and per simulator; deterministic seeding."""

from __future__ import annotations

import boto3

from awssim import Simulator
from awssim.seeding import build_fleet
from awssim.store import Fleet


def _ids(ws):
    return {
        w["WorkspaceId"]
        for p in ws.get_paginator("describe_workspaces").paginate()
        for w in p["Workspaces"]
    }


def test_two_regions_hold_separate_data_sets(sim, kit):
    sim.seed(kit.customer, "eu-west-1", workspaces=40, rng_seed=1)
    sim.seed(kit.customer, "us-east-1", workspaces=15, rng_seed=1)
    arn = kit.role()
    eu = kit.client(region="eu-west-1", creds=kit.assume(arn, region="eu-west-1"))
    us = kit.client(region="us-east-1", creds=kit.assume(arn, region="us-east-1"))
    eu_ids, us_ids = _ids(eu), _ids(us)
    assert len(eu_ids) == 40 and len(us_ids) == 15 and not eu_ids & us_ids
    eu_bundles = {b["BundleId"] for b in eu.describe_workspace_bundles()["Bundles"]}
    us_bundles = {b["BundleId"] for b in us.describe_workspace_bundles()["Bundles"]}
    assert not eu_bundles & us_bundles


def test_two_simulators_do_not_share_fleets_counters_or_faults(kit):
    with Simulator.start() as a, Simulator.start() as b:
        assert a.endpoint_url != b.endpoint_url
        a.seed("123456789012", kit.region, workspaces=30)  # plain keys: moto default account
        b.seed("123456789012", kit.region, workspaces=5)
        a.configure(latency_ms=1)
        wa = boto3.client("workspaces", region_name=kit.region, endpoint_url=a.endpoint_url)
        wb = boto3.client("workspaces", region_name=kit.region, endpoint_url=b.endpoint_url)
        assert len(_ids(wa)) == 30 and len(_ids(wb)) == 5
        assert a.stats()["calls"] == {"DescribeWorkspaces": 2}
        assert b.stats()["calls"] == {"DescribeWorkspaces": 1}
        assert b.faults.config()["latency_ms"] == 0


def test_seeding_is_deterministic_for_a_seed():
    one = build_fleet(
        "111122223333",
        "eu-west-1",
        workspaces=300,
        bundles=9,
        images=3,
        pools=2,
        sessions_per_pool=4,
        rng_seed=5,
    )
    two = build_fleet(
        "111122223333",
        "eu-west-1",
        workspaces=300,
        bundles=9,
        images=3,
        pools=2,
        sessions_per_pool=4,
        rng_seed=5,
    )
    other = build_fleet(
        "111122223333", "eu-west-1", workspaces=300, bundles=9, images=3, rng_seed=6
    )
    assert one.workspaces == two.workspaces and one.bundles == two.bundles
    assert one.images == two.images and one.sessions == two.sessions
    assert set(one.workspaces) != set(other.workspaces)


def test_50000_workspaces_seed_with_unique_names_and_addresses(sim):
    # How long seeding takes is measured by python -m awssim.bench, not asserted here.
    summary = sim.seed(
        "111122223333",
        "eu-west-1",
        workspaces=50_000,
        bundles=40,
        images=10,
        pools=5,
        sessions_per_pool=50,
    )
    assert summary["workspaces"] == 50_000 and summary["sessions"] == 250
    fleet = sim.fleet("111122223333", "eu-west-1")
    # PENDING WorkSpaces and failed creates have neither yet; every other one has its own.
    named = [w for w in fleet.workspaces.values() if "ComputerName" in w]
    assert 49_000 < len(named) < 50_000
    assert len({w["ComputerName"] for w in named}) == len(named)
    assert len({w["IpAddress"] for w in named}) == len(named)


def test_paging_a_50000_fleet_sorts_it_once_not_once_a_page(sim, kit, monkeypatch):
    """A page is a bisect and a slice of an index built once per fleet version, so
    its cost does not grow with the fleet (the timings are awssim.bench's)."""
    sim.seed(kit.customer, kit.region, workspaces=50_000, bundles=40, rng_seed=2)
    built: list[tuple] = []
    build = Fleet._build_index

    def counting_build(fleet, key):
        built.append(key)
        return build(fleet, key)

    monkeypatch.setattr(Fleet, "_build_index", counting_build)
    ws, token, seen = kit.customer_client(kit.region), None, []
    for _ in range(40):
        resp = ws.describe_workspaces(**({"NextToken": token} if token else {}))
        seen += [w["WorkspaceId"] for w in resp["Workspaces"]]
        token = resp["NextToken"]
    assert len(seen) == len(set(seen)) == 40 * 25
    assert seen == sorted(sim.fleet(kit.customer, kit.region).workspaces)[: 40 * 25]
    assert built == [("ws",)]
    sim.mutate(kit.customer, kit.region, add=1)  # a change: the next page rebuilds it once
    ws.describe_workspaces(NextToken=token)
    ws.describe_workspaces()
    assert built == [("ws",), ("ws",)]
