"""Separate data per (account, region) and per simulator; deterministic, fast seeding."""

from __future__ import annotations

import time

import boto3

from awssim import Simulator
from awssim.seeding import build_fleet


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


def test_50000_workspaces_seed_in_a_few_seconds(sim):
    start = time.perf_counter()
    summary = sim.seed(
        "111122223333",
        "eu-west-1",
        workspaces=50_000,
        bundles=40,
        images=10,
        pools=5,
        sessions_per_pool=50,
    )
    elapsed = time.perf_counter() - start
    assert summary["workspaces"] == 50_000 and summary["sessions"] == 250
    assert elapsed < 5.0
    fleet = sim.fleet("111122223333", "eu-west-1")
    assert len({w["ComputerName"] for w in fleet.workspaces.values()}) == 50_000
    assert len({w["IpAddress"] for w in fleet.workspaces.values()}) == 50_000


def test_a_page_of_a_50000_fleet_costs_no_more_than_a_page_of_a_small_one(sim, kit):
    sim.seed(kit.customer, kit.region, workspaces=50_000, bundles=40, rng_seed=2)
    sim.seed(kit.customer, "us-east-1", workspaces=50, bundles=40, rng_seed=2)
    big, small = kit.client(region=kit.region), kit.client(region="us-east-1")
    big.describe_workspaces()  # first call builds the sorted index once

    def per_call(ws, n=40):
        token, start = None, time.perf_counter()
        for _ in range(n):
            resp = ws.describe_workspaces(**({"NextToken": token} if token else {}))
            token = resp.get("NextToken")
            if not token:
                token = None
        return (time.perf_counter() - start) / n

    per_call(small)
    assert per_call(big) < per_call(small) * 2 + 0.002
