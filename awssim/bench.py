"""Measure the simulator: ``python -m awssim.bench [--workspaces N]``.

Prints seeding time, the time to page every WorkSpace with boto3 (Limit 25,
assumed-role credentials) against an in-process server, and the server-side
cost of one DescribeWorkspaces call (WSGI app called directly, no HTTP).
Pass ``--endpoint-url`` to page a separately started simulator instead.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import time
from collections.abc import Sequence
from typing import Any

import boto3

from .server import DEFAULT_CUSTOMER_ACCOUNT, Simulator


def assume(endpoint_url: str, region: str, role_arn: str, external_id: str) -> dict[str, Any]:
    """Credentials of the customer's role, assumed with the app's plain keys."""
    session = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing")
    return session.client("sts", region_name=region, endpoint_url=endpoint_url).assume_role(
        RoleArn=role_arn, RoleSessionName="bench", ExternalId=external_id
    )["Credentials"]


def page_all(
    endpoint_url: str, region: str, role_arn: str, external_id: str
) -> tuple[float, int, int]:
    """(seconds, WorkSpaces, calls) to page the whole fleet with a fresh client."""
    creds = assume(endpoint_url, region, role_arn, external_id)
    ws = boto3.session.Session().client(
        "workspaces",
        region_name=region,
        endpoint_url=endpoint_url,
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
    )
    start = time.perf_counter()
    items = calls = 0
    for page in ws.get_paginator("describe_workspaces").paginate():
        items += len(page["Workspaces"])
        calls += 1
    return time.perf_counter() - start, items, calls


def server_side_ms(sim: Simulator, access_key: str, region: str, n: int = 2000) -> float:
    """Mean milliseconds for the WSGI app to answer DescribeWorkspaces (Limit 25)."""
    body = json.dumps({"Limit": 25}).encode()
    environ: dict[str, Any] = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/",
        "CONTENT_LENGTH": str(len(body)),
        "HTTP_X_AMZ_TARGET": "WorkspacesService.DescribeWorkspaces",
        "HTTP_AUTHORIZATION": (
            f"AWS4-HMAC-SHA256 Credential={access_key}/20250101/{region}/workspaces/aws4_request"
        ),
    }
    start = time.perf_counter()
    for _ in range(n):
        sim.app({**environ, "wsgi.input": io.BytesIO(body)}, lambda status, headers: None)
    return (time.perf_counter() - start) / n * 1000


def main(argv: Sequence[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m awssim.bench")
    p.add_argument("--workspaces", type=int, default=10_000)
    p.add_argument("--latency-ms", type=float, default=0.0)
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument(
        "--endpoint-url", default=None, help="page this running simulator (seeded by its CLI)"
    )
    p.add_argument(
        "--role-arn", default=f"arn:aws:iam::{DEFAULT_CUSTOMER_ACCOUNT}:role/NexthinkConnector-Demo"
    )
    p.add_argument("--external-id", default="bench-external-id")
    p.add_argument("--region", default="eu-west-1")
    args = p.parse_args(argv)
    for name in ("AWS_PROFILE", "AWS_CONFIG_FILE"):
        os.environ.pop(name, None)
    if args.endpoint_url:
        endpoint, role_arn = args.endpoint_url, args.role_arn
        sim = None
    else:
        sim = Simulator.start(latency_ms=args.latency_ms)
        start = time.perf_counter()
        sim.seed(
            DEFAULT_CUSTOMER_ACCOUNT, args.region, workspaces=args.workspaces, bundles=40, images=10
        )
        print(f"seed {args.workspaces} WorkSpaces: {time.perf_counter() - start:.3f} s")
        role_arn = sim.create_customer_role(external_id=args.external_id)
        endpoint = sim.endpoint_url
        key = assume(endpoint, args.region, role_arn, args.external_id)["AccessKeyId"]
        print(
            f"server-side DescribeWorkspaces: {server_side_ms(sim, key, args.region):.3f} ms/call"
        )
    runs = [page_all(endpoint, args.region, role_arn, args.external_id) for _ in range(args.repeat)]
    times = [r[0] for r in runs]
    median = statistics.median(times)
    print(
        f"page {runs[0][1]} WorkSpaces in {runs[0][2]} calls: median {median:.3f} s, "
        f"min {min(times):.3f} s, max {max(times):.3f} s ({args.repeat} runs, "
        f"{median / runs[0][2] * 1000:.2f} ms/call)"
    )
    if sim is not None:
        sim.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
