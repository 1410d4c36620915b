"""Issue 17 (looks and time): relative times in each user's time zone, the
Preferences page, the branded admin, the audit trail's labels, the overview's
next step, the favicon, the run progress estimate and the charts' axes."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone

from connectors.devices.overview import overview_devices_by, overview_next_step, overview_totals
from connectors.models import Run
from connectors.selectors import run_progress
from nexthink_admin.charts import stacked_columns_chart
from nexthink_admin.models import AuditEvent, UserPreference
from nexthink_admin.templatetags.console_time import relative_time
from tests.connectors.factories import make_connector
from tests.credentials.factories import make_credential
from tests.devices.factories import make_devices

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 29, 7, 3, 12, tzinfo=UTC)


# --- Time ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("delta", "text"),
    [
        (timedelta(seconds=10), "just now"),
        (timedelta(minutes=3), "3 min ago"),
        (timedelta(hours=2, minutes=5), "2 h ago"),
        (timedelta(days=1), "1 day ago"),
        (timedelta(days=4), "4 days ago"),
        (-timedelta(minutes=5), "in 5 min"),
    ],
)
def test_relative_times_read_like_a_person_says_them(delta, text):
    assert relative_time(NOW - delta, now=NOW) == text


def test_times_older_than_a_month_show_their_date():
    assert relative_time(NOW - timedelta(days=60), now=NOW) == "on 2026-09-30"


def test_the_when_filter_gives_the_exact_time_in_the_active_zone_labelled():
    value = timezone.now() - timedelta(minutes=3)
    with timezone.override("Europe/Zurich"):
        html = Template("{{ t|when }}").render(Context({"t": value}))
    local = value.astimezone(timezone.get_fixed_timezone(60)).strftime("%Y-%m-%d %H:%M:%S")
    assert f'<time datetime="{value.isoformat()}" title="{local} CET">3 min ago' in html
    assert f'<span class="visually-hidden"> ({local} CET)</span></time>' in html


def test_a_users_time_zone_applies_to_every_page(client, admin_user):
    make_credential("Zoned")
    UserPreference.objects.create(user=admin_user, time_zone="America/New_York")
    client.force_login(admin_user)  # the session keeps the zone from sign-in on
    page = client.get(reverse("credentials:list")).content.decode()
    assert re.search(r'title="\d{4}-\d\d-\d\d \d\d:\d\d:\d\d E[SD]T"', page)


def test_without_a_preference_times_are_in_the_server_zone(admin_client, settings):
    make_credential("Zoned")
    page = admin_client.get(reverse("credentials:list")).content.decode()
    assert re.search(r'title="\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC"', page)


def test_django_admin_shows_the_console_date_format(admin_client):
    make_credential("In admin")
    page = admin_client.get(reverse("admin:nexthink_admin_auditevent_changelist")).content
    assert re.search(rb"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC", page)
    assert b"a.m." not in page and b"p.m." not in page


# --- Preferences ----------------------------------------------------------------


def test_preferences_are_reachable_from_the_user_menu(admin_client):
    page = admin_client.get(reverse("home")).content.decode()
    assert f'href="{reverse("preferences")}"' in page


def test_saving_a_time_zone_stores_it_for_that_user_only(admin_client, admin_user):
    response = admin_client.post(reverse("preferences"), {"time_zone": "europe/zurich"})
    assert response.status_code == 302
    assert UserPreference.objects.get(user=admin_user).time_zone == "Europe/Zurich"
    page = admin_client.get(reverse("preferences")).content.decode()
    assert 'value="Europe/Zurich"' in page and "CET" in page


def test_an_unknown_time_zone_gets_a_message_at_the_field(admin_client, admin_user):
    response = admin_client.post(reverse("preferences"), {"time_zone": "Mars/Olympus"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "“Mars/Olympus” is not a known time zone" in page and 'class="field has-error"' in page
    assert 'value="Mars/Olympus"' in page  # what was typed is kept
    assert not UserPreference.objects.filter(user=admin_user).exists()


def test_preferences_need_csrf(client, admin_user):
    from django.test import Client

    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(admin_user)
    assert csrf_client.post(reverse("preferences"), {"time_zone": "UTC"}).status_code == 403
    assert not UserPreference.objects.exists()


def test_preferences_need_a_signed_in_user(client):
    assert client.get(reverse("preferences")).status_code == 302


# --- Admin --------------------------------------------------------------------


def test_django_admin_is_branded_with_readable_app_names(admin_client):
    page = admin_client.get(reverse("admin:index")).content.decode()
    assert "WorkSpaces Connector console" in page and "Data administration" in page
    assert "Django administration" not in page
    assert "Nexthink_Admin" not in page and "Nexthink_admin" not in page
    assert ">Console<" in page and "Sign-in lockout" in page
    assert "favicon" in page


def test_a_run_reads_as_its_connector_number_and_status():
    run = Run.objects.create(connector=make_connector("AWS EU"), status="succeeded")
    assert str(run) == f"AWS EU run #{run.pk}, succeeded"


# --- Audit trail -------------------------------------------------------------------


def test_the_audit_trail_shows_labels_and_names_linked_to_the_objects(admin_client):
    first = make_credential("First account")
    second = make_credential("Second account")
    connector = make_connector("AWS EU", credential=first)
    from connectors.services import ConnectorData, connector_save

    connector_save(
        connector=connector,
        data=ConnectorData(
            name="AWS EU",
            nql_id=connector.nql_id,
            description="",
            recurrence=240,
            credential_id=second.pk,
            environment_name="Production EU",
            connector_type="aws_workspaces",
            parameters={"region": "eu-west-1"},
        ),
    )
    assert AuditEvent.objects.filter(action="changed", object_type="connector").exists()
    page = admin_client.get(reverse("audit")).content.decode()
    assert "credential_id" not in page and "recurrence:" not in page
    assert "Every hour" in page and "Every 4 hours" in page
    assert f'<a href="{second.get_absolute_url()}">Second account</a>' in page
    assert f'<a href="{connector.get_absolute_url()}">AWS EU</a>' in page


def test_a_deleted_object_in_the_audit_trail_is_named_without_a_link(admin_client):
    credential = make_credential("Gone soon")
    url = credential.get_absolute_url()
    admin_client.post(reverse("credentials:delete", args=[credential.pk]))
    page = admin_client.get(reverse("audit")).content.decode()
    assert "Gone soon" in page and f'href="{url}"' not in page


# --- Overview: the next step --------------------------------------------------------


def step():
    return overview_next_step(overview_totals())


def test_next_step_without_a_credential_is_to_create_one(admin_client):
    assert step().key == "credential"
    page = admin_client.get(reverse("home")).content.decode()
    assert "Get started" in page and reverse("credentials:create") in page


def test_next_step_with_a_credential_without_role_arn_is_to_add_it():
    credential = make_credential("No role yet", role_arn="")
    assert step().key == "role_arn" and step().url == reverse(
        "credentials:edit", args=[credential.pk]
    )


def test_next_step_with_a_ready_credential_is_a_connector():
    make_credential("Ready")
    assert step().key == "connector" and step().url == reverse("connectors:choose_type")


def test_next_step_with_a_connector_never_run_is_to_run_it():
    connector = make_connector()
    assert step().key == "run" and step().url == connector.get_absolute_url()
    assert step().post_url == reverse("connectors:run_now", args=[connector.pk])


def test_get_started_offers_run_now_which_queues_the_run_and_opens_its_progress(admin_client):
    connector = make_connector()
    page = admin_client.get(reverse("home")).content.decode()
    run_now = reverse("connectors:run_now", args=[connector.pk])
    form = re.search(r'<form class="actions" method="post" action="([^"]+)">(.*?)</form>', page)
    assert form and form[1] == run_now
    assert 'name="csrfmiddlewaretoken"' in form[2] and ">Run now</button>" in form[2]
    response = admin_client.post(run_now, follow=True)
    assert response.redirect_chain[-1][0] == connector.get_absolute_url()
    assert Run.objects.get(connector=connector).status == "queued"
    assert 'id="runs"' in response.content.decode()  # the connector page, following the run
    home = admin_client.get(reverse("home")).content.decode()
    assert 'data-step="wait"' in home and ">Run now</button>" not in home


def test_get_started_links_to_the_connector_for_a_user_who_may_not_run_it(client, make_user):
    make_connector()
    client.force_login(make_user("viewer", "connectors.view_inboundconnector"))
    page = client.get(reverse("home")).content.decode()
    assert 'data-step="run"' in page and ">Run now</button>" not in page


def test_next_step_while_the_first_run_runs_is_to_wait():
    Run.objects.create(connector=make_connector(), status="running")
    assert step().key == "wait"


def test_next_step_after_a_run_without_devices_points_to_the_run():
    Run.objects.create(connector=make_connector(), status="failed")
    assert step().key == "no_devices" and "failed" in step().text


def test_get_started_disappears_once_devices_exist(admin_client):
    make_devices(make_connector(), 2)
    assert step() is None
    assert "Get started" not in admin_client.get(reverse("home")).content.decode()


# --- Favicon -------------------------------------------------------------------------


def test_favicon_is_served_at_the_root_without_signing_in(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200 and response["Content-Type"] == "image/x-icon"
    assert response.content[:4] == b"\x00\x00\x01\x00"  # an ICO file


def test_pages_link_the_favicon(admin_client):
    assert 'rel="icon"' in admin_client.get(reverse("home")).content.decode()


# --- Run progress ----------------------------------------------------------------------


def test_a_running_run_is_estimated_from_the_last_complete_run(admin_client):
    connector = make_connector()
    Run.objects.create(connector=connector, status="succeeded", seen=400)
    Run.objects.create(connector=connector, status="partial", seen=10)  # not complete
    running = Run.objects.create(
        connector=connector,
        status="running",
        seen=100,
        pages_fetched=4,
        started_at=timezone.now() - timedelta(seconds=75),
    )
    progress = run_progress(running)
    assert progress.expected == 400 and progress.percent == 25
    assert progress.elapsed in ("1 min 15 s", "1 min 16 s", "1 min 17 s")
    page = admin_client.get(connector.get_absolute_url()).content.decode()
    assert '<progress max="100" value="25"' in page
    assert "100 of about 400 devices (estimate from the last complete run)" in page


def test_without_a_complete_run_the_progress_bar_makes_no_estimate(admin_client):
    connector = make_connector()
    Run.objects.create(connector=connector, status="running", seen=5, pages_fetched=1)
    page = admin_client.get(connector.get_absolute_url()).content.decode()
    assert '<progress aria-label="Run progress: no estimate yet">' in page
    assert "no complete run yet to estimate from" in page


def test_a_run_beyond_its_estimate_stays_below_complete():
    connector = make_connector()
    Run.objects.create(connector=connector, status="succeeded", seen=10)
    running = Run.objects.create(connector=connector, status="running", seen=50)
    assert run_progress(running).percent == 99


# --- Charts ------------------------------------------------------------------------


class Day:
    def __init__(self, day, counts):
        self.day, self.counts = day, counts


def axis_labels(svg: str) -> list[str]:
    return re.findall(r'<text class="axis" x="28" y="[\d.]+" text-anchor="end">([^<]*)</text>', svg)


@pytest.mark.parametrize(
    ("most", "ticks"),
    [(1, ["0", "1"]), (2, ["0", "1", "2"]), (4, ["0", "5"]), (9, ["0", "5", "10"])],
)
def test_count_axes_have_whole_number_ticks_only(most, ticks):
    days = [Day(NOW.date(), {"succeeded": most}), Day(NOW.date() + timedelta(days=1), {})]
    svg = stacked_columns_chart(days, series=["succeeded"], label="runs")
    assert axis_labels(svg) == ticks


def test_other_counts_its_values_with_the_right_plural():
    connector = make_connector()
    for i in range(11):
        make_devices(connector, 11 - i, start=i * 100, disk_image=f"image-{i:02d}")
    breakdown = overview_devices_by(attr="disk_image", param="disk_image", title="t")
    assert breakdown.bars[-1].label == "Other (1 value)"
