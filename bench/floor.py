"""The API floor: the minimum calls, bare boto3, no processing or storage.

    python -m bench.floor ENDPOINT REGION ROLE_ARN EXTERNAL_ID [--chain-only]

AssumeRole, then DescribeWorkspaces paged by 25, DescribeWorkspaceBundles by
the distinct BundleIds seen (25 a call), DescribeWorkspaceImages of the
account (MaxResults 25), DescribeWorkspacesPools (Limit 25) and
DescribeWorkspacesPoolSessions per pool (Limit 50), one after the other.
Prints the calls made as JSON. Only the ids needed to make the next calls
are kept. --chain-only stops after the DescribeWorkspaces chain (AssumeRole
and its pages): the physical limit of a sync, since each page needs the
previous page's NextToken and everything else can hide behind the chain.
"""

from __future__ import annotations

import json
import sys
from collections import Counter

import boto3

ACTIONS = {
    "describe_workspaces": "DescribeWorkspaces",
    "describe_workspace_bundles": "DescribeWorkspaceBundles",
    "describe_workspace_images": "DescribeWorkspaceImages",
    "describe_workspaces_pools": "DescribeWorkspacesPools",
    "describe_workspaces_pool_sessions": "DescribeWorkspacesPoolSessions",
}


def main(endpoint: str, region: str, role_arn: str, external_id: str, *flags: str) -> int:
    calls: Counter = Counter()
    sts = boto3.client("sts", region_name=region, endpoint_url=endpoint)
    creds = sts.assume_role(RoleArn=role_arn, RoleSessionName="floor", ExternalId=external_id)[
        "Credentials"
    ]
    calls["AssumeRole"] += 1
    ws = boto3.client(
        "workspaces",
        region_name=region,
        endpoint_url=endpoint,
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
    )

    def paged(method, key: str, **kwargs):
        token = None
        while True:
            response = getattr(ws, method)(**kwargs, **({"NextToken": token} if token else {}))
            calls[ACTIONS[method]] += 1
            yield from response.get(key, [])
            token = response.get("NextToken")
            if not token:
                return

    bundle_ids = {w["BundleId"] for w in paged("describe_workspaces", "Workspaces", Limit=25)}
    if "--chain-only" in flags:
        print(json.dumps({"calls": dict(calls)}))
        return 0
    pools = list(paged("describe_workspaces_pools", "WorkspacesPools", Limit=25))
    bundle_ids.update(p["BundleId"] for p in pools)
    ids = sorted(bundle_ids)
    for i in range(0, len(ids), 25):
        for _ in paged("describe_workspace_bundles", "Bundles", BundleIds=ids[i : i + 25]):
            pass
    for _ in paged("describe_workspace_images", "Images", MaxResults=25):
        pass
    sessions = 0
    for pool in pools:
        for _ in paged(
            "describe_workspaces_pool_sessions", "Sessions", PoolId=pool["PoolId"], Limit=50
        ):
            sessions += 1
    print(json.dumps({"calls": dict(calls), "sessions": sessions}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(*sys.argv[1:]))
