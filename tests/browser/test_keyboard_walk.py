"""The reference flow by keyboard alone: sign in, a credential and its Role ARN,
a connector (type, name, recurrence, credential, region, environment), Run test,
save, Run now, the devices and one device. Only key presses move focus and act
(Tab, Shift+Tab, arrows, Enter and typing); the page is read, never clicked.
Against a live server, the AWS simulator and a real Celery worker, as
test_reference_flow.py does it with the mouse."""

import json

import pytest

from connectors.models import Device, InboundConnector, Run
from credentials.models import Credential
from tests.browser.axe import axe_source, serious_violations
from tests.browser_support import shot
from tests.conftest import CUSTOMER_ACCOUNT
from tests.waiting import wait_for

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]
ROLE = "NexthinkConnector-KeyboardFlow"
MOST_PRESSES = 80  # more Tabs than any page here needs to reach its last control

FOCUSED = """([css, text]) => {
  const el = document.activeElement;
  if (!el || el === document.body || !el.matches(css)) return false;
  return !text || (el.innerText || el.value || "").includes(text);
}"""


def focused(page, css: str, text: str = "") -> bool:
    return page.evaluate(FOCUSED, [css, text])


def tab_to(page, css: str, text: str = "", *, back: bool = False) -> None:
    """Press Tab (Shift+Tab going back) until the focused element matches."""
    for _ in range(MOST_PRESSES):
        if focused(page, css, text):
            return
        page.keyboard.press("Shift+Tab" if back else "Tab")
    pytest.fail(f"{css} {text!r} cannot be reached with the keyboard on {page.url}")


def follow(page, css: str, text: str = "", *, back: bool = False) -> None:
    """Tab to a link or submit button and press Enter: a new page loads."""
    tab_to(page, css, text, back=back)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def type_into(page, css: str, value: str) -> None:
    tab_to(page, css)
    page.keyboard.type(value)


def choose(page, css: str, value: str) -> None:
    """Tab to a select and move through its options with the arrow keys."""
    tab_to(page, css)
    count = page.locator(css).locator("option").count()
    for key in ("ArrowDown", "ArrowUp"):
        for _ in range(count):
            if page.input_value(css) == value:
                return
            page.keyboard.press(key)
    assert page.input_value(css) == value, f"{css}: no option {value!r} by the arrow keys"


def test_reference_flow_by_keyboard_alone(
    page, live_server, admin_user, aws_sim, real_worker, settings
):
    settings.AWS_TRUSTED_ACCOUNT_ID = "123456789012"  # the simulator's account
    aws_sim.seed(CUSTOMER_ACCOUNT, "eu-west-1", workspaces=12, bundles=2, images=1)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)

    # Sign in.
    page.goto(f"{live_server.url}/login/")
    type_into(page, "#id_username", "root")
    type_into(page, "#id_password", "pw-for-tests-1")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_selector("nav.sidebar")

    # The first Tab shows a skip link; it moves the focus to the page's content.
    page.keyboard.press("Tab")
    assert focused(page, "a.skip-link", "Skip to content")
    assert page.locator("a.skip-link").bounding_box()["y"] >= 0  # visible once focused
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none", "the focused link shows no outline"
    page.keyboard.press("Enter")
    assert focused(page, "main#main")
    page.keyboard.press("Tab")
    assert page.evaluate("document.querySelector('main').contains(document.activeElement)")

    # Administration > Connector credentials > New credential.
    follow(page, "nav a", "Connector credentials", back=True)
    follow(page, "a", "New credential")
    type_into(page, "#id_name", "Production AWS account")
    assert page.input_value("#id_protocol") == "aws_iam"
    follow(page, "button[type=submit]", "Save")
    page.wait_for_selector("#trust-policy")
    external_id = Credential.objects.get().external_id
    assert page.inner_text("#external-id").strip() == external_id

    # Copy the trust policy with the keyboard, create the role "in AWS" with it.
    tab_to(page, "[data-copy='#trust-policy']")
    page.keyboard.press("Enter")
    copied = json.loads(page.evaluate("navigator.clipboard.readText()"))
    assert copied["Statement"][0]["Condition"]["StringEquals"]["sts:ExternalId"] == external_id
    role_arn = aws_sim.create_customer_role(CUSTOMER_ACCOUNT, ROLE, external_id=external_id)

    # Paste the Role ARN: Enter in the field submits the form.
    follow(page, "a", "Add Role ARN", back=True)
    type_into(page, "#id_role_arn", role_arn)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_selector("text=Ready")

    # Administration > Inbound connectors > New connector > AWS WorkSpaces.
    follow(page, "nav a", "Inbound connectors")
    follow(page, "a", "New connector")
    follow(page, "a.tile", "AWS WorkSpaces")
    page.wait_for_selector("#connector-form.js-tabs")
    type_into(page, "#id_name", "AWS Prod EU")
    assert page.input_value("#id_nql_id") == "aws_prod_eu"  # suggested while typing
    type_into(page, "#id_description", "Virtual desktops in Ireland")
    choose(page, "#id_recurrence", "60")
    credential_id = str(Credential.objects.get().pk)
    choose(page, "#id_credential", credential_id)

    # The tabs: back to the tab list, the right arrow opens Parameters.
    tab_to(page, "[role=tab]", back=True)
    assert focused(page, "#tab-general")
    page.keyboard.press("ArrowRight")
    assert focused(page, "#tab-parameters[aria-selected=true]")
    page.keyboard.press("Home")
    assert focused(page, "#tab-general[aria-selected=true]") and page.is_hidden("#panel-parameters")
    page.keyboard.press("End")
    assert focused(page, "#tab-parameters[aria-selected=true]")
    assert page.is_visible("#panel-parameters") and page.is_hidden("#panel-general")
    choose(page, "#id_region", "eu-west-1")
    type_into(page, "#id_environment_name", "Production EU")

    # Run test, then Save (going back from the test panel).
    tab_to(page, "#run-test")
    page.keyboard.press("Enter")
    page.wait_for_selector("#test-sample")
    meta = page.inner_text("#test-meta")
    assert "200" in meta and " ms" in meta
    assert "Production EU" in page.inner_text("#test-sample")
    assert focused(page, "#run-test")  # the focus stays where the user was
    found = serious_violations(page, axe_source())  # the results panel, built by script
    assert not found, "\n".join(found)
    shot(page, "keyboard-connector-test-results")
    follow(page, "button[type=submit]", "Save", back=True)
    page.wait_for_selector("text=Run now")
    connector = InboundConnector.objects.get()
    assert (connector.nql_id, connector.recurrence) == ("aws_prod_eu", 60)
    assert connector.credential_id == int(credential_id)
    assert connector.parameters["region"] == "eu-west-1"
    assert connector.environment_name == "Production EU"

    # Run now: a real worker collects; the page updates without a reload.
    follow(page, "button[type=submit]", "Run now")
    assert wait_for(lambda: Run.objects.filter(connector=connector, status="succeeded").exists()), (
        list(Run.objects.values("status", "error_message"))
    )
    page.wait_for_selector("[data-status='succeeded']", timeout=20000)
    assert Device.objects.filter(connector=connector).count() == 12

    # Devices: a filter chosen with the arrow keys applies only on Apply (the
    # drop-down does not reload the page at the first arrow), then a device.
    follow(page, "nav a", "Devices")
    loads: list[str] = []
    page.on("load", lambda loaded: loads.append(loaded.url))
    choose(page, "#id_pool_type", "personal")
    follow(page, "button[type=submit]", "Apply")
    assert len(loads) == 1 and "pool_type=personal" in loads[0], loads
    first = Device.objects.filter(connector=connector).order_by("name").first()
    follow(page, "tbody th a", first.name)
    assert page.url.endswith(f"/devices/{first.pk}/")
    body = page.inner_text("main")
    assert first.name in body and "Production EU" in body
    shot(page, "keyboard-device")
