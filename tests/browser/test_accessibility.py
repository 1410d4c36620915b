"""Every page of the console, and Django admin's device and preference pages, checked by axe-core
(vendored: tests/browser/vendor/axe-core) with data present: no serious or
critical violation. Each page is also photographed at 1440x900 and 390x844, in
the light and the dark colour scheme, into var/screenshots/ (<page>-<width>-<scheme>.png)."""

from collections.abc import Callable
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from connectors.models import Device, InboundConnector
from insight.alert_services import ChannelData, channel_save, rule_save
from nexthink_admin.models import UserPreference
from nql import services as nql_services
from tests.browser.axe import axe_source, serious_violations
from tests.insight.conftest import build_fleet
from tests.pools.factories import make_pool, make_session
from tests.security.test_every_url import SECURITY_TABLE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = settings.VAR_DIR / "screenshots"
SIZES = {"1440": {"width": 1440, "height": 900}, "390": {"width": 390, "height": 844}}
SCHEMES = ("light", "dark")
AXE_AT = {("1440", "light"), ("1440", "dark"), ("390", "light")}  # (width, scheme)
NQL = "devices | summarize n = count() by virtualization.region"

# Page name -> its URL, given the objects the `console` fixture made.
PAGES: dict[str, Callable[[dict], str]] = {
    "overview": lambda o: reverse("home"),
    "credentials-list": lambda o: reverse("credentials:list"),
    "credential-detail": lambda o: reverse("credentials:detail", args=[o["credential"]]),
    "credential-new": lambda o: reverse("credentials:create"),
    "credential-edit": lambda o: reverse("credentials:edit", args=[o["credential"]]),
    "credential-delete": lambda o: reverse("credentials:delete", args=[o["credential"]]),
    "connectors-list": lambda o: reverse("connectors:list"),
    "connector-choose-type": lambda o: reverse("connectors:choose_type"),
    "connector-new": lambda o: reverse("connectors:create", args=["aws_workspaces"]),
    "connector-detail": lambda o: reverse("connectors:detail", args=[o["connector"]]),
    "connector-edit": lambda o: reverse("connectors:edit", args=[o["connector"]]),
    "connector-delete": lambda o: reverse("connectors:delete", args=[o["connector"]]),
    "devices-list": lambda o: reverse("devices:list"),
    "pools-list": lambda o: reverse("pools:list"),
    "pool-detail": lambda o: reverse("pools:detail", args=[o["pool"]]),
    "connector-runs": lambda o: reverse("connectors:runs", args=[o["connector"]]),
    "preferences": lambda o: reverse("preferences"),
    "device-detail": lambda o: reverse("devices:detail", args=[o["device"]]),
    "audit": lambda o: reverse("audit"),
    "health": lambda o: reverse("insight:health"),
    "health-state-changes": lambda o: reverse("insight:transitions"),
    "usage": lambda o: reverse("insight:usage"),
    "usage-unused": lambda o: reverse("insight:unused"),
    "usage-pool-load": lambda o: reverse("insight:pool_load"),
    "drift": lambda o: reverse("insight:drift"),
    "drift-changes": lambda o: reverse("insight:drift_changes"),
    "retention": lambda o: reverse("insight:retention"),
    "alerts": lambda o: reverse("insight:alerts"),
    "alert-channel-new": lambda o: reverse("insight:channel_create"),
    "alert-channel-edit": lambda o: reverse("insight:channel_edit", args=[o["channel"]]),
    "alert-channel-delete": lambda o: reverse("insight:channel_delete", args=[o["channel"]]),
    "alert-rule-edit": lambda o: reverse("insight:rule_edit", args=["connector_failing"]),
    "nql-query": lambda o: reverse("nql:query") + "?" + urlencode({"q": NQL}),
    "nql-api-queries": lambda o: reverse("nql_queries:list"),
    "nql-api-query-new": lambda o: reverse("nql_queries:create"),
    "nql-api-query-edit": lambda o: reverse("nql_queries:edit", args=[o["api_query"]]),
    "nql-api-query-delete": lambda o: reverse("nql_queries:delete", args=[o["api_query"]]),
    "api-credentials": lambda o: reverse("api_clients:list"),
    "api-credential-new": lambda o: reverse("api_clients:create"),
    "api-credential-revoke": lambda o: reverse("api_clients:revoke", args=[o["api_client"]]),
    "operations": lambda o: reverse("operations:page"),
    "admin-devices": lambda o: reverse("admin:connectors_device_changelist"),
    "admin-device": lambda o: reverse("admin:connectors_device_change", args=[o["device"]]),
    "admin-preferences": lambda o: reverse("admin:nexthink_admin_userpreference_changelist"),
}
# GET URLs of the security table that are not pages a person reads.
NOT_PAGES = {
    "devices:export_csv",
    "devices:export_enrichment",
    "devices:export_summary",  # JSON: what the Enrichment export leaves out
    "nql:export_csv",
    "nql_api:openapi",
    "connectors:runs_fragment",  # a fragment the connector page polls; swept within it
}


@pytest.fixture(scope="module")
def axe():
    return axe_source()


@pytest.fixture(scope="module")
def context(browser):
    """One browser context for the whole sweep; each test signs in again (the
    database, sessions included, is emptied between tests)."""
    context = browser.new_context(viewport=SIZES["1440"])
    yield context
    context.close()


@pytest.fixture
def console(admin_user):
    """A console with something on every page: a connector with its credential,
    runs (two failed), devices with state changes and drift, an alert channel
    and rule, a saved API query and an API client."""
    build_fleet(connectors=1, workspaces=14, days=1)
    connector = InboundConnector.objects.get()
    channel = channel_save(
        data=ChannelData(name="Operations team", kind="email", recipients="ops@example.com")
    )
    rule_save(kind="connector_failing", threshold=2, enabled=True, channels=[channel])
    api_query = nql_services.nql_api_query_create(
        name="Devices by region", query_id="#devices_by_region", description="", query=NQL
    )
    api_client, _ = nql_services.api_client_create(name="Power BI", permissions=["nql:devices"])
    UserPreference.objects.create(user=admin_user, time_zone="Europe/Zurich", theme="system")
    pool = make_pool(connector, 901, name="Call centre", actual_user_sessions=4)
    for n in range(3):
        make_session(pool, n)
    return {
        "user": admin_user,
        "credential": connector.credential_id,
        "connector": connector.pk,
        "device": Device.objects.filter(pool_type="personal").order_by("name").first().pk,
        "channel": channel.pk,
        "api_query": api_query.pk,
        "api_client": api_client.pk,
        "pool": pool.pk,
    }


def signed_in_page(context, live_server, user):
    client = Client()
    client.force_login(user)
    context.clear_cookies()
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    return context.new_page()


def sweep(page, axe: str, name: str) -> list[str]:
    """Each colour scheme at each size: axe where AXE_AT says, and a screenshot."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    found = []
    for scheme in SCHEMES:
        page.emulate_media(color_scheme=scheme)
        for width, size in SIZES.items():
            page.set_viewport_size(size)
            # The page's resize handlers have run (two frames) and colours that
            # transition (Django admin's links) are read at their end.
            page.evaluate(
                "() => new Promise(done =>"
                " requestAnimationFrame(() => requestAnimationFrame(done)))"
            )
            page.evaluate(
                "() => document.getAnimations()"
                ".forEach(a => a instanceof CSSTransition && a.finish())"
            )
            if (width, scheme) in AXE_AT:
                found += [f"[{width} {scheme}] {v}" for v in serious_violations(page, axe)]
            page.screenshot(path=str(SHOTS / f"{name}-{width}-{scheme}.png"), full_page=True)
    return found


def csp_watch(page) -> list[str]:
    blocked: list[str] = []
    page.on(
        "console",
        lambda msg: blocked.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    return blocked


@pytest.mark.parametrize("name", list(PAGES))
def test_page_has_no_serious_accessibility_violation(name, context, live_server, console, axe):
    page = signed_in_page(context, live_server, console["user"])
    blocked = csp_watch(page)
    try:
        response = page.goto(live_server.url + PAGES[name](console))
        assert response.status == 200, f"{name}: HTTP {response.status}"
        page.wait_for_load_state("networkidle")
        assert not blocked, f"{name} broke the Content-Security-Policy: {blocked[:3]}"
        found = sweep(page, axe, name)  # axe's own inline styles are refused: not the page's
    finally:
        page.close()
    assert not found, f"{name}: axe found\n" + "\n".join(found)


FORMS = ("credential-new", "connector-new", "alert-channel-new", "nql-api-query-new")


@pytest.mark.parametrize("name", FORMS)
def test_form_showing_its_errors_has_no_serious_accessibility_violation(
    name, context, live_server, console, axe
):
    page = signed_in_page(context, live_server, console["user"])
    try:
        page.goto(live_server.url + PAGES[name](console))
        with page.expect_navigation():  # sent empty, past the browser's own checks
            page.locator("main form[method=post]").first.evaluate("form => form.submit()")
        assert page.locator(".error, .msg-error").count(), f"{name}: no error shown"
        found = sweep(page, axe, f"{name}-errors")
    finally:
        page.close()
    assert not found, f"{name} with errors: axe found\n" + "\n".join(found)


def test_sign_in_page_has_no_serious_accessibility_violation(browser, live_server, axe):
    context = browser.new_context(viewport=SIZES["1440"])
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/login/")
        found = sweep(page, axe, "login")
        # A failed attempt shows its message; that state is checked too.
        page.fill("#id_username", "nobody")
        page.fill("#id_password", "wrong")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        found += [f"[failed sign-in] {v}" for v in sweep(page, axe, "login-failed")]
    finally:
        context.close()
    assert not found, "login: axe found\n" + "\n".join(found)


def test_the_sweep_covers_every_page_of_the_console():
    swept = {
        name
        for name in SECURITY_TABLE
        if SECURITY_TABLE[name][0] == "GET" and name not in NOT_PAGES
    }
    urls = set()
    objects = {k: 1 for k in ("credential", "connector", "device", "channel")}
    objects |= {"api_query": 1, "api_client": 1, "pool": 1}
    for build in PAGES.values():
        urls.add(build(objects).split("?")[0])
    from django.urls import resolve

    named = set()
    for url in urls:
        match = resolve(url)
        named.add(f"{match.namespace}:{match.url_name}" if match.namespace else match.url_name)
    missing = sorted(swept - named)
    assert not missing, f"pages without an accessibility check: {missing}"
