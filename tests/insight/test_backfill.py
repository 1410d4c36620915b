"""The demo's history backfill: weeks of history in one command, which every
page then shows."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from connectors.models import DeviceChange
from insight.models import DeviceState, FleetSnapshot, StateTransition
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


def test_backfill_refuses_a_period_out_of_range():
    with pytest.raises(CommandError, match="--days"):
        call_command("backfill_history", "--days", "0")
