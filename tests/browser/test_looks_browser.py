"""Issue 17 in a browser: the theme switch (light, dark, system; remembered) and
the phone navigation at 390x844 (a Menu button, no dead end)."""

import pytest
from django.urls import reverse

from tests.browser_support import shot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LIGHT_BG, DARK_BG = "rgb(244, 246, 249)", "rgb(15, 19, 32)"


def background(page) -> str:
    return page.evaluate("getComputedStyle(document.body).backgroundColor")


def test_the_theme_switch_sets_light_or_dark_and_remembers_it(browser, live_server, admin_user):
    context = browser.new_context(viewport={"width": 1440, "height": 900}, color_scheme="light")
    page = context.new_page()
    csp = []
    page.on("console", lambda m: csp.append(m.text) if "Content Security" in m.text else None)
    sign_in(page, live_server, "root", "pw-for-tests-1")
    assert background(page) == LIGHT_BG  # the system's (emulated) light scheme
    page.get_by_role("button", name="Dark").click()
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
