"""AssumeRole enforcement (trust principal, ExternalId, input constraints) and role permissions."""

from __future__ import annotations

import json
import re

import pytest
from botocore.exceptions import ClientError

from awssim import FIVE_ACTIONS

FIVE_CALLS = {
    "describe_workspaces": {},
    "describe_workspace_bundles": {},
    "describe_workspace_images": {},
    "describe_workspaces_pools": {},
    "describe_workspaces_pool_sessions": {"PoolId": "wspool-aaaaaaaaa"},
}


def _denied(exc: pytest.ExceptionInfo[ClientError]) -> dict:
    resp = exc.value.response
    assert resp["Error"]["Code"] == "AccessDenied"
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == 403
    assert resp["ResponseMetadata"]["RequestId"]
    return resp


def test_create_customer_role_writes_trust_and_permission_policies_to_iam(kit):
    from moto.iam.models import (
        iam_backends,
    )  # the role lives in moto's IAM, in the customer's account

    arn = kit.role()
    assert arn == f"arn:aws:iam::{kit.customer}:role/NexthinkConnector-Test"
    role = iam_backends[kit.customer]["aws"].get_role("NexthinkConnector-Test")
    trust = json.loads(role.assume_role_policy_document)["Statement"][0]
    assert trust["Principal"] == {"AWS": "arn:aws:iam::123456789012:root"}
    assert trust["Action"] == "sts:AssumeRole"
    assert trust["Condition"] == {"StringEquals": {"sts:ExternalId": kit.external_id}}
    (policy,) = [json.loads(doc) for doc in role.policies.values()]
    assert policy["Statement"] == [
        {"Effect": "Allow", "Action": list(FIVE_ACTIONS), "Resource": "*"}
    ]


def test_assume_role_with_the_right_external_id_returns_session_credentials(kit):
    arn = kit.role()
    resp = kit.client("sts").assume_role(
        RoleArn=arn, RoleSessionName="collector", ExternalId=kit.external_id
    )
    assert resp["Credentials"]["AccessKeyId"].startswith("ASIA")
    assert (
        resp["AssumedRoleUser"]["Arn"]
        == f"arn:aws:sts::{kit.customer}:assumed-role/NexthinkConnector-Test/collector"
    )
    me = kit.client("sts", creds=resp["Credentials"]).get_caller_identity()
    assert me["Account"] == kit.customer


def test_wrong_external_id_is_access_denied_403_with_request_id(kit):
    arn = kit.role()
    with pytest.raises(ClientError) as exc:
        kit.assume(arn, external_id="not-the-right-one")
    message = _denied(exc)["Error"]["Message"]
    assert message == (
        "User: arn:aws:iam::123456789012:user/moto is not authorized to perform: "
        f"sts:AssumeRole on resource: {arn}"
    )


def test_denial_body_is_the_sts_query_protocol_error_document(kit):
    arn = kit.role()
    sts = kit.client("sts")
    raw: list[bytes] = []
    sts.meta.events.register(
        "before-parse.sts.AssumeRole", lambda response_dict, **_: raw.append(response_dict["body"])
    )
    with pytest.raises(ClientError) as exc:
        sts.assume_role(RoleArn=arn, RoleSessionName="s1", ExternalId="wrong-id")
    body = raw[0].decode()
    assert re.fullmatch(
        r'<ErrorResponse xmlns="https://sts\.amazonaws\.com/doc/2011-06-15/">\s*'
        r"<Error>\s*<Type>Sender</Type>\s*<Code>AccessDenied</Code>\s*"
        r"<Message>User: arn:aws:iam::123456789012:user/moto is not authorized to "
        r"perform: sts:AssumeRole on resource: "
        r"arn:aws:iam::111122223333:role/NexthinkConnector-Test</Message>\s*"
        r"</Error>\s*<RequestId>[0-9a-f-]{36}</RequestId>\s*</ErrorResponse>\s*",
        body,
    )
    assert exc.value.response["ResponseMetadata"]["RequestId"] in body


def test_missing_external_id_is_access_denied(kit):
    with pytest.raises(ClientError) as exc:
        kit.assume(kit.role(), external_id=None)
    _denied(exc)


def test_unknown_role_is_access_denied_not_no_such_entity(kit):
    with pytest.raises(ClientError) as exc:
        kit.assume(f"arn:aws:iam::{kit.customer}:role/NexthinkConnector-Missing")
    _denied(exc)


def test_caller_outside_the_trusted_account_is_denied(kit):
    arn = kit.role(trusted_account="999988887777", role_name="NexthinkConnector-OtherTrust")
    with pytest.raises(ClientError) as exc:
        kit.assume(arn)
    _denied(exc)
    assert kit.sim.stats()["denied"] == {"AssumeRole": 1}


@pytest.mark.parametrize(
    "params, member",
    [
        ({"RoleSessionName": "has space"}, "roleSessionName"),
        ({"RoleSessionName": "x" * 65}, "roleSessionName"),
        ({"ExternalId": "bad#chars"}, "externalId"),
        ({"ExternalId": "x"}, "externalId"),
        ({"DurationSeconds": 600}, "durationSeconds"),
    ],
)
def test_invalid_assume_role_input_is_a_validation_error(kit, params, member):
    arn = kit.role()
    sts = kit.client("sts", parameter_validation=False)
    call = {"RoleArn": arn, "RoleSessionName": "ok", "ExternalId": kit.external_id, **params}
    with pytest.raises(ClientError) as exc:
        sts.assume_role(**call)
    resp = exc.value.response
    assert resp["Error"]["Code"] == "ValidationError"
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert f"at '{member}' failed to satisfy constraint" in resp["Error"]["Message"]


def test_duration_above_the_roles_maximum_is_a_validation_error(kit):
    with pytest.raises(ClientError) as exc:
        kit.assume(kit.role(), DurationSeconds=7200)
    assert exc.value.response["Error"]["Code"] == "ValidationError"
    assert "MaxSessionDuration" in exc.value.response["Error"]["Message"]


def test_role_with_the_five_actions_can_call_them_all(sim, kit):
    sim.seed(kit.customer, kit.region, workspaces=3, pools=1, sessions_per_pool=1)
    ws = kit.customer_client()
    for name, params in FIVE_CALLS.items():
        if name == "describe_workspaces_pool_sessions":
            params = {"PoolId": next(iter(sim.fleet(kit.customer, kit.region).pools))}
        getattr(ws, name)(**params)


@pytest.mark.parametrize(
    "call, params",
    [
        ("describe_tags", {"ResourceId": "ws-abcdefgh1"}),
        ("describe_workspace_directories", {}),
        ("describe_workspaces_connection_status", {}),
    ],
)
def test_other_actions_are_access_denied_exception_for_the_role(kit, call, params):
    ws = kit.customer_client()
    with pytest.raises(ClientError) as exc:
        getattr(ws, call)(**params)
    resp = exc.value.response
    assert resp["Error"]["Code"] == "AccessDeniedException"
    assert resp["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert resp["ResponseMetadata"]["RequestId"]
    action = "workspaces:" + "".join(p.title() for p in call.split("_"))
    assert resp["Error"]["Message"].startswith(
        f"User: arn:aws:sts::{kit.customer}:assumed-role/NexthinkConnector-Test/nexthink-test "
        f"is not authorized to perform: {action} on resource: "
        f"arn:aws:workspaces:{kit.region}:{kit.customer}:"
    )


def test_a_role_missing_one_of_the_five_is_denied_that_one(kit):
    arn = kit.role(actions=["workspaces:DescribeWorkspaces"], role_name="NexthinkConnector-Partial")
    ws = kit.client(creds=kit.assume(arn))
    ws.describe_workspaces()
    with pytest.raises(ClientError) as exc:
        ws.describe_workspace_bundles()
    assert exc.value.response["Error"]["Code"] == "AccessDeniedException"


def test_wildcard_policy_allows_every_describe(kit):
    arn = kit.role(actions=["workspaces:Describe*"], role_name="NexthinkConnector-Wild")
    kit.client(creds=kit.assume(arn)).describe_workspace_directories()  # passes through to moto


def test_plain_keys_are_not_restricted(kit):
    kit.client().describe_workspace_directories()  # passes through to moto


def test_role_data_comes_from_the_roles_account_and_the_clients_region(sim, kit):
    sim.seed(kit.customer, kit.region, workspaces=7)
    sim.seed("123456789012", kit.region, workspaces=3)
    assert len(kit.customer_client().describe_workspaces()["Workspaces"]) == 7
    assert len(kit.client().describe_workspaces()["Workspaces"]) == 3


def test_unknown_session_keys_are_rejected(kit):
    fake = {"AccessKeyId": "ASIAFAKEFAKEFAKEFAKE", "SecretAccessKey": "x", "SessionToken": "y"}
    with pytest.raises(ClientError) as exc:
        kit.client(creds=fake).describe_workspaces()
    assert exc.value.response["Error"]["Code"] == "UnrecognizedClientException"


def test_expired_session_credentials_are_refused(kit):
    creds = kit.assume(kit.role(), DurationSeconds=900)
    kit.sim.auth._sessions[creds["AccessKeyId"]].expires_at = 0  # fast-forward past the expiry
    with pytest.raises(ClientError) as exc:
        kit.client(creds=creds).describe_workspaces()
    assert exc.value.response["Error"]["Code"] == "ExpiredTokenException"


def test_attached_managed_policies_count_and_an_explicit_deny_wins(kit):
    from moto.iam.models import iam_backends

    iam = iam_backends[kit.customer]["aws"]
    arn = kit.role(actions=[], role_name="NexthinkConnector-Managed")
    policy = iam.create_policy(
        description="",
        path="/",
        policy_name="NexthinkConnector-Managed-Read",
        tags=[],
        policy_document=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Action": ["workspaces:DescribeWorkspace*"],
                        "Resource": "*",
                    }
                ],
            }
        ),
    )
    iam.attach_role_policy(policy.arn, "NexthinkConnector-Managed")
    iam.put_role_policy(
        "NexthinkConnector-Managed",
        "deny-images",
        json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Deny",
                        "Action": "workspaces:DescribeWorkspaceImages",
                        "Resource": "*",
                    }
                ],
            }
        ),
    )
    ws = kit.client(creds=kit.assume(arn))
    ws.describe_workspaces()
    ws.describe_workspace_bundles()
    with pytest.raises(ClientError) as exc:
        ws.describe_workspace_images()
    assert "explicit deny" in exc.value.response["Error"]["Message"]


def test_reset_with_moto_forgets_roles_and_sessions(kit):
    arn = kit.role()
    creds = kit.assume(arn)
    kit.sim.reset(moto=True)
    with pytest.raises(ClientError) as exc:
        kit.assume(arn)
    assert exc.value.response["Error"]["Code"] == "AccessDenied"
    with pytest.raises(ClientError) as exc:
        kit.client(creds=creds).describe_workspaces()
    assert exc.value.response["Error"]["Code"] == "UnrecognizedClientException"
