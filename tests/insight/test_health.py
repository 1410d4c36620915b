"""The Health page: what is broken now and since when."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from connectors.choices import RunStatus
from connectors.models import Device
from insight import health_selectors as health
from tests.connectors.factories import make_connector
from tests.devices.factories import make_devices
from tests.insight.conftest import build_fleet
from tests.insight.helpers import finish_run
from tests.pools.factories import make_pool

pytestmark = pytest.mark.django_db
URL = reverse("insight:health")


def test_unhealthy_and_stuck_workspaces_are_listed_with_since_when(viewer):
    connector = make_connector()
    ok, broken, stuck, rebooting = make_devices(connector, 4, state="AVAILABLE")
    now = timezone.now()
    finish_run(connector, now - timedelta(hours=5))
    finish_run(
        connector, now - timedelta(hours=2), states={broken.pk: "ERROR", stuck.pk: "PENDING"}
    )
    finish_run(connector, now - timedelta(minutes=5), states={rebooting.pk: "REBOOTING"})

    page = viewer.get(URL).content.decode()

    assert broken.name in page and stuck.name in page
    assert ok.name not in page
    assert rebooting.name not in page  # 5 minutes in REBOOTING is not stuck (threshold 60)
    since = timezone.localtime(now - timedelta(hours=2)).strftime("%Y-%m-%d %H:%M")
    assert since in page
    assert "ERROR 1" in page and "PENDING 1" in page


def test_problem_workspaces_not_tracked_in_their_state_come_first_and_every_one_is_listed(
    viewer,
):
    connector = make_connector()
    older, newer, failed_run = make_devices(connector, 3, state="AVAILABLE")
    now = timezone.now()
    finish_run(connector, now - timedelta(hours=5))
    finish_run(connector, now - timedelta(hours=3), states={older.pk: "ERROR"})
    finish_run(connector, now - timedelta(hours=2), states={newer.pk: "UNHEALTHY"})
    # Seen in ERROR by a run that failed: its tracked state is still AVAILABLE.
    finish_run(
        connector,
        now - timedelta(hours=1),
        status=RunStatus.FAILED,
        states={failed_run.pk: "ERROR"},
    )
    (never_tracked,) = make_devices(connector, 1, start=10, state="IMPAIRED")

    response = viewer.get(URL)
    listed = [d.pk for d, _, _ in response.context["rows"]]
    assert listed == sorted([failed_run.pk, never_tracked.pk], key=lambda pk: (
        Device.objects.get(pk=pk).name, pk)) + [older.pk, newer.pk]  # fmt: skip
    assert response.context["page_obj"].paginator.count == 4
    # Paged one at a time, across the untracked and the tracked ones.
    counts = health.problem_counts(now=timezone.now())
    pages = [
        health.problem_page(now=timezone.now(), page=str(n), per_page=1, counts=counts)
        for n in range(1, 5)
    ]
    assert [d.pk for p in pages for d in p.object_list] == listed
    error_only = viewer.get(URL, {"state": "ERROR"}).context
    assert [d.pk for d, _, _ in error_only["rows"]] == [failed_run.pk, older.pk]
    assert error_only["page_obj"].paginator.count == 2


def test_stuck_threshold_is_a_setting(viewer, settings):
    settings.INSIGHT_STUCK_AFTER_MINUTES = 1
    connector = make_connector()
    (rebooting,) = make_devices(connector, 1, state="AVAILABLE")
    now = timezone.now()
    finish_run(connector, now - timedelta(hours=1))
    finish_run(connector, now - timedelta(minutes=5), states={rebooting.pk: "REBOOTING"})
    assert rebooting.name in viewer.get(URL).content.decode()


def test_a_workspace_that_flaps_is_listed_with_its_changes(viewer):
    connector = make_connector()
    calm, flapper = make_devices(connector, 2, state="AVAILABLE")
    now = timezone.now()
    finish_run(connector, now - timedelta(hours=10))
    for i, state in enumerate(("UNHEALTHY", "AVAILABLE", "UNHEALTHY", "AVAILABLE")):
        finish_run(connector, now - timedelta(hours=8 - i), states={flapper.pk: state})
    response = viewer.get(URL)
    flapping = response.context["flapping"]
    assert [(f.device_id, f.changes) for f in flapping] == [(flapper.pk, 4)]
    assert f"?device={flapper.pk}" in response.content.decode()


def test_a_failing_connector_shows_its_streak_last_success_and_stale_devices(viewer):
    connector = make_connector("Failing one", recurrence=15)
    make_devices(connector, 7)
    now = timezone.now()
    finish_run(connector, now - timedelta(hours=6))
    for minutes in (180, 120, 60):
        finish_run(connector, now - timedelta(minutes=minutes), status=RunStatus.FAILED)

    response = viewer.get(URL)
    (row,) = [c for c in response.context["connectors"] if c.pk == connector.pk]
    assert row.health.consecutive_failures == 3
    assert row.health.last_success_at == now - timedelta(hours=6)
    assert row.stale_devices == 7  # not confirmed for 6 h, three recurrences are 45 min (1 h min)
    assert len(response.context["failing"]) == 1


def test_without_the_connector_permission_the_connector_section_is_not_shown(client, make_user):
    connector = make_connector("Hidden connector")
    finish_run(connector, timezone.now(), status=RunStatus.FAILED)
    client.force_login(make_user("devices-only", "connectors.view_device"))
    page = client.get(URL).content.decode()
    assert "Hidden connector" not in page


def test_the_health_chart_links_each_day_to_its_state_changes(viewer):
    build_fleet(days=2)
    page = viewer.get(URL).content.decode()
    today = timezone.localdate().isoformat()
    assert f"{reverse('insight:transitions')}?day={today}" in page
    assert "<svg" in page and "<table" in page


def test_health_answers_in_the_same_number_of_queries_for_a_bigger_fleet(
    viewer, django_assert_max_num_queries
):
    build_fleet(connectors=1, workspaces=15, days=2, tag="S")
    with CaptureQueriesContext(connection) as small:
        assert viewer.get(URL).status_code == 200
    build_fleet(connectors=3, workspaces=30, days=4, tag="B")
    with django_assert_max_num_queries(len(small)):
        assert viewer.get(URL).status_code == 200


def test_the_page_shows_aws_error_codes_modifications_and_pools_in_trouble(viewer):
    """The WorkSpace's own ErrorCode, ErrorMessage and ModificationStates, and the
    pools of the run's snapshot: one AWS reports Errors for (pools have no ERROR
    state), one short of capacity, one near its limit, and a healthy one."""
    connector = make_connector()
    broken, changing, fine = make_devices(connector, 3, state="AVAILABLE")
    Device.objects.filter(pk=broken.pk).update(
        state="ERROR", error_code="InvalidUser", error_message="User not found"
    )
    Device.objects.filter(pk=changing.pk).update(
        modification_states="COMPUTE_TYPE UPDATE_IN_PROGRESS"
    )
    errors = [{"ErrorCode": "IAM_SERVICE_ROLE_MISSING_DESCRIBE_SUBNET_ACTION", "ErrorMessage": "x"}]
    make_pool(connector, 1, name="Errored", errors=errors, active_user_sessions=1)
    make_pool(connector, 2, name="Short", desired_user_sessions=10, actual_user_sessions=8,
              active_user_sessions=1)  # fmt: skip
    make_pool(connector, 3, name="Busy", actual_user_sessions=8, active_user_sessions=8)
    make_pool(connector, 4, name="Quiet", active_user_sessions=1)
    finish_run(connector, timezone.now())

    page = viewer.get(URL).content.decode()

    assert "InvalidUser" in page and "User not found" in page
    assert "Modifications under way or failed" in page and "UPDATE_IN_PROGRESS" in page
    assert changing.name in page and fine.name not in page
    assert "1 error reported by AWS" in page
    assert "short of 2 sessions" in page and "near its limit (8 of 8 in use)" in page
    assert "Quiet" not in page
    assert reverse("pools:list") + "?q=Errored" in page  # each pool leads to its own row


def test_problem_workspaces_are_read_in_the_since_index_order_not_sorted(viewer):
    """A page of problem WorkSpaces stops after its rows: SQLite walks
    devicestate_problem_since in order instead of starting from the devices and
    sorting every problem WorkSpace (what its statistics led it to, 18 ms at
    100,000 devices in benchmark 7)."""
    connector = make_connector()
    devices = make_devices(connector, 1000, state="AVAILABLE")
    now = timezone.now()
    finish_run(connector, now - timedelta(hours=3))
    finish_run(connector, now - timedelta(hours=2), states={d.pk: "ERROR" for d in devices[:60]})
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # statistics, as a real database gathers them
    with CaptureQueriesContext(connection) as queries:
        page = health.problem_page(now=now, counts=health.problem_counts(now=now))
    assert len(page.object_list) == 50 and page.paginator.count == 60
    # Equal times: in the order the console first tracked them, on every database.
    tracked = sorted(d.pk for d in devices[:60])
    assert [d.pk for d in page.object_list] == tracked[:50]
    if connection.vendor != "sqlite":
        return  # the plan below is SQLite's; PostgreSQL plans by its own statistics
    (statement,) = [
        q["sql"] for q in queries.captured_queries if 'ORDER BY "insight_devicestate"' in q["sql"]
    ]
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + statement)
        plan = " | ".join(row[-1] for row in cursor.fetchall())
    assert "devicestate_problem_since" in plan and "TEMP B-TREE" not in plan, plan
