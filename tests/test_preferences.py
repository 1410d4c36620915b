"""Each user's preferences follow the user, not the browser: the theme is saved
on the server (the switch, the Preferences page) and rendered on <html>; the
time zone and theme are read from the session, so an ordinary page costs no
query for them; Django admin lists them read-only."""

import json
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from nexthink_admin.models import UserPreference
from tests.credentials.factories import make_credential

pytestmark = pytest.mark.django_db
PREFERENCE_TABLE = UserPreference._meta.db_table


def html_tag(client, url=None) -> str:
    page = client.get(url or reverse("home")).content.decode()
    return page[page.index("<html") : page.index(">", page.index("<html")) + 1]


def preference_reads(queries) -> list[str]:
    return [q["sql"] for q in queries if PREFERENCE_TABLE in q["sql"]]


# --- The theme, saved for the user ------------------------------------------------


def test_the_switch_saves_the_theme_for_the_user_and_answers_json(admin_client, admin_user):
    response = admin_client.post(
        reverse("theme"), {"theme": "dark"}, HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 200 and response.json() == {"theme": "dark", "label": "Dark"}
    assert UserPreference.objects.get(user=admin_user).theme == "dark"
    assert 'data-theme="dark"' in html_tag(admin_client)


def test_the_server_renders_the_theme_so_the_page_paints_in_it(admin_client):
    assert 'data-theme-saved="system"' in html_tag(admin_client)
    assert "data-theme=" not in html_tag(admin_client).replace("data-theme-saved", "")
    admin_client.post(reverse("theme"), {"theme": "light"})
    tag = html_tag(admin_client, reverse("preferences"))
    assert 'data-theme="light"' in tag and 'data-theme-saved="light"' in tag


def test_a_second_browser_signed_in_as_the_user_shows_their_theme(admin_client, admin_user):
    admin_client.post(reverse("theme"), {"theme": "dark"})
    other = Client()
    other.post(reverse("login"), {"username": "root", "password": "pw-for-tests-1"})
    assert 'data-theme="dark"' in html_tag(other)


def test_the_sign_in_page_leaves_the_theme_to_the_browser(client):
    tag = html_tag(client, reverse("login"))
    assert "data-theme" not in tag  # theme.js applies this browser's last choice


def test_an_unknown_theme_is_refused_with_a_clear_json_message(admin_client, admin_user):
    response = admin_client.post(reverse("theme"), {"theme": "pink"})
    assert response.status_code == 400
    assert json.loads(response.content) == {
        "error": "“pink” is not a theme: choose light, dark or system."
    }
    assert not UserPreference.objects.filter(user=admin_user).exists()


def test_the_theme_needs_csrf_and_a_post(admin_user):
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(admin_user)
    assert csrf_client.post(reverse("theme"), {"theme": "dark"}).status_code == 403
    assert csrf_client.get(reverse("theme")).status_code == 405
    assert not UserPreference.objects.exists()


def test_without_javascript_the_switch_posts_and_returns_to_the_page(admin_client):
    response = admin_client.post(
        reverse("theme"), {"theme": "dark", "next": reverse("credentials:list")}
    )
    assert response.status_code == 302 and response["Location"] == reverse("credentials:list")
    response = admin_client.post(reverse("theme"), {"theme": "dark", "next": "https://evil.test/"})
    assert response["Location"] == "/"


def test_the_menu_switch_is_a_csrf_form_showing_the_saved_choice(admin_client):
    admin_client.post(reverse("theme"), {"theme": "dark"})
    page = admin_client.get(reverse("home")).content.decode()
    switch = page[page.index('<form class="theme-switch"') :]
    switch = switch[: switch.index("</form>")]
    assert f'action="{reverse("theme")}"' in switch and "csrfmiddlewaretoken" in switch
    assert 'value="dark" data-theme-choice="dark" aria-pressed="true"' in switch
    assert 'value="light" data-theme-choice="light" aria-pressed="false"' in switch


def test_the_preferences_page_offers_the_theme_and_saves_it(admin_client, admin_user):
    page = admin_client.get(reverse("preferences")).content.decode()
    assert "<legend>Theme</legend>" in page
    assert re.search(r'<input type="radio" name="theme" value="system"[^>]* checked', page)
    response = admin_client.post(reverse("preferences"), {"time_zone": "", "theme": "dark"})
    assert response.status_code == 302
    assert UserPreference.objects.get(user=admin_user).theme == "dark"
    assert 'data-theme="dark"' in html_tag(admin_client)


def test_an_unknown_theme_on_the_preferences_page_is_a_message_at_the_field(admin_client):
    response = admin_client.post(reverse("preferences"), {"time_zone": "", "theme": "pink"})
    page = response.content.decode()
    assert response.status_code == 200
    assert 'class="field choices has-error"' in page and "pink is not one of" in page
    assert not UserPreference.objects.exists()


# --- The preferences cost no query on an ordinary page ------------------------------


def test_a_page_request_reads_no_user_preference(client, admin_user):
    UserPreference.objects.create(user=admin_user, time_zone="Europe/Zurich", theme="dark")
    client.force_login(admin_user)
    make_credential("Zoned")
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("credentials:list")).content.decode()
    assert not preference_reads(queries), preference_reads(queries)
    assert " CET" in page and 'data-theme="dark"' in page


def test_changing_the_zone_in_preferences_applies_on_the_next_request(admin_client):
    make_credential("Zoned")
    admin_client.post(reverse("preferences"), {"time_zone": "America/New_York"})
    with CaptureQueriesContext(connection) as queries:
        page = admin_client.get(reverse("credentials:list")).content.decode()
    assert not preference_reads(queries)
    assert " EST" in page or " EDT" in page


def test_a_session_without_the_preferences_reads_them_once(admin_client, admin_user):
    UserPreference.objects.create(user=admin_user, time_zone="Asia/Tokyo")
    session = admin_client.session
    del session["preferences"]  # a session signed in before they were kept there
    session.save()
    with CaptureQueriesContext(connection) as first:
        assert "JST" in admin_client.get(reverse("preferences")).content.decode()
    with CaptureQueriesContext(connection) as second:
        admin_client.get(reverse("preferences"))
    assert len(preference_reads(first)) == 1
    assert not preference_reads(second)


# --- Django admin ------------------------------------------------------------------


def test_django_admin_lists_preferences_by_user_zone_and_theme(admin_client, make_user):
    UserPreference.objects.create(user=make_user("alice"), time_zone="Europe/Zurich", theme="dark")
    UserPreference.objects.create(user=make_user("bob"))
    url = reverse("admin:nexthink_admin_userpreference_changelist")
    page = admin_client.get(url).content.decode()
    for text in ("alice", "Europe/Zurich", "Dark", "bob", "Server (UTC)", "System"):
        assert text in page
    found = admin_client.get(url, {"q": "ali"}).content.decode()
    assert "alice" in found and "bob" not in found


def test_django_admin_shows_preferences_read_only(admin_client, make_user):
    preference = UserPreference.objects.create(user=make_user("alice"), theme="dark")
    change = reverse("admin:nexthink_admin_userpreference_change", args=[preference.pk])
    assert admin_client.get(change).status_code == 200
    admin_client.post(change, {"user": preference.user_id, "time_zone": "UTC", "theme": "light"})
    preference.refresh_from_db()
    assert preference.theme == "dark" and preference.time_zone == ""
    add = reverse("admin:nexthink_admin_userpreference_add")
    assert admin_client.get(add).status_code == 403
    delete = reverse("admin:nexthink_admin_userpreference_delete", args=[preference.pk])
    assert admin_client.get(delete).status_code == 403
