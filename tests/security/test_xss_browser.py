"""Stored and reflected XSS, in a real browser: markup stored in credential,
connector, run and device fields renders as text on every page that shows it.

Each payload would, if it became markup, set `window.__xss`, open a dialog,
create an element carrying `data-xss`, or a `javascript:` link; each page is
checked for all four (so the check holds whether or not the CSP would also
block the script), and for the payload being visible as text."""

import pytest
from django.conf import settings
from django.utils import timezone

from connectors.models import DeviceChange, Run
from connectors.services import ConnectorData, connector_save
from credentials import services as credential_services
from tests.browser_support import sign_in
from tests.conftest import CUSTOMER_ACCOUNT
from tests.credentials.factories import make_credential
from tests.devices.factories import make_device

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAYLOADS = {
    "credential": 'C1 <img src=x data-xss onerror="window.__xss=1">',
    "waiting": "W1 <script data-xss>window.__xss=1;alert(1)</script>",
    "connector": "N1 <script data-xss>alert(1)</script>",
    "description": (
        'D1 "><img src=x data-xss onerror=alert(1)>'
        ' <a data-xss href="javascript:window.__xss=1">go</a> {{ settings.SECRET_KEY }}'
    ),
    "environment": "E1 '><svg data-xss onload=window.__xss=1>",
    "device": '<a data-xss href="javascript:window.__xss=1">V1</a>',
    "disk_image": 'I1 <img src=x data-xss onerror="window.__xss=1">',
    "desktop_pool": "P1 <script data-xss>alert(1)</script>",
    "user_name": "U1 </td><svg data-xss onload=alert(1)>",
    "run_error": 'R1 <iframe data-xss src="javascript:window.__xss=1"></iframe>',
    "change_old": "O1 <b data-xss>old</b>",
    "change_new": "X1 <i data-xss onmouseover=alert(1)>new</i>",
}
JAVASCRIPT_LINKS = """[...document.querySelectorAll('a[href], iframe[src]')]
  .map(e => (e.getAttribute('href') || e.getAttribute('src')).trim().toLowerCase())
  .filter(link => link.startsWith('javascript:')).length"""


@pytest.fixture
def stored(aws_sim, aws_connector):
    """The simulated connector and its credential renamed to payloads, plus a waiting credential,
    a failed run, a device with payload fields and a recorded change of it."""
    credential = credential_services.credential_update(
        credential=aws_connector.credential,
        name=PAYLOADS["credential"],
        role_arn=aws_connector.credential.role_arn,
    )
    make_credential(PAYLOADS["waiting"], role_arn="")
    connector = connector_save(
        connector=aws_connector,
        data=ConnectorData(
            name=PAYLOADS["connector"],
            description=PAYLOADS["description"],
            recurrence=60,
            credential_id=credential.pk,
            parameters={"region": "eu-west-1"},
            environment_name=PAYLOADS["environment"],
        ),
    )
    run = Run.objects.create(
        connector=connector,
        status="failed",
        trigger="manual",
        finished_at=timezone.now(),
        error_code="AccessDenied",
        error_message=PAYLOADS["run_error"],
    )
    device = make_device(
        connector,
        1,
        name=PAYLOADS["device"],
        disk_image=PAYLOADS["disk_image"],
        desktop_pool=PAYLOADS["desktop_pool"],
        user_name=PAYLOADS["user_name"],
        last_seen_run=run,
    )
    DeviceChange.objects.create(
        device=device,
        run=run,
        field="disk_image",
        old_value=PAYLOADS["change_old"],
        new_value=PAYLOADS["change_new"],
        changed_at=timezone.now(),
    )
    return {"credential": credential.pk, "connector": connector.pk, "device": device.pk}


@pytest.fixture
def signed_in(page, live_server, admin_user):
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    sign_in(page, live_server, "root", "pw-for-tests-1")
    return page, dialogs


def assert_inert(page, dialogs, where: str) -> None:
    assert not dialogs, f"{where}: a dialog opened: {dialogs}"
    assert page.evaluate("window.__xss") is None, f"{where}: an injected script ran"
    assert page.evaluate("document.querySelectorAll('[data-xss]').length") == 0, (
        f"{where}: a payload became markup"
    )
    assert page.evaluate(JAVASCRIPT_LINKS) == 0, (
        f"{where}: a javascript: link or frame is on the page"
    )
    assert settings.SECRET_KEY not in page.content(), f"{where}: the SECRET_KEY was rendered"


# path (with {credential}, {connector}, {device}) -> payloads that page shows as text
PAGES = {
    "/": ["connector"],
    "/administration/credentials/": ["credential", "waiting"],
    "/administration/credentials/{credential}/": ["credential", "connector"],
    "/administration/credentials/{credential}/delete/": ["credential", "connector"],
    "/administration/connectors/": ["connector", "environment"],
    "/administration/connectors/{connector}/": [
        "connector",
        "description",
        "environment",
        "credential",
        "run_error",
    ],
    "/administration/connectors/{connector}/delete/": ["connector", "credential"],
    "/devices/": ["device", "disk_image", "desktop_pool", "connector", "environment"],
    "/devices/{device}/": [
        "device",
        "disk_image",
        "desktop_pool",
        "user_name",
        "connector",
        "change_old",
        "change_new",
    ],
    "/administration/audit/": ["connector", "credential"],
    "/admin/credentials/credential/": ["credential", "waiting"],
    "/admin/connectors/inboundconnector/": ["connector", "environment"],
    "/admin/connectors/run/": ["connector"],
    "/admin/connectors/device/": ["device", "disk_image", "connector"],
    "/admin/connectors/device/{device}/change/": ["device", "disk_image", "user_name"],
    "/admin/connectors/devicechange/": ["change_old", "change_new"],
}


def test_stored_payloads_render_as_text_on_every_page(signed_in, live_server, stored):
    page, dialogs = signed_in
    for path, shown in PAGES.items():
        url = live_server.url + path.format(**stored)
        response = page.goto(url)
        assert response.status == 200, f"{path}: {response.status}"
        text = page.inner_text("body")
        for key in shown:
            assert PAYLOADS[key] in text, f"{path}: the {key} payload is not shown as text"
        assert_inert(page, dialogs, path)


def test_payloads_stay_text_in_form_fields_and_the_test_results_panel(
    signed_in, live_server, stored, aws_sim
):
    page, dialogs = signed_in
    aws_sim.seed(CUSTOMER_ACCOUNT, "eu-west-1", workspaces=3, bundles=1, images=1)
    page.goto(f"{live_server.url}/administration/credentials/{stored['credential']}/edit/")
    assert page.input_value("#id_name") == PAYLOADS["credential"]
    assert_inert(page, dialogs, "credential form")

    page.goto(f"{live_server.url}/administration/connectors/{stored['connector']}/edit/")
    assert page.input_value("#id_name") == PAYLOADS["connector"]
    assert page.input_value("#id_description") == PAYLOADS["description"]
    assert page.input_value("#id_environment_name") == PAYLOADS["environment"]
    page.click("#run-test")
    page.wait_for_selector("#test-sample")
    assert PAYLOADS["environment"] in page.inner_text("#test-sample")
    assert_inert(page, dialogs, "Test results panel, sample")

    # A credential still waiting for its ARN: the refusal names it.
    waiting = page.locator("#id_credential option", has_text="W1 ").get_attribute("value")
    page.select_option("#id_credential", waiting)
    page.click("#run-test")
    page.wait_for_selector("[data-test-error]")  # answered at the credential field
    assert PAYLOADS["waiting"] in page.inner_text("[data-test-error]")
    assert_inert(page, dialogs, "Test results panel, refusal")


def test_a_payload_typed_into_a_form_shows_as_text_in_the_message(signed_in, live_server, stored):
    page, dialogs = signed_in
    typed = 'M1 <img src=x data-xss onerror="window.__xss=1">'
    page.goto(f"{live_server.url}/administration/credentials/{stored['credential']}/edit/")
    page.fill("#id_name", typed)
    page.click("form.card button[type=submit]")  # not the sidebar's Sign out
    page.wait_for_selector(".messages")
    assert typed in page.inner_text(".messages") and typed in page.inner_text("h1")
    assert_inert(page, dialogs, "credential saved message")


def test_a_search_query_is_reflected_as_text(signed_in, live_server, stored):
    page, dialogs = signed_in
    query = '"><script data-xss>window.__xss=1</script><img src=x data-xss onerror=alert(1)>'
    page.goto(f"{live_server.url}/devices/")
    page.fill("#id_q", query)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.input_value("#id_q") == query
    assert query in page.inner_text("body")  # "No device matches this view ... matches “<query>”"
    assert_inert(page, dialogs, "devices search")
    for href in page.eval_on_selector_all(
        "a[href^='?'], a[href*='/devices/export']", "els => els.map(e => e.href)"
    ):
        assert "<script" not in href and '"' not in href, f"unencoded query in a link: {href}"
