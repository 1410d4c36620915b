"""The Devices pages as an administrator sees them: which devices the
Enrichment export leaves out, and duplicate names."""

from datetime import timedelta

import pytest

from tests.connectors.factories import make_connector
from tests.devices.factories import LAST_UPDATE, make_device

from .conftest import shot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_not_exported_and_duplicate_devices_are_marked_and_filtered(page, live_server, admin_user):
    eu = make_connector("AWS EU", region="eu-west-1", environment_name="Prod EU")
    again = make_connector("AWS EU again", region="eu-west-1", environment_name="Second look")
    make_device(eu, 1, name="WS-ALPHA")
    make_device(eu, 2, name="ws-pending2", workspace_id="ws-pending2", state="PENDING")
    stale = make_device(eu, 3, name="WS-SHARED")
    make_device(again, 3, name="WS-SHARED", last_update=LAST_UPDATE + timedelta(hours=1))

    sign_in(page, live_server, "root", "pw-for-tests-1")
    page.goto(f"{live_server.url}/devices/")
    row = page.locator("tr", has_text="ws-pending2")
    assert row.locator(".badge", has_text="Not exported: No ComputerName").is_visible()
    assert page.locator(".badge", has_text="Duplicate name").count() == 2
    shot(page, "devices-export-markers")

    page.select_option("#id_export", "not_exported")
    page.wait_for_url("**export=not_exported**")
    names = page.locator("tbody th[scope=row] a").all_inner_texts()
    assert sorted(names) == ["WS-SHARED", "ws-pending2"]

    page.goto(f"{live_server.url}/devices/?names=duplicate")
    assert page.locator("tbody th[scope=row] a").all_inner_texts() == ["WS-SHARED", "WS-SHARED"]

    page.goto(f"{live_server.url}{stale.get_absolute_url()}")
    assert (
        page.locator("#export-exclusion")
        .inner_text()
        .startswith("Not in the Enrichment export: Duplicate name.")
    )
    assert "Second look" in page.locator("#duplicate-name").inner_text()
    shot(page, "device-duplicate-name")
