"""Tables fit their card, at 1440x900 and on a phone (390x844): a long
connector name does not widen the table, the name column stays in view while
the rest scrolls inside the card, the devices table needs no sideways scroll
with its default columns, and its column choice is remembered."""

import pytest
from django.urls import reverse

from connectors.models import Run
from nexthink_admin.models import AuditEvent
from tests.connectors.factories import make_connector
from tests.credentials.factories import make_credential
from tests.devices.factories import make_devices
from tests.pools.factories import make_pool

from .conftest import shot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}
LONG_NAME = "Production EU West WorkSpaces for the finance and accounting departments " + "x" * 27
assert len(LONG_NAME) == 100


def _box(page, selector: str) -> dict:
    box = page.locator(selector).first.bounding_box()
    assert box is not None, f"{selector} is not shown"
    return box


def _scroll(page, selector: str) -> dict:
    return page.eval_on_selector(
        selector,
        "el => ({scrollWidth: el.scrollWidth, clientWidth: el.clientWidth})",
    )


@pytest.fixture
def signed_in(page, live_server, admin_user):
    sign_in(page, live_server, "root", "pw-for-tests-1")
    return page


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1440", "390"])
def test_a_100_character_connector_name_stays_within_its_card(signed_in, live_server, viewport):
    page = signed_in
    make_connector(
        LONG_NAME, nql_id="#finance_eu_west", credential=make_credential("Finance account")
    )
    make_connector("AWS Prod US", region="us-east-1")
    page.set_viewport_size(viewport)
    page.goto(live_server.url + reverse("connectors:list"))
    card, table = _box(page, ".card.flush"), _box(page, ".card.flush table")
    assert card["x"] + card["width"] <= viewport["width"] + 1, "the card leaves the page"
    name = page.locator("tbody tr td:first-child a", has_text="Production EU West").first
    # The full name is the link's text (read out) and its title (shown on hover).
    assert name.get_attribute("title") == LONG_NAME
    assert name.inner_text().strip() == LONG_NAME
    name_box = name.bounding_box()
    assert name_box["width"] < card["width"] * 0.6, "the name takes the whole card"
    shot(page, f"tables-connectors-{viewport['width']}")
    if viewport is DESKTOP:
        assert table["width"] <= card["width"] + 1, "the table is wider than its card"
        devices = _box(page, "thead th:last-child")
        assert devices["x"] + devices["width"] <= card["x"] + card["width"] + 1
        return
    # On a phone the table scrolls inside the card and its name column stays put.
    page.eval_on_selector(".card.flush", "el => { el.scrollLeft = el.scrollWidth; }")
    first_cell = _box(page, "tbody tr:first-child > :first-child")
    assert abs(first_cell["x"] - card["x"]) <= 2, "the name column scrolled out of view"
    last_header = _box(page, "thead th:last-child")
    assert last_header["x"] + last_header["width"] <= card["x"] + card["width"] + 1
    shot(page, "tables-connectors-390-scrolled")


def test_devices_need_no_sideways_scroll_by_default_and_remember_the_chosen_columns(
    signed_in, live_server
):
    page = signed_in
    connector = make_connector("AWS Prod EU")
    make_devices(
        connector,
        30,
        hostname="AWS host",
        hypervisor_name="AWS hypervisor",
        desktop_broker="aws_workspace",
        desktop_pool="Finance Windows 10 Power",
        disk_image="Finance-Windows10Enterprise-003",
        instance_size="POWERPRO",
    )
    page.goto(live_server.url + reverse("devices:list"))
    sizes = _scroll(page, ".card.flush.table-scroll")
    assert sizes["scrollWidth"] <= sizes["clientWidth"], "the devices table scrolls sideways"
    assert not page.locator("th[data-col=hostname]").is_visible()
    shot(page, "tables-devices-1440")

    page.click(".column-chooser summary")
    page.check(".column-chooser input[data-col=hostname]")
    assert page.locator("th[data-col=hostname]").is_visible()
    page.reload()
    assert page.locator("th[data-col=hostname]").is_visible(), "the choice was forgotten"
    assert page.locator("td[data-col=hostname]").first.inner_text() == "AWS host"

    page.click(".column-chooser summary")
    page.click("[data-columns-reset]")
    assert not page.locator("th[data-col=hostname]").is_visible()
    page.reload()
    assert not page.locator("th[data-col=hostname]").is_visible()

    # The page size applies when chosen; the pages are numbered.
    page.select_option("#id_per_page", "25")
    page.wait_for_url("**per_page=25**")
    assert page.inner_text(".pager-total") == "1–25 of 30"
    assert page.locator(".pagination a[aria-current=page]").inner_text() == "1"
    shot(page, "tables-devices-paged-1440")
    page.set_viewport_size(PHONE)
    page.eval_on_selector(".card.flush.table-scroll", "el => { el.scrollLeft = el.scrollWidth; }")
    card, name = _box(page, ".card.flush.table-scroll"), _box(page, "tbody th.sticky-col")
    assert abs(name["x"] - card["x"]) <= 2, "the name column scrolled out of view"
    shot(page, "tables-devices-390-scrolled")


def test_the_runs_table_on_a_phone_keeps_duration_and_devices_readable(signed_in, live_server):
    page = signed_in
    connector = make_connector("AWS Prod EU")
    for _ in range(3):
        Run.objects.create(
            connector=connector,
            status="succeeded",
            trigger="schedule",
            seen=1234,
            created=12,
            updated=3,
            unchanged=1219,
            removed=2,
        )
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + reverse("connectors:runs", args=[connector.pk]))
    for label in ("Duration", "Devices"):
        cell = page.locator(f"td[data-label={label}]").first
        box = cell.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
    assert "1219 unchanged" in page.locator("td[data-label=Devices]").first.inner_text()
    shot(page, "tables-runs-390")


def test_every_list_keeps_its_table_within_its_card(signed_in, live_server):
    page = signed_in
    connector = make_connector(LONG_NAME, credential=make_credential(LONG_NAME))
    make_devices(connector, 30)
    Run.objects.create(connector=connector, status="succeeded", trigger="schedule", seen=30)
    make_pool(connector, 1)  # its last update is a relative time, read out in full
    AuditEvent.objects.create(
        action="changed",
        object_type="credential",
        object_id=1,
        object_repr=LONG_NAME,
        changes={"role_arn": [None, "arn:aws:iam::111122223333:role/" + "Nexthink" * 12]},
    )
    pages = {
        "credentials": reverse("credentials:list"),
        "audit": reverse("audit"),
        "runs": reverse("connectors:runs", args=[connector.pk]),
        "connector": reverse("connectors:detail", args=[connector.pk]),
        "nql-queries": reverse("nql_queries:list"),
        "api-credentials": reverse("api_clients:list"),
        "health": reverse("insight:health"),
        "transitions": reverse("insight:transitions"),
        "pools": reverse("pools:list"),
        "usage": reverse("insight:usage"),
        "unused": reverse("insight:unused"),
        "drift": reverse("insight:drift"),
    }
    for name, path in pages.items():
        for viewport in (DESKTOP, PHONE):
            page.set_viewport_size(viewport)
            page.goto(f"{live_server.url}{path}")
            for card in page.locator(".card.flush").all():
                box = card.bounding_box()
                assert box["x"] + box["width"] <= viewport["width"] + 1, f"{name}: card overflows"
            # Nor does the page itself scroll sideways: not for the hidden exact
            # time of a relative one in a scrolled table, nor for a long name
            # in a heading or a filter.
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= viewport["width"], f"{name}: the page scrolls sideways ({width} px)"
            if viewport is DESKTOP and page.locator(".card.flush table").count():
                sizes = _scroll(page, ".card.flush")
                assert sizes["scrollWidth"] <= sizes["clientWidth"], f"{name}: scrolls at 1440"
            shot(page, f"tables-{name}-{viewport['width']}")


@pytest.mark.parametrize("where", ["device", "pool"])
def test_on_a_phone_virtualization_values_go_under_their_labels_whole(
    signed_in, live_server, where
):
    """Beside a 250 px label column a value had a few characters a line
    ("aws_w / orkspa / ces"); on a phone it goes under its label instead."""
    from tests.pools.factories import make_pool

    connector = make_connector("AWS EU")
    if where == "device":
        target = make_devices(connector, 1)[0]
        url = reverse("devices:detail", args=[target.pk])
    else:
        url = reverse("pools:detail", args=[make_pool(connector, 1).pk])
    page = signed_in
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + url)
    broker = page.locator("dl.props.fields dd", has_text="aws_workspaces").first
    line = float(broker.evaluate("el => parseFloat(getComputedStyle(el).lineHeight) || 20"))
    assert broker.bounding_box()["height"] < line * 1.5, "the value wraps inside a narrow column"
    shot(page, f"{where}-fields-390")


def test_a_row_header_reads_as_written_not_in_the_column_headers_capitals(signed_in, live_server):
    from tests.pools.factories import make_pool

    make_pool(make_connector("AWS EU"), 1, name="Finance-pool-1")
    page = signed_in
    page.goto(live_server.url + reverse("pools:list"))
    cell = page.locator("tbody th[scope=row]").first
    assert cell.evaluate("el => getComputedStyle(el).textTransform") == "none"
    assert "Finance-pool-1" in cell.inner_text()
