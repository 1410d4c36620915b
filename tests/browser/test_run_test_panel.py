import pytest

from tests.conftest import CUSTOMER_ACCOUNT

from .conftest import shot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_run_test_shows_status_code_time_and_a_sample(
    page, live_server, admin_user, aws_sim, aws_connector
):
    aws_sim.seed(CUSTOMER_ACCOUNT, "eu-west-1", workspaces=8, bundles=2, images=1)
    sign_in(page, live_server, "root", "pw-for-tests-1")
    page.goto(f"{live_server.url}/administration/connectors/{aws_connector.pk}/edit/")
    page.click("#run-test")
    page.wait_for_selector("#test-meta")
    meta = page.inner_text("#test-meta")
    assert "Status code" in meta and "200" in meta
    assert "Response time" in meta and " ms" in meta
    sample = page.inner_text("#test-sample")
    assert "virtualization.desktop_broker" in sample and "aws_workspaces" in sample
    assert "Sim EU" in sample
    assert page.is_enabled("#run-test")
    assert aws_connector.credential.external_id not in page.inner_text("#test-result")
    shot(page, "connector-test-panel")


def test_run_test_failure_shows_the_error_and_what_to_check(
    page, live_server, admin_user, aws_sim, aws_connector
):
    aws_sim.create_customer_role(
        CUSTOMER_ACCOUNT, "NexthinkConnector-Test", external_id="wrong-external-id"
    )
    sign_in(page, live_server, "root", "pw-for-tests-1")
    page.goto(f"{live_server.url}/administration/connectors/{aws_connector.pk}/edit/")
    page.keyboard.press("Tab")
    page.focus("#run-test")
    page.keyboard.press("Enter")  # keyboard accessible
    page.wait_for_selector(".test-hint")
    text = page.inner_text("#test-result")
    assert "Failed" in text and "AccessDenied" in text and "403" in text and "trust policy" in text
    shot(page, "connector-test-panel-error")
