"""Latency, throttling, injected errors and call counters."""

from __future__ import annotations

import time

import pytest
from botocore.exceptions import ClientError

STANDARD_10 = {"retries": {"mode": "standard", "max_attempts": 10}}


def _all_workspace_ids(ws):
    return [
        w["WorkspaceId"]
        for p in ws.get_paginator("describe_workspaces").paginate()
        for w in p["Workspaces"]
    ]


def test_throttling_30_percent_with_standard_retries_still_returns_every_workspace_once(
    sim, kit, no_backoff
):
    sim.seed(kit.customer, kit.region, workspaces=1000)
    ws = kit.customer_client(**STANDARD_10)
    sim.configure(throttle_fraction=0.3, throttle_seed=7)
    sim.reset_stats()

    ids = _all_workspace_ids(ws)

    assert len(ids) == len(set(ids)) == 1000
    stats = sim.stats()
    assert stats["throttled_total"] > 0
    assert stats["throttled"]["DescribeWorkspaces"] == stats["throttled_total"]
    assert stats["calls"]["DescribeWorkspaces"] - stats["throttled"]["DescribeWorkspaces"] == 40


def test_throttling_is_a_real_throttling_exception(sim, kit, no_backoff):
    sim.configure(throttle_fraction=1.0)
    ws = kit.client(retries={"mode": "standard", "max_attempts": 2})
    with pytest.raises(ClientError) as exc:
        ws.describe_workspaces()
    resp = exc.value.response
    assert resp["Error"] == {"Code": "ThrottlingException", "Message": "Rate exceeded"}
    assert (
        resp["ResponseMetadata"]["HTTPStatusCode"] == 400 and resp["ResponseMetadata"]["RequestId"]
    )
    assert resp["ResponseMetadata"]["RetryAttempts"] == 2  # botocore retried it as a throttle
    assert sim.stats()["throttled"] == {"DescribeWorkspaces": 3}


def test_throttling_is_deterministic_for_a_seed(sim, kit):
    ws = kit.client(retries={"mode": "standard", "max_attempts": 0})

    def pattern():
        sim.configure(throttle_fraction=0.5, throttle_seed=42)
        out = []
        for _ in range(20):
            try:
                ws.describe_workspace_images()
                out.append(0)
            except ClientError:
                out.append(1)
        return out

    first = pattern()
    assert 0 < sum(first) < 20 and pattern() == first


def test_throttle_can_target_one_action(sim, kit):
    sim.configure(throttle_fraction=1.0, throttle_actions=["DescribeWorkspaces"])
    ws = kit.client(retries={"mode": "standard", "max_attempts": 0})
    ws.describe_workspace_bundles()
    with pytest.raises(ClientError):
        ws.describe_workspaces()


def test_injected_500_on_bundles_surfaces_as_client_error_after_retries(sim, kit, no_backoff):
    ws = kit.customer_client(retries={"mode": "standard", "max_attempts": 3})
    sim.inject_error("DescribeWorkspaceBundles", "InternalServerError", status=500)
    sim.reset_stats()
    with pytest.raises(ClientError) as exc:
        ws.describe_workspace_bundles()
    resp = exc.value.response
    assert resp["Error"]["Code"] == "InternalServerError"
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == 500
    assert resp["ResponseMetadata"]["MaxAttemptsReached"] is True
    # botocore: retries.max_attempts=3 means 3 retries, i.e. 4 attempts in total
    assert resp["ResponseMetadata"]["RetryAttempts"] == 3
    assert sim.stats()["calls"] == {"DescribeWorkspaceBundles": 4}
    assert sim.stats()["injected_errors"] == {"DescribeWorkspaceBundles": 4}
    ws.describe_workspaces()  # other actions unaffected


def test_injected_503_for_n_calls_then_recovers(sim, kit, no_backoff):
    ws = kit.client(retries={"mode": "standard", "max_attempts": 5})
    sim.inject_error("DescribeWorkspaces", "ServiceUnavailable", count=2)
    resp = ws.describe_workspaces()
    assert resp["ResponseMetadata"]["RetryAttempts"] == 2
    assert sim.stats()["calls"]["DescribeWorkspaces"] == 3


def test_injected_access_denied_is_not_retried(sim, kit):
    ws = kit.client(retries={"mode": "standard", "max_attempts": 5})
    sim.inject_error("DescribeWorkspaceImages", "AccessDeniedException")
    with pytest.raises(ClientError) as exc:
        ws.describe_workspace_images()
    assert exc.value.response["Error"]["Code"] == "AccessDeniedException"
    assert sim.stats()["calls"]["DescribeWorkspaceImages"] == 1
    sim.clear_errors()
    ws.describe_workspace_images()


def test_injected_error_on_assume_role_uses_the_sts_error_format(sim, kit):
    sim.inject_error("AssumeRole", "AccessDenied", message="Explicit deny", count=1)
    with pytest.raises(ClientError) as exc:
        kit.assume(kit.role())
    assert exc.value.response["Error"]["Code"] == "AccessDenied"
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    kit.assume(kit.role())  # count=1: the next call works


def test_latency_setting_slows_every_call_including_sts(sim, kit):
    # Only lower bounds, which the sleeps guarantee on any machine: how much faster
    # the calls are without latency depends on the machine's load (it failed a loaded run).
    ws = kit.client()
    ws.describe_workspaces()  # warm the connection
    sim.configure(latency_ms=60)
    start = time.perf_counter()
    for _ in range(5):
        ws.describe_workspaces()
    assert time.perf_counter() - start >= 5 * 0.06
    start = time.perf_counter()
    kit.assume(kit.role())
    assert time.perf_counter() - start >= 0.06


def test_counters_are_per_action_and_reset(sim, kit):
    ws = kit.client()
    ws.describe_workspaces()
    ws.describe_workspaces()
    ws.describe_workspace_images()
    assert sim.stats()["calls"] == {"DescribeWorkspaces": 2, "DescribeWorkspaceImages": 1}
    assert sim.stats()["calls_total"] == 3
    sim.reset_stats()
    assert sim.stats()["calls"] == {} and sim.stats()["calls_total"] == 0


def test_bad_fault_settings_are_refused(sim):
    with pytest.raises(ValueError):
        sim.configure(throttle_fraction=1.5)
    with pytest.raises(ValueError):
        sim.configure(latency_ms=-1)
