"""The NQL query page in a real browser: no CSP violation, the field
reference inserts names, Ctrl+Enter runs, the query lands in the URL."""

from urllib.parse import parse_qs, urlparse

import pytest

from tests.browser_support import shot, sign_in
from tests.devices.factories import make_devices

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_write_run_and_share_a_query(page, live_server, admin_user, fleet):
    make_devices(fleet["eu"], 2, start=300)
    sign_in(page, live_server, "root", "pw-for-tests-1")
    page.click("text=NQL query")
    page.fill("#id_q", "devices | summarize n = count() by ")
    page.click("button.nql-insert[data-insert='virtualization.region']")
    assert page.input_value("#id_q").endswith("by virtualization.region")
    page.focus("#id_q")
    page.keyboard.press("Control+Enter")
    page.wait_for_selector("table.nql-results")
    assert page.inner_text("table.nql-results tbody tr:first-child").split() == ["eu-west-1", "11"]
    assert page.locator("svg.chart").count() == 1
    shared = parse_qs(urlparse(page.url).query)["q"][0]
    assert shared == "devices | summarize n = count() by virtualization.region"
    shot(page, "nql-query")
