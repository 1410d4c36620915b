"""The two IAM documents an administrator pastes into AWS.

Both are built as Python data and serialised with json.dumps, so they are
always valid JSON that IAM accepts.
"""

import json

# Exactly the actions of the vendor's reference policy, in its order.
WORKSPACES_ACTIONS = (
    "workspaces:DescribeWorkspaceImages",
    "workspaces:DescribeWorkspacesPoolSessions",
    "workspaces:DescribeWorkspacesPools",
    "workspaces:DescribeWorkspaceBundles",
    "workspaces:DescribeWorkspaces",
)


def permissions_policy() -> dict:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "DescribeWorkspacesInfo",
                "Effect": "Allow",
                "Action": list(WORKSPACES_ACTIONS),
                "Resource": "*",
            }
        ],
    }


def trust_policy(*, external_id: str, trusted_account_id: str) -> dict:
    return {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{trusted_account_id}:root"},
                "Action": "sts:AssumeRole",
                "Condition": {"StringEquals": {"sts:ExternalId": external_id}},
            }
        ],
    }


def as_json(document: dict) -> str:
    return json.dumps(document, indent=4)
