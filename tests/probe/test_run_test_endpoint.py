"""The Test results panel's endpoint, against the simulator (and botocore's
Stubber for error shapes the simulator cannot produce)."""

import threading
import time
from types import SimpleNamespace

import boto3
import pytest
from botocore.stub import Stubber
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from connectors.aws_workspaces import aws, probe
from tests.conftest import CUSTOMER_ACCOUNT, ROLE_NAME
from tests.credentials.factories import make_credential

pytestmark = pytest.mark.django_db
URL = reverse("connectors:test")
REGION = "eu-west-1"


@pytest.fixture(autouse=True)
def fresh_rate_limit():
    cache.clear()
    yield
    cache.clear()


def post(client, cred, **overrides):
    data = {
        "credential": cred.pk,
        "region": REGION,
        "environment_name": "Sim EU",
        "name": "AWS Prod EU",
    }
    data.update(overrides)
    return client.post(URL, data)


def test_success_shows_status_time_and_a_sample_record_as_stored(
    admin_client, aws_sim, aws_connector
):
    aws_sim.seed(
        CUSTOMER_ACCOUNT, REGION, workspaces=12, bundles=2, images=1, pools=1, sessions_per_pool=2
    )
    response = post(admin_client, aws_connector.credential)
    data = response.json()
    assert response.status_code == 200 and data["ok"] is True and data["outcome"] == "success"
    assert [c["status"] for c in data["checks"]] == ["allowed"] * 5
    assert data["status_code"] == 200 and isinstance(data["elapsed_ms"], int)
    assert data["count"] == 5 and data["more"] is True
    sample = {f["nql"]: f["value"] for f in data["sample"]}
    assert sample["virtualization.type"] == "personal"
    assert sample["virtualization.hostname"] == "AWS host"
    assert sample["virtualization.desktop_broker"] == "aws_workspaces"
    assert sample["virtualization.environment_name"] == "Sim EU"
    assert sample["virtualization.region"] == REGION
    assert (
        sample["virtualization.desktop_pool"]
        and sample["virtualization.disk_image"]
        and sample["virtualization.instance_size"]
    )
    assert len(data["sample"]) == 11  # device.name + the ten fields
    assert data["raw"]["WorkspaceId"].startswith("ws-")


def test_account_without_workspaces_or_pools_says_so_and_is_not_called_a_success(
    admin_client, aws_sim, aws_connector
):
    data = post(admin_client, aws_connector.credential).json()
    assert data["count"] == 0 and data["sample"] == []
    assert "no WorkSpaces in eu-west-1" in data["message"]
    # No pool: the sessions permission cannot be checked, and the panel says so.
    assert data["ok"] is False and data["outcome"] == "incomplete"
    sessions = data["checks"][-1]
    assert sessions["action"] == "DescribeWorkspacesPoolSessions"
    assert sessions["status"] == "not_called" and "no pool in eu-west-1" in sessions["detail"]
    assert [c["status"] for c in data["checks"][:4]] == ["allowed"] * 4


def test_wrong_external_id_shows_assume_role_denied_with_trust_policy_hint(
    admin_client, aws_sim, aws_connector
):
    aws_sim.create_customer_role(CUSTOMER_ACCOUNT, ROLE_NAME, external_id="another-external-id")
    response = post(admin_client, aws_connector.credential)
    data = response.json()
    assert response.status_code == 200 and data["ok"] is False
    assert data["status_code"] == 403
    assert data["error"]["action"] == "AssumeRole" and data["error"]["code"] == "AccessDenied"
    assert data["error"]["request_id"]
    assert "trust policy" in data["hint"] and "External ID" in data["hint"]
    body = response.content.decode()
    assert aws_connector.credential.external_id not in body and "another-external-id" not in body


def test_describe_workspaces_denied_points_at_the_permissions_policy(
    admin_client, aws_sim, aws_connector
):
    aws_sim.create_customer_role(
        CUSTOMER_ACCOUNT,
        ROLE_NAME,
        external_id=aws_connector.credential.external_id,
        actions=["workspaces:DescribeWorkspaceBundles"],
    )
    data = post(admin_client, aws_connector.credential).json()
    assert data["ok"] is False and data["error"]["action"] == "DescribeWorkspaces"
    assert "AccessDenied" in data["error"]["code"] and "permissions policy" in data["hint"]


def test_throttling_suggests_running_it_again(admin_client, aws_sim, aws_connector, no_backoff):
    aws_sim.seed(CUSTOMER_ACCOUNT, REGION, workspaces=3)
    aws_sim.configure(throttle_fraction=1.0)
    data = post(admin_client, aws_connector.credential).json()
    assert data["ok"] is False and data["error"]["code"] == "ThrottlingException"
    assert "rate limits" in data["hint"] and "one region at a time" in data["hint"]


def test_a_test_that_takes_too_long_is_reported_as_timed_out(
    admin_client, aws_sim, aws_connector, monkeypatch
):
    monkeypatch.setattr(probe, "TIME_BOUND_SECONDS", 1)
    aws_sim.configure(latency_ms=1500)
    data = post(admin_client, aws_connector.credential).json()
    assert data["ok"] is False and data["error"]["code"] == "Timeout"
    assert "timed out" in data["message"] and data["hint"]


def test_region_not_enabled_shows_the_sts_error_and_a_region_hint(
    admin_client, aws_env, monkeypatch
):
    """Exact STS shape of a call into a region the account has not enabled."""
    sts = boto3.client("sts", region_name="af-south-1")
    stubber = Stubber(sts)
    stubber.add_client_error(
        "assume_role",
        service_error_code="InvalidClientTokenId",
        service_message="The security token included in the request is invalid.",
        http_status_code=403,
        response_meta={"RequestId": "4b1d-req"},
    )
    stubber.activate()

    class StubbedSession:
        def client(self, *args, **kwargs):
            return sts

    monkeypatch.setattr(aws, "app_session", lambda: StubbedSession())
    data = post(admin_client, make_credential(), region="af-south-1").json()
    assert data["status_code"] == 403 and data["error"]["code"] == "InvalidClientTokenId"
    assert data["error"]["request_id"] == "4b1d-req" and "region may not be enabled" in data["hint"]


def test_credential_without_role_arn_is_refused_at_the_field_with_a_link(admin_client):
    credential = make_credential(role_arn="")
    response = post(admin_client, credential)
    assert response.status_code == 400
    data = response.json()
    assert data["local"] is True and "no AWS Role ARN" in data["field_errors"]["credential"][0]
    assert data["link"] == reverse("credentials:edit", args=[credential.pk])


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"region": "mars-1"}, "region"),
        ({"region": ""}, "region"),
        ({"credential": "999999"}, "credential"),
        ({"credential": "abc"}, "credential"),
        ({"credential": ""}, "credential"),
        ({"environment_name": "x" * 500}, "environment_name"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(admin_client, overrides, field):
    response = post(admin_client, make_credential(), **overrides)
    assert response.status_code == 400 and field in response.json()["field_errors"]


def test_repeated_clicks_are_rate_limited_per_user(
    admin_client, aws_sim, aws_connector, make_user, client, monkeypatch
):
    # The limit counts in fixed one-minute windows: hold the clock inside one, so a
    # slow machine cannot split the clicks across two windows.
    import nexthink_admin.ratelimit

    start = (time.time() // 60) * 60 + 1
    monkeypatch.setattr(nexthink_admin.ratelimit, "time", SimpleNamespace(time=lambda: start))
    for _ in range(probe_limit()):
        assert post(admin_client, aws_connector.credential).status_code == 200
    limited = post(admin_client, aws_connector.credential)
    assert (
        limited.status_code == 429
        and "wait" in limited.json()["message"]
        and limited["Retry-After"]
    )
    other = make_user("other", "connectors.add_inboundconnector")
    client.force_login(other)
    assert post(client, aws_connector.credential).status_code == 200


def test_form_mistakes_are_answered_at_the_field_and_do_not_count_against_the_limit(
    admin_client, aws_sim, aws_connector, monkeypatch
):
    import nexthink_admin.ratelimit

    start = (time.time() // 60) * 60 + 1
    monkeypatch.setattr(nexthink_admin.ratelimit, "time", SimpleNamespace(time=lambda: start))
    for _ in range(probe_limit() + 3):
        mistake = post(admin_client, aws_connector.credential, region="")
        assert mistake.status_code == 400 and mistake.json()["field_errors"]["region"] == [
            "Select a region first."
        ]
        assert "status_code" not in mistake.json()
    assert aws_sim.stats()["calls"].get("AssumeRole", 0) == 0
    # The stated limit is the real one: every one of the tests that reach AWS is answered.
    for _ in range(probe_limit()):
        assert post(admin_client, aws_connector.credential).status_code == 200
    assert post(admin_client, aws_connector.credential).status_code == 429


def test_the_panel_states_the_real_limit(admin_client):
    page = admin_client.get(reverse("connectors:create", args=["aws_workspaces"])).content.decode()
    assert f"Up to {probe_limit()} tests a minute" in page


def probe_limit() -> int:
    from connectors.aws_workspaces.views import TESTS_PER_MINUTE

    return TESTS_PER_MINUTE


def test_endpoint_requires_login_permission_csrf_and_post(plain_client, admin_user, make_user):
    credential = make_credential()
    assert Client().post(URL, {"credential": credential.pk, "region": REGION}).status_code == 302
    assert (
        plain_client.post(URL, {"credential": credential.pk, "region": REGION}).status_code == 403
    )
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(admin_user)
    assert csrf_client.post(URL, {"credential": credential.pk, "region": REGION}).status_code == 403
    editor = Client()
    editor.force_login(make_user("editor", "connectors.change_inboundconnector"))
    assert editor.post(URL, {"credential": credential.pk, "region": "mars-1"}).status_code == 400
    assert editor.get(URL).status_code == 405


def test_form_page_has_the_panel_with_a_run_test_button(admin_client):
    page = admin_client.get(reverse("connectors:create", args=["aws_workspaces"])).content.decode()
    assert "Test results" in page and 'id="run-test"' in page and URL in page


def test_an_unexpected_answer_gives_a_message_never_a_500(
    admin_client, aws_sim, aws_connector, monkeypatch
):
    aws_sim.seed(CUSTOMER_ACCOUNT, REGION, workspaces=3)

    def answer_without_a_field(ws, bundle, image, **kwargs):
        return {}["BundleId"]  # a KeyError, as from a response missing a key

    monkeypatch.setattr(probe, "_sample", answer_without_a_field)
    response = post(admin_client, aws_connector.credential)
    assert response.status_code == 200
    data = response.json()
    assert data["ok"] is False and data["error"]["code"] == "KeyError"
    assert "run it again" in data["message"]


def test_timed_out_tests_do_not_hold_back_the_next_test(
    admin_client, aws_sim, aws_connector, monkeypatch
):
    """Four tests stuck in AWS calls that never answer (more than the old pool
    of four threads), then a fifth: it gets its own answer, not a timeout."""
    aws_sim.seed(CUSTOMER_ACCOUNT, REGION, workspaces=3, pools=1, sessions_per_pool=1)
    monkeypatch.setattr(probe, "TIME_BOUND_SECONDS", 0.3)
    release = threading.Event()
    real_assume = aws.assume_role_session
    stuck = {"left": 4}

    def assume(**kwargs):
        if stuck["left"] > 0:
            stuck["left"] -= 1
            release.wait(30)  # AWS that never answers
        return real_assume(**kwargs)

    monkeypatch.setattr(aws, "assume_role_session", assume)
    try:
        for _ in range(4):
            cache.clear()  # past the rate limit: this is about the thread pool
            assert post(admin_client, aws_connector.credential).json()["error"]["code"] == "Timeout"
        cache.clear()
        monkeypatch.setattr(probe, "TIME_BOUND_SECONDS", 20)
        data = post(admin_client, aws_connector.credential).json()
        assert data["ok"] is True and data["count"] == 3
    finally:
        release.set()
