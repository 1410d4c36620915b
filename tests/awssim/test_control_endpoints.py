"""The /_sim/ control endpoints over HTTP."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError


def test_health_and_unknown_paths(kit):
    assert kit.control("GET", "health") == (200, {"ok": True, "endpoint_url": kit.sim.endpoint_url})
    assert kit.control("GET", "nope")[0] == 404
    assert kit.control("GET", "seed")[0] == 405


def test_seed_then_fleets_over_http(kit):
    status, summary = kit.control(
        "POST",
        "seed",
        {
            "account_id": kit.customer,
            "region": kit.region,
            "workspaces": 120,
            "bundles": 6,
            "images": 2,
            "pools": 2,
            "sessions_per_pool": 5,
            "rng_seed": 3,
        },
    )
    assert status == 200
    assert summary == {
        "account_id": kit.customer,
        "region": kit.region,
        "workspaces": 120,
        "bundles": 6,
        "own_bundles": 4,
        "amazon_bundles": 2,
        "images": 2,
        "pools": 2,
        "sessions": 10,
    }
    assert kit.control("GET", "fleets") == (200, {"fleets": [summary]})
    assert len(kit.customer_client().describe_workspaces()["Workspaces"]) == 25


def test_stats_and_reset_stats_over_http(kit):
    ws = kit.client()
    ws.describe_workspaces()
    ws.describe_workspace_bundles()
    status, stats = kit.control("GET", "stats")
    assert status == 200
    assert stats["calls"] == {"DescribeWorkspaces": 1, "DescribeWorkspaceBundles": 1}
    assert stats["throttled"] == {} and stats["throttled_total"] == 0
    assert kit.control("POST", "reset-stats") == (200, {"ok": True})
    assert kit.control("GET", "stats")[1]["calls"] == {}


def test_config_over_http_sets_latency_throttling_and_errors(kit):
    status, config = kit.control(
        "POST",
        "config",
        {
            "latency_ms": 5,
            "throttle_fraction": 0.25,
            "throttle_seed": 9,
            "errors": {"DescribeWorkspaceBundles": {"code": "ServiceUnavailable", "count": 1}},
        },
    )
    assert status == 200
    assert (
        config["latency_ms"] == 5
        and config["throttle_fraction"] == 0.25
        and config["throttle_seed"] == 9
    )
    assert config["errors"]["DescribeWorkspaceBundles"] == {
        "code": "ServiceUnavailable",
        "status": 503,
        "message": "Service unavailable, please try again later.",
        "count": 1,
    }
    assert kit.control("GET", "config")[1] == config
    ws = kit.client(retries={"mode": "standard", "max_attempts": 0})
    with pytest.raises(ClientError) as exc:
        ws.describe_workspace_bundles()
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 503
    status, config = kit.control(
        "POST", "config", {"throttle_fraction": 0, "errors": {"DescribeWorkspaceBundles": None}}
    )
    assert config["errors"] == {} and config["latency_ms"] == 5


def test_bad_control_input_is_a_400_with_a_message(kit):
    assert kit.control("POST", "config", {"throttle_fraction": 3})[0] == 400
    status, body = kit.control("POST", "seed", {"workspaces": 1, "no_such_option": 1})
    assert status == 400 and "no_such_option" in body["error"]
    assert (
        kit.control(
            "POST", "mutate", {"account_id": "999999999999", "region": "eu-west-1", "add": 1}
        )[0]
        == 400
    )


def test_mutate_over_http_shows_drift_to_the_client(kit):
    kit.control(
        "POST",
        "seed",
        {
            "account_id": kit.customer,
            "region": kit.region,
            "workspaces": 100,
            "bundles": 6,
            "images": 3,
        },
    )
    fleet = kit.sim.fleet(kit.customer, kit.region)
    before = {
        w: (r["BundleId"], r["WorkspaceProperties"]["ComputeTypeName"])
        for w, r in fleet.workspaces.items()
    }
    status, out = kit.control(
        "POST",
        "mutate",
        {
            "account_id": kit.customer,
            "region": kit.region,
            "resize": 5,
            "rebundle": 4,
            "reimage": 2,
            "remove": 3,
            "add": 7,
            "rng_seed": 1,
        },
    )
    assert status == 200
    assert out["counts"] == {
        "resized": 5,
        "rebundled": 4,
        "reimaged_bundles": 2,
        "removed": 3,
        "added": 7,
        "sessions_ended": 0,
        "sessions_started": 0,
    }
    items = {
        w["WorkspaceId"]: w
        for p in kit.customer_client().get_paginator("describe_workspaces").paginate()
        for w in p["Workspaces"]
    }
    assert len(items) == 104
    assert not set(out["removed"]) & set(items) and set(out["added"]) <= set(items)
    changed = [
        w
        for w in out["resized"] + out["rebundled"]
        if w in items
        and (items[w]["BundleId"], items[w]["WorkspaceProperties"]["ComputeTypeName"]) != before[w]
    ]
    assert changed
    new_images = {fleet.bundles[b]["ImageId"] for b in out["reimaged_bundles"]}
    got = kit.customer_client().describe_workspace_images(ImageIds=sorted(new_images))["Images"]
    assert {i["ImageId"] for i in got} == new_images


def test_roles_endpoint_creates_an_assumable_role(kit):
    status, body = kit.control(
        "POST",
        "roles",
        {
            "account_id": kit.customer,
            "role_name": "NexthinkConnector-Http",
            "external_id": kit.external_id,
        },
    )
    assert (
        status == 200
        and body["role_arn"] == f"arn:aws:iam::{kit.customer}:role/NexthinkConnector-Http"
    )
    assert kit.assume(body["role_arn"])["AccessKeyId"]


def test_reset_clears_fleets_counters_and_faults(kit):
    kit.control(
        "POST", "seed", {"account_id": kit.customer, "region": kit.region, "workspaces": 10}
    )
    kit.control("POST", "config", {"latency_ms": 1})
    kit.client().describe_workspaces()
    assert kit.control("POST", "reset", {}) == (200, {"ok": True})
    assert kit.control("GET", "fleets")[1] == {"fleets": []}
    assert kit.control("GET", "stats")[1]["calls"] == {}
    assert kit.control("GET", "config")[1]["latency_ms"] == 0
