"""Raw responses of the five operations conform to botocore's workspaces output shapes."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import botocore.session
import pytest
from botocore.parsers import create_parser

from awssim.validation import shape_errors

MODEL = botocore.session.get_session().get_service_model("workspaces")
AUTH = (
    "AWS4-HMAC-SHA256 Credential=testing/20250101/eu-west-1/workspaces/aws4_request, "
    "SignedHeaders=host;x-amz-date, Signature=0"
)


def _raw(sim, operation: str, params: dict) -> tuple[int, dict, bytes]:
    req = urllib.request.Request(
        sim.endpoint_url + "/",
        data=json.dumps(params).encode(),
        method="POST",
        headers={
            "X-Amz-Target": f"WorkspacesService.{operation}",
            "Content-Type": "application/x-amz-json-1.1",
            "Authorization": AUTH,
        },
    )
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()


@pytest.fixture
def seeded(sim):
    sim.seed(
        "123456789012",
        "eu-west-1",
        workspaces=200,
        bundles=12,
        images=5,
        pools=3,
        sessions_per_pool=30,
    )
    sim.mutate(
        "123456789012", "eu-west-1", resize=5, rebundle=5, reimage=2, add=5, sessions_churn=5
    )
    return sim


def _calls(sim):
    fleet = sim.fleet("123456789012", "eu-west-1")
    pool_id = sorted(fleet.pools)[0]
    return [
        ("DescribeWorkspaces", {}),
        ("DescribeWorkspaces", {"Limit": 3}),
        ("DescribeWorkspaceBundles", {}),
        ("DescribeWorkspaceBundles", {"Owner": "AMAZON"}),
        ("DescribeWorkspaceBundles", {"BundleIds": sorted(fleet.bundles)[:25]}),
        ("DescribeWorkspaceImages", {}),
        ("DescribeWorkspaceImages", {"ImageIds": sorted(fleet.images)[:25]}),
        ("DescribeWorkspacesPools", {}),
        ("DescribeWorkspacesPoolSessions", {"PoolId": pool_id}),
    ]


def test_every_response_matches_the_output_shape_exactly(seeded):
    for operation, params in _calls(seeded):
        status, headers, body = _raw(seeded, operation, params)
        assert status == 200, body
        assert (
            headers["x-amzn-RequestId"] and headers["Content-Type"] == "application/x-amz-json-1.1"
        )
        data = json.loads(body)
        shape = MODEL.operation_model(operation).output_shape
        assert shape_errors(shape, data) == [], operation
        assert any(isinstance(v, list) and v for v in data.values()), operation


def test_every_response_parses_with_botocores_json_parser(seeded):
    for operation, params in _calls(seeded):
        status, headers, body = _raw(seeded, operation, params)
        op = MODEL.operation_model(operation)
        parsed = create_parser("json").parse(
            {
                "status_code": status,
                "headers": {k.lower(): v for k, v in headers.items()},
                "body": body,
            },
            op.output_shape,
        )
        assert (
            "Error" not in parsed
            and parsed["ResponseMetadata"]["RequestId"] == headers["x-amzn-RequestId"]
        )


@pytest.mark.parametrize(
    "operation, params, code",
    [
        ("DescribeWorkspaces", {"Limit": 26}, "ValidationException"),
        ("DescribeWorkspaces", {"Limit": "ten"}, "SerializationException"),
        ("DescribeWorkspaceImages", {"ImageType": "PUBLIC"}, "ValidationException"),
        ("DescribeWorkspacesPoolSessions", {}, "ValidationException"),
        (
            "DescribeWorkspaceBundles",
            {"BundleIds": ["wsb-abcdefghi"], "Owner": "AMAZON"},
            "InvalidParameterValuesException",
        ),
    ],
)
def test_errors_are_json_protocol_errors_with_a_request_id(sim, operation, params, code):
    status, headers, body = _raw(sim, operation, params)
    assert status == 400 and headers["x-amzn-RequestId"]
    error = json.loads(body)
    assert error["__type"] == code and error["message"]
    parsed = create_parser("json").parse(
        {"status_code": status, "headers": headers, "body": body},
        MODEL.operation_model(operation).output_shape,
    )
    assert parsed["Error"]["Code"] == code


def test_validation_message_lists_every_violation_like_aws(sim):
    _, _, body = _raw(sim, "DescribeWorkspacesPoolSessions", {"PoolId": "bad", "Limit": 60})
    assert json.loads(body)["message"] == (
        "2 validation errors detected: Value 'bad' at 'poolId' failed to satisfy "
        "constraint: Member must satisfy regular expression pattern: ^wspool-[0-9a-z]{9}$; "
        "Value '60' at 'limit' failed to satisfy constraint: Member must have value less "
        "than or equal to 50"
    )


def test_unsigned_requests_are_rejected(sim):
    req = urllib.request.Request(
        sim.endpoint_url + "/",
        data=b"{}",
        method="POST",
        headers={
            "X-Amz-Target": "WorkspacesService.DescribeWorkspaces",
            "Content-Type": "application/x-amz-json-1.1",
        },
    )
    with pytest.raises(urllib.error.HTTPError) as exc:
        urllib.request.urlopen(req, timeout=10)
    assert json.loads(exc.value.read())["__type"] == "MissingAuthenticationTokenException"
