"""The vendor's reference flow, as an administrator does it, against a live
server with the AWS simulator and a real Celery worker."""

import json
import re

import pytest

from connectors.models import Device, InboundConnector, Run
from credentials.models import Credential
from tests.conftest import CUSTOMER_ACCOUNT
from tests.waiting import wait_for

from .conftest import shot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]
ROLE = "NexthinkConnector-BrowserFlow"


def test_credential_connector_run_and_devices_end_to_end(
    page, live_server, admin_user, aws_sim, real_worker, settings
):
    settings.AWS_TRUSTED_ACCOUNT_ID = (
        "123456789012"  # the simulator's account for the app's plain keys
    )
    aws_sim.seed(
        CUSTOMER_ACCOUNT,
        "eu-west-1",
        workspaces=60,
        bundles=4,
        images=2,
        pools=1,
        sessions_per_pool=5,
    )
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    sign_in(page, live_server, "root", "pw-for-tests-1")
    shot(page, "01-overview-empty")

    # Administration > Connector credentials > New credential (AWS IAM)
    page.click("text=Connector credentials")
    page.click("text=New credential")
    page.fill("#id_name", "Production AWS account")
    page.select_option("#id_protocol", "aws_iam")
    page.click("button:has-text('Save')")
    page.wait_for_selector("#trust-policy")
    external_id = page.inner_text("#external-id").strip()
    assert external_id == Credential.objects.get().external_id
    trust = json.loads(page.inner_text("#trust-policy"))
    assert trust["Statement"][0]["Condition"]["StringEquals"]["sts:ExternalId"] == external_id
    permissions = json.loads(page.inner_text("#permissions-policy"))
    assert len(permissions["Statement"][0]["Action"]) == 5
    shot(page, "02-credential-policies")

    # Copy the trust policy, create the role "in AWS" with it, come back with the ARN.
    page.click("[data-copy='#trust-policy']")
    copied = json.loads(page.evaluate("navigator.clipboard.readText()"))
    assert copied == trust
    role_arn = aws_sim.create_customer_role(
        CUSTOMER_ACCOUNT,
        ROLE,
        external_id=copied["Statement"][0]["Condition"]["StringEquals"]["sts:ExternalId"],
    )
    page.click("text=Add Role ARN")
    page.fill("#id_role_arn", role_arn)
    page.click("button:has-text('Save')")
    page.wait_for_selector("text=Ready")

    # Administration > Inbound connectors > New connector > AWS WorkSpaces
    page.click("nav >> text=Inbound connectors")
    page.click("text=New connector")
    page.click("text=AWS WorkSpaces")
    page.wait_for_selector(
        "#connector-form.js-tabs"
    )  # the form's script has attached its listeners
    page.fill("#id_name", "AWS Prod EU")
    assert page.input_value("#id_nql_id") == "aws_prod_eu"  # suggested while typing
    page.fill("#id_description", "Virtual desktops in Ireland")
    page.select_option("#id_recurrence", "60")
    page.select_option("#id_credential", label="Production AWS account")
    page.click("#tab-parameters")
    page.select_option("#id_region", "eu-west-1")
    page.fill("#id_environment_name", "Production EU")
    page.click("#run-test")
    page.wait_for_selector("#test-sample")
    meta = page.inner_text("#test-meta")
    assert "200" in meta and " ms" in meta
    assert "virtualization.environment_name" in page.inner_text("#test-sample")
    shot(page, "03-connector-form-test-results")
    page.click("button:has-text('Save')")
    page.wait_for_selector("text=Run now")
    connector = InboundConnector.objects.get()
    assert connector.nql_id == "aws_prod_eu"
    shot(page, "04-connector-page")

    # The NQL ID is now read-only.
    page.click("text=Edit")
    assert page.is_disabled("#id_nql_id")
    page.go_back()

    # Run now: a real worker collects; the page updates without a reload.
    page.click("button:has-text('Run now')")
    assert wait_for(lambda: Run.objects.filter(connector=connector, status="succeeded").exists()), (
        list(Run.objects.values("status", "error_message"))
    )
    page.wait_for_selector("[data-status='succeeded']", timeout=20000)
    assert Device.objects.filter(connector=connector).count() == 60  # sessions are not devices
    shot(page, "05-connector-run-succeeded")

    # Devices appear with their fields; open one.
    page.click("nav >> text=Devices")
    page.wait_for_selector("table")
    assert "aws_workspaces" in page.content() and "Production EU" in page.content()
    shot(page, "06-devices")
    device = (
        Device.objects.filter(connector=connector, pool_type="personal").order_by("name").first()
    )
    page.goto(f"{live_server.url}/devices/{device.pk}/")
    body = page.inner_text("main")
    for value in (
        device.name,
        device.instance_size,
        device.disk_image,
        device.desktop_pool,
        "virtualization.instance_size",
    ):
        assert value in body
    shot(page, "07-device")

    # The same device in Django admin.
    page.goto(f"{live_server.url}/admin/connectors/device/{device.pk}/change/")
    admin_body = page.inner_text("#content")
    assert device.name in admin_body and device.instance_size in admin_body
    assert re.search(r"Production EU", admin_body)
    shot(page, "08-device-in-django-admin")
