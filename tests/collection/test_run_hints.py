"""A failed run's hint fits its cause: AWS unreachable is not a trust-policy problem."""

import socket

import pytest

from connectors.aws_workspaces import hints
from connectors.choices import RunStatus, RunTrigger
from connectors.runs import run_execute
from tests.conftest import CUSTOMER_ACCOUNT, ROLE_NAME

pytestmark = pytest.mark.django_db


def closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def sync(connector):
    return run_execute(connector_id=connector.pk, trigger=RunTrigger.COMMAND)


def test_aws_unreachable_on_assume_role_gets_the_network_hint(
    aws_connector, monkeypatch, no_backoff
):
    monkeypatch.setenv("AWS_ENDPOINT_URL", closed_port_url())
    run = sync(aws_connector)
    assert run.status == RunStatus.FAILED
    assert (run.error_action, run.error_code) == ("AssumeRole", "EndpointConnectionError")
    assert hints.NETWORK_HINT in run.error_message and "trust policy" not in run.error_message


def test_aws_unreachable_on_describe_workspaces_gets_the_network_hint(
    aws_sim, aws_connector, monkeypatch, no_backoff
):
    aws_sim.seed(CUSTOMER_ACCOUNT, "eu-west-1", workspaces=3)
    monkeypatch.setenv("AWS_ENDPOINT_URL_WORKSPACES", closed_port_url())
    run = sync(aws_connector)
    assert (run.error_action, run.error_code) == ("DescribeWorkspaces", "EndpointConnectionError")
    assert hints.NETWORK_HINT in run.error_message
    assert "permissions policy" not in run.error_message


def test_denied_assume_role_gets_the_trust_policy_hint(aws_sim, aws_connector):
    aws_sim.create_customer_role(CUSTOMER_ACCOUNT, ROLE_NAME, external_id="someone-else")
    run = sync(aws_connector)
    assert run.error_code == "AccessDenied" and hints.ASSUME_ROLE_HINT in run.error_message


@pytest.mark.parametrize(
    "action, code, expected",
    [
        ("AssumeRole", "EndpointConnectionError", hints.NETWORK_HINT),
        ("AssumeRole", "ConnectTimeoutError", hints.TIMEOUT_HINT),
        ("AssumeRole", "ReadTimeoutError", hints.TIMEOUT_HINT),
        ("AssumeRole", "ProxyConnectionError", hints.PROXY_HINT),
        ("AssumeRole", "SSLError", hints.TLS_HINT),
        ("AssumeRole", "NoCredentialsError", hints.OWN_IDENTITY_HINT),
        ("AssumeRole", "AccessDenied", hints.ASSUME_ROLE_HINT),
        ("AssumeRole", "InvalidClientTokenId", hints.REGION_HINT),
        ("AssumeRole", "ValidationError", hints.VALIDATION_HINT),
        ("DescribeWorkspaces", "ThrottlingException", hints.THROTTLE_HINT),
        ("DescribeWorkspaces", "EndpointConnectionError", hints.NETWORK_HINT),
    ],
)
def test_each_cause_has_its_own_hint(action, code, expected):
    from connectors.aws_workspaces.collector import CallError

    assert hints.hint_for(CallError(action, code, "")) == expected


def test_a_denied_describe_names_the_missing_action():
    from connectors.aws_workspaces.collector import CallError

    hint = hints.hint_for(CallError("DescribeWorkspacesPools", "AccessDeniedException", ""))
    assert "workspaces:DescribeWorkspacesPools" in hint and "trust policy" not in hint
