import pytest

from tests.conftest import CUSTOMER_ACCOUNT, ROLE_NAME

from .conftest import shot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def open_edit(page, live_server, connector):
    sign_in(page, live_server, "root", "pw-for-tests-1")
    page.goto(f"{live_server.url}/administration/connectors/{connector.pk}/edit/")


def test_run_test_shows_the_five_actions_status_code_time_and_a_sample(
    page, live_server, admin_user, aws_sim, aws_connector
):
    aws_sim.seed(
        CUSTOMER_ACCOUNT,
        "eu-west-1",
        workspaces=8,
        bundles=2,
        images=1,
        pools=1,
        sessions_per_pool=2,
    )
    open_edit(page, live_server, aws_connector)
    page.click("#run-test")
    page.wait_for_selector("#test-meta")
    assert page.inner_text(".test-banner").startswith("Success")
    meta = page.inner_text("#test-meta")
    assert "Status code" in meta and "200" in meta
    assert "Response time" in meta and " ms" in meta
    checks = page.locator("#test-checks li")
    assert checks.count() == 5
    assert all(text.startswith("Allowed") for text in checks.all_inner_texts())
    sample = page.inner_text("#test-sample")
    assert "virtualization.desktop_broker" in sample and "aws_workspaces" in sample
    assert "Sim EU" in sample
    assert page.is_enabled("#run-test")
    assert aws_connector.credential.external_id not in page.inner_text("#test-result")
    shot(page, "connector-test-panel")


def test_a_role_allowed_only_describe_workspaces_is_shown_failed_with_each_denied_action(
    page, live_server, admin_user, aws_sim, aws_connector
):
    aws_sim.seed(CUSTOMER_ACCOUNT, "eu-west-1", workspaces=3, pools=1, sessions_per_pool=1)
    aws_sim.create_customer_role(
        CUSTOMER_ACCOUNT,
        ROLE_NAME,
        external_id=aws_connector.credential.external_id,
        actions=["workspaces:DescribeWorkspaces"],
    )
    open_edit(page, live_server, aws_connector)
    page.click("#run-test")
    page.wait_for_selector("#test-checks")
    assert page.inner_text(".test-banner").startswith("Failed")
    states = {
        page.get_attribute(f"#test-checks li:nth-child({n})", "data-action"): page.inner_text(
            f"#test-checks li:nth-child({n}) .check-state"
        )
        for n in range(1, 6)
    }
    assert states == {
        "DescribeWorkspaces": "Allowed",
        "DescribeWorkspaceBundles": "Denied",
        "DescribeWorkspaceImages": "Denied",
        "DescribeWorkspacesPools": "Denied",
        "DescribeWorkspacesPoolSessions": "Not called",
    }
    assert "which ones it does not allow" in page.inner_text(".test-hint")
    shot(page, "connector-test-panel-checklist")


def test_run_test_failure_shows_the_error_and_what_to_check(
    page, live_server, admin_user, aws_sim, aws_connector
):
    aws_sim.create_customer_role(CUSTOMER_ACCOUNT, ROLE_NAME, external_id="wrong-external-id")
    open_edit(page, live_server, aws_connector)
    page.keyboard.press("Tab")
    page.focus("#run-test")
    page.keyboard.press("Enter")  # keyboard accessible
    page.wait_for_selector(".test-hint")
    text = page.inner_text("#test-result")
    assert "Failed" in text and "AccessDenied" in text and "403" in text and "trust policy" in text
    shot(page, "connector-test-panel-error")


def test_a_missing_region_is_shown_at_the_field_not_as_an_aws_error(
    page, live_server, admin_user, aws_sim, aws_connector
):
    open_edit(page, live_server, aws_connector)
    page.click("#tab-parameters")
    page.select_option("[name=region]", "")
    page.click("#tab-general")
    page.click("#run-test")
    page.wait_for_selector("#test-local")
    # The Parameters tab opens on the field with the message, like the form's own errors.
    assert page.is_visible("[name=region]")
    region_box = page.locator(".field", has=page.locator("[name=region]"))
    assert "Select a region first." in region_box.inner_text()
    panel = page.inner_text("#test-result")
    assert "Status code" not in panel and "Failed" not in panel and "nothing was sent" in panel
    assert aws_sim.stats()["calls"].get("AssumeRole", 0) == 0
    shot(page, "connector-test-panel-local-error")
    # Choosing a region and testing again clears the message.
    page.select_option("[name=region]", "eu-west-1")
    page.click("#run-test")
    page.wait_for_selector("#test-checks")
    assert "Select a region first." not in region_box.inner_text()
