import pytest

from tests.conftest import CUSTOMER_ACCOUNT, ROLE_NAME

from .conftest import shot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_verify_shows_the_outcome_on_the_credential_and_in_the_list(
    page, live_server, admin_user, aws_sim, aws_connector
):
    credential = aws_connector.credential
    sign_in(page, live_server, "root", "pw-for-tests-1")
    page.goto(f"{live_server.url}{credential.get_absolute_url()}")
    assert "Not verified" in page.inner_text("#verification")
    page.click("#verify")
    page.wait_for_selector("#verification .badge.ok")
    assert "Verified" in page.inner_text("#verification")
    shot(page, "credential-verified")
    # The role stops trusting this External ID: Verify says so, and why.
    aws_sim.create_customer_role(CUSTOMER_ACCOUNT, ROLE_NAME, external_id="another-one")
    page.click("#verify")
    page.wait_for_selector("#verification .badge.err")
    text = page.inner_text("#verification")
    assert "AccessDenied" in text and "trust policy" in text
    page.goto(f"{live_server.url}/administration/credentials/")
    row = page.inner_text("tbody tr")
    assert "Failed" in row
    shot(page, "credentials-list-verification")
