"""The demo's history backfill: weeks of history in one command, which every
page then shows."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from connectors.models import DeviceChange
from insight.models import DeviceState, FleetSnapshot, SnapshotHour, StateTransition
from tests.connectors.factories import make_connector
from tests.devices.factories import make_devices
from tests.pools.factories import make_pool, make_session

pytestmark = pytest.mark.django_db


def test_backfill_creates_weeks_of_history_that_ends_in_the_current_states(viewer):
    connector = make_connector()
    devices = make_devices(connector, 60, running_mode="AUTO_STOP", state="STOPPED")
    pool = make_pool(connector, actual_user_sessions=10)
    for s in range(5):
        make_session(pool, s)
    out = StringIO()
    call_command("backfill_history", "--days", "14", stdout=out)
    assert "Backfilled 14 days for 1 connector(s)" in out.getvalue()

    assert FleetSnapshot.objects.filter(connector=connector).count() == 14 * 24
    assert StateTransition.objects.filter(connector=connector).count() > 60
    assert DeviceChange.objects.filter(field="disk_image").exists()
    assert set(DeviceState.objects.values_list("state", flat=True)) == {"STOPPED"}
    assert DeviceState.objects.count() == len(devices)
    # The pages now have history to show.
    usage = viewer.get(reverse("insight:usage")).context
    assert usage["share30"].samples > 0 and usage["has_sessions"]
    assert any(v for _, v in usage["utilisation"])  # the pools' capacity, through the weeks
    assert viewer.get(reverse("insight:unused")).context["page_obj"].paginator.count > 0
    assert viewer.get(reverse("insight:drift")).context["bundles"]

    again = StringIO()
    call_command("backfill_history", stdout=again)
    assert "already backfilled" in again.getvalue()
    call_command("backfill_history", "--days", "7", "--replace", stdout=StringIO())
    assert FleetSnapshot.objects.filter(connector=connector).count() == 7 * 24
    assert SnapshotHour.objects.filter(connector=connector).count() == 7 * 24  # recounted


def test_backfill_refuses_a_period_out_of_range():
    with pytest.raises(CommandError, match="--days"):
        call_command("backfill_history", "--days", "0")


def test_backfilled_weeks_vary_running_modes_and_pool_load(viewer):
    from insight.usage_selectors import pool_utilisation_by_day, running_mode_mix

    connector = make_connector()
    make_devices(connector, 120, running_mode="AUTO_STOP", state="STOPPED")
    pool = make_pool(connector, name="Pool A", desired_user_sessions=8, actual_user_sessions=8)
    for s in range(8):
        make_session(pool, s)
    call_command("backfill_history", "--days", "21", stdout=StringIO())
    from django.utils import timezone

    now = timezone.now()
    mix, modes = running_mode_mix(days=21, now=now)
    assert set(modes) == {"AUTO_STOP", "ALWAYS_ON"}  # some were ALWAYS_ON before switching
    assert mix[0].counts != mix[-1].counts and mix[-1].counts == {"AUTO_STOP": 120}
    switched = DeviceChange.objects.filter(field="running_mode")
    assert switched.exists() and set(switched.values_list("new_value", flat=True)) == {"AUTO_STOP"}
    busy = [u for u in pool_utilisation_by_day(days=21, now=now) if u[1] is not None]
    assert len(busy) >= 20
    active = [
        s.pools["Pool A"]["active"] for s in FleetSnapshot.objects.filter(connector=connector)
    ]
    assert max(active) >= 8 and min(active) <= 2  # busy in office hours, quiet at night
    snapshot = FleetSnapshot.objects.filter(connector=connector).order_by("-taken_at").first()
    assert set(snapshot.pools["Pool A"]) >= {"available", "desired", "actual", "active"}
    # The pages show it: the pool chart and the running-mode chart have points.
    usage = viewer.get(reverse("insight:usage"))
    assert usage.status_code == 200
