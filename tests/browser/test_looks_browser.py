"""Issue 17 in a browser: the theme switch (light, dark, system; saved for the
user, so another browser shows it too), the phone navigation at 390x844 (a
Menu button, no dead end), the Get started step's Run now, and the heat map's
axis text on a phone. Changed pages are photographed at 1440 and 390 px, light
and dark, into test-artifacts/ (<name>-<width>-<scheme>.png)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from connectors.models import Run
from insight.models import FleetSnapshot
from insight.services import snapshot_hours_rebuild
from nexthink_admin.models import UserPreference
from tests.browser_support import ARTIFACTS, shot, sign_in
from tests.connectors.factories import make_connector

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LIGHT_BG, DARK_BG = "rgb(244, 246, 249)", "rgb(15, 19, 32)"


def background(page) -> str:
    return page.evaluate("getComputedStyle(document.body).backgroundColor")


def shots(page, name: str) -> None:
    """The page at 1440 and 390 px wide, in the light and the dark scheme."""
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        for width, height in ((1440, 900), (390, 844)):
            page.set_viewport_size({"width": width, "height": height})
            shot(page, f"{name}-{width}-{scheme}")


def test_the_theme_switch_sets_light_or_dark_and_remembers_it(browser, live_server, admin_user):
    context = browser.new_context(viewport={"width": 1440, "height": 900}, color_scheme="light")
    page = context.new_page()
    csp = []
    page.on("console", lambda m: csp.append(m.text) if "Content Security" in m.text else None)
    sign_in(page, live_server, "root", "pw-for-tests-1")
    assert background(page) == LIGHT_BG  # the system's (emulated) light scheme
    with page.expect_response("**/preferences/theme/") as saved:
        page.get_by_role("button", name="Dark").click()
    assert saved.value.status == 200
    assert background(page) == DARK_BG
    assert page.get_by_role("button", name="Dark").get_attribute("aria-pressed") == "true"
    shot(page, "looks-overview-desktop-dark")
    page.goto(live_server.url + reverse("preferences"))  # another page: still dark
    assert background(page) == DARK_BG
    page.get_by_role("button", name="System").click()
    assert background(page) == LIGHT_BG and page.evaluate("localStorage.getItem('theme')") is None
    page.emulate_media(color_scheme="dark")  # "system" follows the system
    assert background(page) == DARK_BG
    page.get_by_role("button", name="Light").click()
    assert background(page) == LIGHT_BG
    context.close()
    assert not csp, csp


def test_on_a_phone_the_navigation_folds_into_a_menu(browser, live_server, admin_user):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    csp = []
    page.on("console", lambda m: csp.append(m.text) if "Content Security" in m.text else None)
    sign_in(page, live_server, "root", "pw-for-tests-1")
    menu = page.get_by_role("button", name="Menu")
    devices = page.locator("nav.sidebar").get_by_role("link", name="Devices", exact=True)
    assert menu.is_visible() and not devices.is_visible()
    assert page.locator("nav.sidebar").bounding_box()["height"] < 80  # not a block of links
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(page, "looks-overview-phone")
    menu.click()
    assert menu.get_attribute("aria-expanded") == "true" and devices.is_visible()
    shot(page, "looks-menu-open-phone")
    devices.click()
    page.wait_for_url("**/devices/")
    assert not page.locator("nav.sidebar").get_by_role("link", name="Overview").is_visible()
    context.close()
    assert not csp, csp


def test_without_javascript_every_link_stays_reachable_on_a_phone(browser, live_server, admin_user):
    context = browser.new_context(viewport={"width": 390, "height": 844}, java_script_enabled=False)
    page = context.new_page()
    sign_in(page, live_server, "root", "pw-for-tests-1")
    assert not page.get_by_role("button", name="Menu").is_visible()
    assert page.locator("nav.sidebar").get_by_role("link", name="Devices", exact=True).is_visible()
    context.close()


def test_the_theme_is_the_users_in_any_browser_they_sign_in_from(browser, live_server, admin_user):
    first = browser.new_context(viewport={"width": 1440, "height": 900}, color_scheme="light")
    page = first.new_page()
    sign_in(page, live_server, "root", "pw-for-tests-1")
    with page.expect_response("**/preferences/theme/") as saved:
        page.get_by_role("button", name="Dark").click()
    assert saved.value.ok and UserPreference.objects.get(user=admin_user).theme == "dark"
    first.close()

    second = browser.new_context(viewport={"width": 1440, "height": 900}, color_scheme="light")
    page = second.new_page()
    page.goto(f"{live_server.url}/login/")
    assert background(page) == LIGHT_BG  # before sign-in: this browser's own (none yet)
    sign_in(page, live_server, "root", "pw-for-tests-1")
    assert page.evaluate("document.documentElement.getAttribute('data-theme')") == "dark"
    assert background(page) == DARK_BG
    assert page.get_by_role("button", name="Dark").get_attribute("aria-pressed") == "true"
    page.goto(live_server.url + reverse("preferences"))
    assert page.get_by_role("radio", name="Dark").is_checked()
    page.get_by_role("radio", name="System").check()
    page.get_by_role("button", name="Save").click()
    page.wait_for_url("**/preferences/")
    assert page.get_by_role("radio", name="System").is_checked()
    assert background(page) == LIGHT_BG  # the system's (emulated) light scheme
    assert UserPreference.objects.get(user=admin_user).theme == "system"
    shots(page, "preferences-theme")
    page.goto(live_server.url + reverse("admin:nexthink_admin_userpreference_changelist"))
    assert page.locator("#result_list").get_by_role("link", name="root", exact=True).is_visible()
    assert page.evaluate("document.documentElement.dataset.theme") == "auto"  # admin's "system"
    shots(page, "admin-preferences")
    page.emulate_media(color_scheme="light")
    with page.expect_response("**/preferences/theme/") as saved:
        page.locator("#user-tools .theme-toggle").click()  # admin's own toggle saves it too
    assert saved.value.ok and UserPreference.objects.get(user=admin_user).theme == "light"
    assert page.evaluate("document.documentElement.dataset.theme") == "light"
    second.close()


def test_get_started_runs_a_never_run_connector_and_shows_its_progress(
    browser, live_server, admin_user, monkeypatch
):
    queued = []  # the worker's part: the run stays queued, as it shows before a worker takes it
    monkeypatch.setattr(
        "celery.app.task.Task.apply_async", lambda self, *a, **kw: queued.append(kw["kwargs"])
    )
    connector = make_connector("First connector")
    context = browser.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    sign_in(page, live_server, "root", "pw-for-tests-1")
    panel = page.locator("section.get-started")
    assert panel.locator("[data-step=run]").is_visible()
    shots(page, "get-started-run-now")
    page.set_viewport_size({"width": 1440, "height": 900})
    panel.get_by_role("button", name="Run now").click()
    page.wait_for_url(f"**{connector.get_absolute_url()}")
    run = Run.objects.get(connector=connector)
    assert run.status == "queued"
    assert queued == [{"connector_id": connector.pk, "run_id": run.pk}]
    assert page.locator("#runs tbody tr").first.get_by_text("Queued").is_visible()
    shots(page, "get-started-run-started")
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(live_server.url + reverse("home"))
    assert panel.locator("[data-step=wait]").is_visible()
    assert not panel.get_by_role("button", name="Run now").count()
    context.close()


AXIS_SIZES = """() => Array.from(document.querySelectorAll("svg.heatmap text.axis"),
  t => parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a)"""


def test_on_a_phone_the_heat_maps_axis_text_is_at_least_11_px(browser, live_server, admin_user):
    connector = make_connector()
    now = timezone.now()
    for hours in range(0, 24 * 7, 5):
        FleetSnapshot.objects.create(
            connector=connector, taken_at=now - timedelta(hours=hours), sessions=hours % 9
        )
    snapshot_hours_rebuild()  # snapshots written by hand, not by a run's end
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    page = context.new_page()
    sign_in(page, live_server, "root", "pw-for-tests-1")
    page.goto(live_server.url + reverse("insight:usage"))
    heat = page.locator("svg.heatmap")
    heat.scroll_into_view_if_needed()
    sizes = page.evaluate(AXIS_SIZES)
    assert len(sizes) == 7 + 8  # the weekdays, and every third hour
    assert min(sizes) >= 11, sizes
    label = heat.locator("text.axis").first.bounding_box()
    assert label["height"] >= 11  # what the eye sees, the transform applied
    assert heat.locator("a rect.heat").count() == heat.locator("rect.heat").count() == 7 * 24
    assert heat.locator("xpath=..").locator("table.chart-table").count() == 1  # the data beside
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    heat.screenshot(path=str(ARTIFACTS / "usage-heat-map-chart-390.png"))
    shots(page, "usage-heat-map")
    context.close()
