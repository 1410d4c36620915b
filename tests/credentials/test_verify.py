"""Verify on the credential page: AssumeRole with the External ID, nothing
else; the outcome and its time are kept and shown, with a hint that fits."""

import socket

import pytest
from django.test import Client
from django.urls import reverse

from connectors.aws_workspaces import hints
from credentials import services
from credentials.models import Credential, Verification
from credentials.views import VERIFY_PER_MINUTE
from tests.conftest import CUSTOMER_ACCOUNT, ROLE_NAME

from .factories import make_credential

pytestmark = pytest.mark.django_db


def verify_url(credential) -> str:
    return reverse("credentials:verify", args=[credential.pk])


def verify(client, credential):
    """Press Verify; the page it leads to."""
    response = client.post(verify_url(credential), follow=True)
    assert response.redirect_chain[-1] == (credential.get_absolute_url(), 302)
    return response


def page_text(response) -> str:
    return response.content.decode()


def outcome_text(response) -> str:
    """The Verify message and the Verification row of the credential's page."""
    shown = [str(m) for m in response.context["messages"]]
    row = page_text(response).split('id="verification">', 1)[1].split("</dd>", 1)[0]
    return " ".join([*shown, row])


def closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.fixture
def credential(aws_connector) -> Credential:
    return aws_connector.credential


def test_a_role_that_trusts_this_external_id_is_verified_with_only_assume_role(
    admin_client, aws_sim, credential
):
    page = page_text(verify(admin_client, credential))
    credential.refresh_from_db()
    assert credential.verification == Verification.VERIFIED and credential.verified_at
    assert "Verified: AWS let this console assume the role" in page
    assert aws_sim.stats()["calls"] == {"AssumeRole": 1}
    listing = page_text(admin_client.get(reverse("credentials:list")))
    assert "Verified" in listing and credential.verified_at.strftime("%Y-%m-%d") in listing


def test_a_role_trusting_another_external_id_fails_with_the_trust_policy_hint(
    admin_client, aws_sim, credential
):
    aws_sim.create_customer_role(CUSTOMER_ACCOUNT, ROLE_NAME, external_id="someone-elses-id")
    page = outcome_text(verify(admin_client, credential))
    credential.refresh_from_db()
    assert credential.verification == Verification.FAILED and credential.verified_at
    assert credential.verification_code == "AccessDenied"
    assert "Verify failed (AccessDenied)" in page and "trust policy" in page
    # The page shows the External ID (to copy); the outcome never echoes it.
    assert credential.external_id not in credential.verification_message
    assert "someone-elses-id" not in page
    listing = page_text(admin_client.get(reverse("credentials:list")))
    assert "Failed" in listing and credential.verified_at.strftime("%Y-%m-%d %H:%M") in listing


def test_a_role_that_does_not_exist_fails_and_says_to_check_it_exists(admin_client, aws_sim):
    missing = make_credential(
        "Missing role", role_arn=f"arn:aws:iam::{CUSTOMER_ACCOUNT}:role/NexthinkConnector-Gone"
    )
    detail = outcome_text(verify(admin_client, missing))
    missing.refresh_from_db()
    assert missing.verification == Verification.FAILED
    assert "no role has this ARN" in detail


def test_aws_unreachable_is_a_network_failure_not_a_trust_policy_one(
    admin_client, credential, monkeypatch, no_backoff
):
    monkeypatch.setenv("AWS_ENDPOINT_URL", closed_port_url())
    page = outcome_text(verify(admin_client, credential))
    credential.refresh_from_db()
    assert credential.verification_code == "EndpointConnectionError"
    assert "AWS was not reached" in page
    assert hints.NETWORK_HINT.split(":")[0] in page and "trust policy" not in page


def test_a_new_role_arn_forgets_the_previous_verification(admin_client, aws_sim, credential):
    verify(admin_client, credential)
    services.credential_update(
        credential=credential,
        name=credential.name,
        role_arn=f"arn:aws:iam::{CUSTOMER_ACCOUNT}:role/NexthinkConnector-New",
    )
    credential.refresh_from_db()
    assert credential.verification == Verification.NOT_VERIFIED and credential.verified_at is None
    assert "Not verified" in page_text(admin_client.get(reverse("credentials:list")))


def test_without_a_role_arn_there_is_nothing_to_verify_and_no_button(admin_client):
    waiting = make_credential("Waiting", role_arn="")
    detail = page_text(admin_client.get(waiting.get_absolute_url()))
    assert 'id="verify"' not in detail
    page = page_text(verify(admin_client, waiting))
    assert "Add the AWS Role ARN first" in page
    waiting.refresh_from_db()
    assert waiting.verification == Verification.NOT_VERIFIED


def test_detail_page_has_a_verify_button_that_posts_with_csrf(admin_client, credential):
    detail = page_text(admin_client.get(credential.get_absolute_url()))
    assert 'id="verify"' in detail and verify_url(credential) in detail
    assert "csrfmiddlewaretoken" in detail and "Not verified" in detail


def test_verify_needs_change_permission_csrf_and_post(client, make_user, admin_user, credential):
    client.force_login(make_user("viewer", "credentials.view_credential"))
    assert client.post(verify_url(credential)).status_code == 403
    assert 'id="verify"' not in page_text(client.get(credential.get_absolute_url()))
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(admin_user)
    assert csrf_client.post(verify_url(credential)).status_code == 403
    editor = Client()
    editor.force_login(make_user("editor", "credentials.change_credential"))
    assert editor.get(verify_url(credential)).status_code == 405
    credential.refresh_from_db()
    assert credential.verification == Verification.NOT_VERIFIED


def test_verify_is_rate_limited_per_user(admin_client, aws_sim, credential, monkeypatch):
    import time
    from types import SimpleNamespace

    import nexthink_admin.ratelimit

    start = (time.time() // 60) * 60 + 1
    monkeypatch.setattr(nexthink_admin.ratelimit, "time", SimpleNamespace(time=lambda: start))
    for _ in range(VERIFY_PER_MINUTE):
        verify(admin_client, credential)
    page = page_text(verify(admin_client, credential))
    assert f"Verify was used {VERIFY_PER_MINUTE} times in this minute" in page and "wait" in page
    assert aws_sim.stats()["calls"]["AssumeRole"] == VERIFY_PER_MINUTE


def test_an_external_id_echoed_by_aws_is_never_kept_or_shown(admin_client, aws_sim, credential):
    aws_sim.inject_error(
        "AssumeRole",
        "AccessDenied",
        status=403,
        message=f"ExternalId {credential.external_id} is wrong",
        count=1,
    )
    response = verify(admin_client, credential)
    credential.refresh_from_db()
    assert credential.verification == Verification.FAILED
    assert credential.external_id not in credential.verification_message
    assert "[external id]" in credential.verification_message
    assert credential.external_id not in outcome_text(response)
