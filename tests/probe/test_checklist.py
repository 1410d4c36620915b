"""The Run test's checklist: each of the five actions called once, allowed,
denied, failed or not called and why; Success only when all five work."""

import socket

import pytest
from django.core.cache import cache
from django.urls import reverse

from connectors.aws_workspaces import hints, probe
from tests.conftest import CUSTOMER_ACCOUNT, ROLE_NAME
from tests.connectors.factories import form_data, make_connector
from tests.credentials.factories import make_credential

pytestmark = pytest.mark.django_db
URL = reverse("connectors:test")
REGION = "eu-west-1"
FIVE = list(probe.ACTIONS)


def run_test(client, credential, **overrides) -> dict:
    cache.clear()
    data = {"credential": credential.pk, "region": REGION, "name": "Check", **overrides}
    response = client.post(URL, data)
    assert response.status_code == 200, response.content
    return response.json()


def statuses(data) -> dict[str, str]:
    return {c["action"]: c["status"] for c in data["checks"]}


def allow(aws_sim, credential, actions):
    aws_sim.create_customer_role(
        CUSTOMER_ACCOUNT,
        ROLE_NAME,
        external_id=credential.external_id,
        actions=[f"workspaces:{a}" for a in actions],
    )


def closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.fixture
def fleet(aws_sim):
    aws_sim.seed(
        CUSTOMER_ACCOUNT, REGION, workspaces=6, bundles=2, images=1, pools=1, sessions_per_pool=2
    )


def test_a_role_allowed_all_five_actions_gets_success_with_each_one_checked(
    admin_client, aws_connector, fleet
):
    data = run_test(admin_client, aws_connector.credential)
    assert data["ok"] is True and data["outcome"] == "success"
    assert statuses(data) == dict.fromkeys(FIVE, "allowed")
    assert all(c["elapsed_ms"] is not None and c["detail"] for c in data["checks"])
    assert "all five actions are allowed" in data["message"]


def test_a_role_allowed_only_describe_workspaces_is_not_a_success(
    admin_client, aws_sim, aws_connector, fleet
):
    allow(aws_sim, aws_connector.credential, ["DescribeWorkspaces"])
    data = run_test(admin_client, aws_connector.credential)
    assert data["ok"] is False and data["outcome"] == "failed"
    assert statuses(data) == {
        "DescribeWorkspaces": "allowed",
        "DescribeWorkspaceBundles": "denied",
        "DescribeWorkspaceImages": "denied",
        "DescribeWorkspacesPools": "denied",
        "DescribeWorkspacesPoolSessions": "not_called",
    }
    by_action = {c["action"]: c for c in data["checks"]}
    for action in ("DescribeWorkspaceBundles", "DescribeWorkspaceImages"):
        assert by_action[action]["code"] == "AccessDeniedException"
        assert f"does not allow workspaces:{action}" in by_action[action]["hint"]
    assert "pools could not be listed" in by_action["DescribeWorkspacesPoolSessions"]["detail"]
    assert "3 of the five actions failed" in data["message"]
    assert data["error"]["action"] == "DescribeWorkspaceBundles"
    assert "permissions policy" in data["hint"] and "trust policy" not in data["hint"]


def test_denied_pools_are_shown_and_sessions_are_not_called_for_want_of_a_pool(
    admin_client, aws_sim, aws_connector, fleet
):
    allow(aws_sim, aws_connector.credential, [a for a in FIVE if a != "DescribeWorkspacesPools"])
    data = run_test(admin_client, aws_connector.credential)
    assert data["ok"] is False
    assert statuses(data)["DescribeWorkspacesPools"] == "denied"
    assert statuses(data)["DescribeWorkspacesPoolSessions"] == "not_called"
    assert [statuses(data)[a] for a in FIVE[:3]] == ["allowed"] * 3
    assert data["sample"], "the sample record is still shown"


def test_denied_sessions_are_found_with_the_pool_that_exists(
    admin_client, aws_sim, aws_connector, fleet
):
    allow(aws_sim, aws_connector.credential, FIVE[:4])
    data = run_test(admin_client, aws_connector.credential)
    sessions = data["checks"][-1]
    assert sessions["status"] == "denied" and "wspool-" in sessions["detail"]
    assert "DescribeWorkspacesPoolSessions" in sessions["hint"]
    assert data["ok"] is False and data["outcome"] == "failed"


def test_aws_unreachable_after_the_role_is_a_network_hint_and_the_rest_are_not_called(
    admin_client, aws_connector, fleet, monkeypatch, no_backoff
):
    monkeypatch.setenv("AWS_ENDPOINT_URL_WORKSPACES", closed_port_url())
    data = run_test(admin_client, aws_connector.credential)
    assert data["ok"] is False and data["error"]["code"] == "EndpointConnectionError"
    assert data["hint"] == hints.NETWORK_HINT and "trust policy" not in data["hint"]
    assert statuses(data) == {
        "DescribeWorkspaces": "failed",
        **dict.fromkeys(FIVE[1:], "not_called"),
    }
    assert all("could not be reached" in c["detail"] for c in data["checks"][1:])
    assert "Status code" not in data and data["status_code"] is None


def test_aws_unreachable_on_assume_role_is_a_network_hint_not_the_trust_policy(
    admin_client, aws_connector, monkeypatch, no_backoff
):
    monkeypatch.setenv("AWS_ENDPOINT_URL", closed_port_url())
    data = run_test(admin_client, aws_connector.credential)
    assert data["error"]["action"] == "AssumeRole"
    assert data["error"]["code"] == "EndpointConnectionError"
    assert data["hint"] == hints.NETWORK_HINT
    assert statuses(data) == dict.fromkeys(FIVE, "not_called")


def test_unknown_role_gets_the_trust_policy_hint_that_names_a_missing_role(
    admin_client, aws_sim, aws_connector
):
    credential = make_credential(
        "Nobody's role", role_arn=f"arn:aws:iam::{CUSTOMER_ACCOUNT}:role/NexthinkConnector-Gone"
    )
    data = run_test(admin_client, credential)
    assert data["error"]["code"] == "AccessDenied"
    assert "trust policy" in data["hint"] and "no role has this ARN" in data["hint"]


# -- one validation for the test and the save ----------------------------------
def test_china_region_with_an_aws_role_is_refused_by_test_and_save_alike(
    admin_client, aws_sim, monkeypatch
):
    credential = make_credential("Global role")  # arn:aws:...
    called = []
    monkeypatch.setattr(probe, "connection_test", lambda **kw: called.append(kw))
    test = admin_client.post(URL, {"credential": credential.pk, "region": "cn-northwest-1"})
    assert test.status_code == 400
    test_message = test.json()["field_errors"]["region"][0]
    assert "aws-cn partition" in test_message
    save = admin_client.post(
        reverse("connectors:create", args=["aws_workspaces"]),
        form_data(credential, region="cn-northwest-1"),
    )
    assert save.status_code == 200
    assert save.context["form"].errors["region"] == [test_message]
    assert called == [] and aws_sim.stats()["calls"].get("AssumeRole", 0) == 0


def test_china_region_with_a_china_role_goes_to_aws(admin_client, monkeypatch):
    from connectors.aws_workspaces import views

    credential = make_credential(
        "China role", role_arn="arn:aws-cn:iam::111122223333:role/NexthinkConnector-CN"
    )
    seen = []

    def fake_test(**kwargs):
        seen.append(kwargs["region"])
        return probe.ProbeResult(ok=True, elapsed_ms=1, outcome=probe.SUCCESS)

    monkeypatch.setattr(views, "connection_test", fake_test)
    response = admin_client.post(URL, {"credential": credential.pk, "region": "cn-northwest-1"})
    assert response.status_code == 200 and seen == ["cn-northwest-1"]


# -- overlapping connectors ------------------------------------------------------
def test_run_test_warns_when_another_connector_reads_the_same_account_and_region(
    admin_client, aws_connector, fleet
):
    same_account = make_credential(
        "Same account", role_arn=f"arn:aws:iam::{CUSTOMER_ACCOUNT}:role/NexthinkConnector-Other"
    )
    data = run_test(admin_client, same_account)
    assert "Simulated EU" in data["warning"] and CUSTOMER_ACCOUNT in data["warning"]
    # Testing the connector itself, while editing it, is not an overlap.
    own = run_test(admin_client, aws_connector.credential, connector=aws_connector.pk)
    assert own["warning"] == ""
    # Another region of the same account is not an overlap either.
    elsewhere = make_connector("Elsewhere", credential=same_account, region="eu-central-1")
    assert run_test(admin_client, same_account, connector=elsewhere.pk)["warning"]
    data = admin_client.post(
        URL, {"credential": same_account.pk, "region": "eu-central-1", "connector": elsewhere.pk}
    ).json()
    assert data["warning"] == ""
