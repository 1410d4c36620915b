"""Usage (sampled on-hours, likely unused, pool sessions by hour) and drift
(changes per day by field and the list behind each point)."""

from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from connectors.models import Device, DeviceChange
from insight.models import CleanupRecord, DeviceState, FleetSnapshot, StateTransition
from insight.services import snapshot_hours_rebuild
from tests.connectors.factories import make_connector
from tests.devices.factories import make_device, make_devices
from tests.insight.conftest import build_fleet
from tests.insight.helpers import finish_run

pytestmark = pytest.mark.django_db


def test_fleet_share_of_auto_stop_samples_seen_available_is_labelled_an_estimate(viewer):
    connector = make_connector()
    devices = make_devices(connector, 10, running_mode="AUTO_STOP", state="STOPPED")
    now = timezone.now()
    for i, state in enumerate(("AVAILABLE", "STOPPED", "AVAILABLE", "STOPPED")):
        finish_run(connector, now - timedelta(hours=4 - i), states={d.pk: state for d in devices})
    response = viewer.get(reverse("insight:usage"))
    assert response.context["share7"].available_pct == 50.0
    assert response.context["share7"].samples == 40
    page = response.content.decode()
    assert "Estimate" in page and "recurrence" in page
    # The chart starts at the first day a run sampled: the 30 days before the
    # connector existed are unknown, not 0% (the table still lists them all).
    assert response.context["share_chart"].count("<a ") == 1
    assert len(response.context["share_days"]) == 30


def test_each_workspace_share_is_the_time_it_was_seen_available_since_known(viewer):
    connector = make_connector()
    device = make_device(connector, running_mode="AUTO_STOP", state="STOPPED")
    now = timezone.now()
    Device.objects.filter(pk=device.pk).update(first_seen_at=now - timedelta(hours=72))
    DeviceState.objects.create(device=device, state="STOPPED", since=now - timedelta(hours=24))
    for hours, old, new in ((48, "STOPPED", "AVAILABLE"), (24, "AVAILABLE", "STOPPED")):
        StateTransition.objects.create(
            device=device, connector=connector, from_state=old, to_state=new,
            at=now - timedelta(hours=hours),
        )  # fmt: skip
    rows = viewer.get(reverse("insight:usage")).context["workspace_rows"]
    (row,) = rows
    assert row[0] == device
    assert row[1] == pytest.approx(100 / 3, abs=0.1)  # 24 h of the 72 h it has been known
    assert row[2] == pytest.approx(100 / 3, abs=0.1)


def test_likely_unused_lists_auto_stop_workspaces_stopped_for_n_days_with_its_caveat(viewer):
    connector = make_connector()
    now = timezone.now()
    idle, recent, always_on = make_devices(connector, 3, running_mode="AUTO_STOP", state="STOPPED")
    Device.objects.filter(pk=always_on.pk).update(running_mode="ALWAYS_ON")
    for device, days in ((idle, 20), (recent, 3), (always_on, 20)):
        DeviceState.objects.create(device=device, state="STOPPED", since=now - timedelta(days=days))
    url = reverse("insight:unused")
    listed = list(viewer.get(url).context["page_obj"].object_list)
    assert listed == [idle]
    assert list(viewer.get(url, {"days": "30"}).context["page_obj"].object_list) == []
    assert viewer.get(url, {"days": "999"}).context["days"] == 14  # unknown: the default
    page = viewer.get(url).content.decode()
    assert "Caveat" in page and "between two runs" in page


def test_likely_unused_lists_the_longest_stopped_first_and_equal_times_as_tracked(viewer):
    connector = make_connector()
    now = timezone.now()
    b, a, c = make_devices(connector, 3, running_mode="AUTO_STOP", state="STOPPED")
    same = now - timedelta(days=20)
    for device, since in ((c, same), (b, same), (a, now - timedelta(days=30))):
        DeviceState.objects.create(device=device, state="STOPPED", since=since)
    response = viewer.get(reverse("insight:unused"))
    assert list(response.context["page_obj"].object_list) == [a, c, b]
    page = response.content.decode()
    assert "in the order the console first tracked them" in page
    assert "(30 days)" in page and page.count("(20 days)") == 2  # stopped for, in whole days


def test_likely_unused_rows_link_each_workspace_and_say_since_which_local_day(viewer):
    connector = make_connector()
    now = timezone.now()
    seen_stopping, stopped_when_tracked = make_devices(
        connector, 2, running_mode="AUTO_STOP", state="STOPPED"
    )
    for device, days, first_seen in ((seen_stopping, 20, False), (stopped_when_tracked, 16, True)):
        DeviceState.objects.create(
            device=device,
            state="STOPPED",
            since=now - timedelta(days=days),
            since_first_seen=first_seen,
        )
    page = viewer.get(reverse("insight:unused")).content.decode()
    for device in (seen_stopping, stopped_when_tracked):
        assert f'<a href="{reverse("devices:detail", args=[device.pk])}">{device.name}</a>' in page
    day = timezone.localdate(now - timedelta(days=20)).isoformat()
    assert f"{day} <span" in page and f"at least {day}" not in page
    day = timezone.localdate(now - timedelta(days=16)).isoformat()
    assert f"at least {day} <span" in page and "(16 days)" in page


def test_likely_unused_pages_through_a_long_list_and_caps_its_count_at_1000(viewer):
    connector = make_connector()
    now = timezone.now()
    devices = make_devices(connector, 1010, running_mode="AUTO_STOP", state="STOPPED")
    DeviceState.objects.bulk_create(
        DeviceState(device=d, state="STOPPED", since=now - timedelta(days=20, minutes=i))
        for i, d in enumerate(devices)
    )  # longest stopped: the last made
    url = reverse("insight:unused")
    first = viewer.get(url)
    assert first.context["page_obj"].paginator.count == 1000
    assert "1000+" in first.content.decode()
    assert list(first.context["page_obj"].object_list) == devices[::-1][:50]
    second = viewer.get(url, {"page": 2})
    assert list(second.context["page_obj"].object_list) == devices[::-1][50:100]
    end = viewer.get(url, {"page": 21})
    assert list(end.context["page_obj"].object_list) == devices[::-1][1000:]
    assert "of 1010" in end.content.decode() and "1000+" not in end.content.decode()


def test_likely_unused_answers_in_the_same_statements_whether_or_not_any_qualify(viewer):
    connector = make_connector()
    devices = make_devices(connector, 5, running_mode="AUTO_STOP", state="STOPPED")
    DeviceState.objects.bulk_create(
        DeviceState(device=d, state="STOPPED", since=timezone.now()) for d in devices
    )
    url = reverse("insight:unused")
    with CaptureQueriesContext(connection) as none_qualify:
        assert list(viewer.get(url).context["page_obj"].object_list) == []
    DeviceState.objects.update(since=timezone.now() - timedelta(days=40))
    with CaptureQueriesContext(connection) as all_qualify:
        assert len(viewer.get(url).context["page_obj"].object_list) == 5
    assert len(all_qualify) == len(none_qualify)


def test_pool_sessions_heat_map_averages_samples_by_weekday_and_hour(viewer):
    connector = make_connector()
    monday_ten = timezone.make_aware(datetime(2026, 11, 23, 10, 5))
    now = monday_ten + timedelta(days=2)
    for minutes, sessions in ((0, 4), (30, 8)):
        FleetSnapshot.objects.create(
            connector=connector, taken_at=monday_ten + timedelta(minutes=minutes), sessions=sessions
        )
    from insight.usage_selectors import sessions_heat_map

    grid = sessions_heat_map(days=30, now=now)
    assert grid[(1, 10)] == 6.0
    assert sum(grid.values()) == 6.0


def test_running_mode_mix_and_heat_map_render_with_tables_and_links(viewer):
    build_fleet(workspaces=15, days=2)
    response = viewer.get(reverse("insight:usage"))
    today = response.context["mix"][-1]
    assert today.counts == {"AUTO_STOP": 15}  # the WorkSpaces (pool sessions are not devices)
    page = response.content.decode()
    assert page.count("<svg") >= 3
    assert f"{reverse('insight:drift_changes')}?day=" in page
    assert f'href="{reverse("pools:list")}' in page  # heat-map cells open the pools


def test_drift_counts_changes_per_day_by_field_and_links_to_the_list_behind_each(viewer):
    connector = make_connector()
    a, b = make_devices(connector, 2)
    now = timezone.now()
    yesterday = now - timedelta(days=1)
    for device, field, old, new, when in (
        (a, "instance_size", "STANDARD", "POWER", yesterday),
        (b, "instance_size", "POWER", "VALUE", yesterday),
        (a, "disk_image", "win10-v1", "win10-v2", now),
        (a, "hostname", "x", "y", now),  # not a drift field
    ):
        DeviceChange.objects.create(
            device=device, field=field, old_value=old, new_value=new, changed_at=when
        )
    response = viewer.get(reverse("insight:drift"))
    rows = dict(response.context["table"])
    assert [n for n, _ in rows[timezone.localdate(yesterday)]] == [2, 0]
    assert [n for n, _ in rows[timezone.localdate(now)]] == [0, 1]
    compute = {(c.old, c.new): c.direction for c in response.context["compute"]}
    assert compute == {("STANDARD", "POWER"): "up", ("POWER", "VALUE"): "down"}

    day = timezone.localdate(yesterday).isoformat()
    link = f"{reverse('insight:drift_changes')}?day={day}&amp;field=instance_size"
    assert link in response.content.decode()
    listed = viewer.get(reverse("insight:drift_changes"), {"day": day, "field": "instance_size"})
    assert {c.device_id for c in listed.context["page_obj"].object_list} == {a.pk, b.pk}
    bad = viewer.get(reverse("insight:drift_changes"), {"day": "not-a-day", "field": "\x00"})
    assert bad.status_code == 200


def test_drift_shows_pools_on_several_images_and_workspaces_behind_their_bundles_image(viewer):
    connector = make_connector()
    make_device(connector, 1, pool_type="pooled", desktop_pool="Call centre", disk_image="v1")
    make_device(connector, 2, pool_type="pooled", desktop_pool="Call centre", disk_image="v2")
    make_device(connector, 3, pool_type="pooled", desktop_pool="Single", disk_image="v1")
    make_device(connector, 4, running_image_id="wsi-abc123", image_id="wsi-abc123")
    make_device(
        connector, 5, running_image_id="wsi-old", image_id="wsi-abc123", image_behind_bundle=True
    )
    response = viewer.get(reverse("insight:drift"))
    assert [p["desktop_pool"] for p in response.context["several_images"]] == ["Call centre"]
    assert response.context["outdated"] == 1
    page = response.content.decode()
    assert "run an image other than their bundle" in page
    assert f"{reverse('devices:list')}?image_behind=yes" in page


def test_drift_reads_pools_on_several_images_and_outdated_workspaces_from_the_last_run(viewer):
    connector = make_connector()
    make_device(connector, 1, pool_type="pooled", desktop_pool="Call centre", disk_image="v1")
    make_device(connector, 2, pool_type="pooled", desktop_pool="Call centre", disk_image="v2")
    make_device(
        connector, 5, running_image_id="wsi-old", image_id="wsi-abc123", image_behind_bundle=True
    )
    finish_run(connector, timezone.now())
    # Changed after the run: the page shows the fleet as the last run counted it.
    make_device(connector, 6, pool_type="pooled", desktop_pool="Single", disk_image="v1")
    make_device(connector, 7, pool_type="pooled", desktop_pool="Single", disk_image="v2")
    response = viewer.get(reverse("insight:drift"))
    assert response.context["several_images"] == [
        {"pool_type": "pooled", "desktop_pool": "Call centre", "images": 2, "devices": 2}
    ]
    assert response.context["outdated"] == 1


def test_likely_unused_counts_untracked_workspaces_as_the_last_run_left_them(viewer):
    connector = make_connector()
    make_devices(connector, 2, running_mode="AUTO_STOP")
    assert viewer.get(reverse("insight:unused")).context["untracked"] == 2  # before any run
    finish_run(connector, timezone.now())  # tracks what it saw
    assert viewer.get(reverse("insight:unused")).context["untracked"] == 0


def test_retention_page_shows_periods_and_the_last_clean_up(viewer):
    CleanupRecord.objects.create(
        started_at=timezone.now(), finished_at=timezone.now(), deleted={"runs": 12}
    )
    page = viewer.get(reverse("insight:retention")).content.decode()
    assert "Runs" in page and "30 days" in page
    assert "12 deleted" in page


@pytest.mark.parametrize(
    "name",
    ["insight:usage", "insight:unused", "insight:drift", "insight:drift_changes",
     "insight:transitions", "insight:retention", "insight:alerts"],
)  # fmt: skip
def test_every_page_answers_in_the_same_number_of_queries_for_a_bigger_fleet(
    viewer, name, django_assert_max_num_queries
):
    def long_stopped():  # so the unused list has rows at both sizes
        DeviceState.objects.filter(state="STOPPED").update(
            since=timezone.now() - timedelta(days=40)
        )

    build_fleet(connectors=1, workspaces=15, days=2, tag="S")
    long_stopped()
    with CaptureQueriesContext(connection) as small:
        assert viewer.get(reverse(name)).status_code == 200
    build_fleet(connectors=3, workspaces=40, days=5, tag="B")
    long_stopped()
    with django_assert_max_num_queries(len(small)):
        assert viewer.get(reverse(name)).status_code == 200


def test_running_mode_mix_over_time_for_one_compute_type_or_bundle(viewer):
    connector = make_connector()
    make_devices(connector, 3, instance_size="POWER", running_mode="ALWAYS_ON", bundle_id="wsb-1")
    make_devices(connector, 2, start=10, instance_size="VALUE", running_mode="AUTO_STOP")
    finish_run(connector, timezone.now())
    url = reverse("insight:usage")
    power = viewer.get(url, {"by": "compute_type", "value": "POWER"}).context["mix"][-1]
    assert power.counts == {"ALWAYS_ON": 3}
    bundle = viewer.get(url, {"by": "bundle", "value": "wsb-1"}).context["mix"][-1]
    assert bundle.counts == {"ALWAYS_ON": 3}
    fleet = viewer.get(url, {"by": "nonsense", "value": "x"}).context["mix"][-1]
    assert fleet.counts == {"ALWAYS_ON": 3, "AUTO_STOP": 2}
    assert "?by=compute_type&amp;value=POWER" in viewer.get(url).content.decode()


def test_a_long_list_counts_up_to_1000_says_so_and_still_pages_on(viewer):
    connector = make_connector()
    (device,) = make_devices(connector, 1)
    now = timezone.now()
    StateTransition.objects.bulk_create(
        StateTransition(
            device=device, connector=connector, from_state="STOPPED", to_state="AVAILABLE",
            at=now - timedelta(minutes=i),
        )
        for i in range(1030)
    )  # fmt: skip
    first = viewer.get(reverse("insight:transitions"))
    assert first.context["page_obj"].paginator.count == 1000
    page = first.content.decode()
    assert "1000+" in page
    last_offered = first.context["page_obj"].paginator.num_pages  # 20 pages of 50
    further = viewer.get(reverse("insight:transitions"), {"page": last_offered})
    assert further.context["page_obj"].has_next()  # the cap moves with the page asked for
    end = viewer.get(reverse("insight:transitions"), {"page": 21})
    assert len(end.context["page_obj"].object_list) == 30
    assert "1000+" not in end.content.decode()
    assert "of 1030" in end.content.decode()


def test_running_mode_mix_of_one_connector_leaves_the_others_out(viewer):
    eu, us = make_connector("EU"), make_connector("US", nql_id="us")
    make_devices(eu, 3, running_mode="ALWAYS_ON")
    make_devices(us, 2, start=10, running_mode="AUTO_STOP")
    finish_run(eu, timezone.now())
    finish_run(us, timezone.now())
    url = reverse("insight:usage")
    assert viewer.get(url, {"connector": eu.pk}).context["mix"][-1].counts == {"ALWAYS_ON": 3}
    assert viewer.get(url, {"connector": us.pk}).context["mix"][-1].counts == {"AUTO_STOP": 2}
    both = viewer.get(url).context["mix"][-1].counts
    assert both == {"ALWAYS_ON": 3, "AUTO_STOP": 2}
    assert viewer.get(url, {"connector": "x'; --"}).status_code == 200  # ignored, not a 500


def test_pool_utilisation_per_day_is_active_over_actual_sessions_of_every_pool(viewer):
    eu, us = make_connector("EU"), make_connector("US", nql_id="us")
    now = timezone.now()
    for connector, pools in (
        (eu, {"A": {"active": 3, "actual": 4}, "B": {"active": 0, "actual": 2}}),
        (us, {"C": {"active": 2, "actual": 2}}),
    ):
        FleetSnapshot.objects.create(connector=connector, taken_at=now, pools=pools)
    snapshot_hours_rebuild()  # snapshots written by hand, not by a run's end
    response = viewer.get(reverse("insight:usage"))
    day, share = response.context["utilisation"][-1]
    assert day == timezone.localdate(now) and share == 62.5  # 5 of 8 sessions
    eu_only = viewer.get(reverse("insight:usage"), {"connector": eu.pk})
    assert eu_only.context["utilisation"][-1][1] == 50.0
    assert "Pool utilisation (active over actual sessions) per day" in response.content.decode()
    assert response.context["utilisation_chart"].count("<a ") == 1  # from the first sampled day
    # Each day's point leads to the pools it is made of.
    assert f'href="{reverse("pools:list")}?connector={eu.pk}"' in eu_only.content.decode()


def test_drift_shows_protocol_volume_and_running_mode_changes_by_field(viewer):
    connector = make_connector()
    (device,) = make_devices(connector, 1)
    now = timezone.now()
    for field, old, new in (
        ("protocols", "PCOIP", "WSP"),
        ("root_volume_size_gib", "80", "175"),
        ("user_volume_size_gib", "10", "50"),
        ("running_mode", "ALWAYS_ON", "AUTO_STOP"),
    ):
        DeviceChange.objects.create(
            device=device, field=field, old_value=old, new_value=new, changed_at=now
        )
    response = viewer.get(reverse("insight:drift"))
    assert response.context["field_labels"] == [
        "Running mode", "Protocols", "Root volume", "User volume"
    ]  # fmt: skip
    [today] = [counts for day, counts in response.context["table"] if day == timezone.localdate()]
    assert [n for n, _ in today] == [1, 1, 1, 1]
    day = timezone.localdate().isoformat()
    assert f"?day={day}&amp;field=protocols" in response.content.decode()


def test_drift_lists_bundles_whose_image_changed_with_when_and_how_many(viewer):
    connector = make_connector()
    a, b = make_devices(connector, 2, bundle_id="wsb-sales")
    (c,) = make_devices(connector, 1, start=10, bundle_id="wsb-eng")
    now = timezone.now()
    first, last = now - timedelta(days=3, hours=2), now - timedelta(days=3)
    for device, at in ((a, first), (b, last)):
        DeviceChange.objects.create(
            device=device, field="disk_image", old_value="Sales-001", new_value="Sales-002",
            changed_at=at,
        )  # fmt: skip
    DeviceChange.objects.create(
        device=c, field="disk_image", old_value="Eng-1", new_value="Eng-2",
        changed_at=now - timedelta(days=40),  # before the page's 30 days
    )  # fmt: skip
    bundles = viewer.get(reverse("insight:drift")).context["bundles"]
    assert [
        (r["device__bundle_id"], r["old_value"], r["new_value"], r["first"], r["last"], r["n"])
        for r in bundles
    ] == [("wsb-sales", "Sales-001", "Sales-002", first, last, 2)]


def test_drift_shows_a_pool_that_runs_more_than_one_image_across_connectors(viewer):
    """Pools are not devices (they are connectors.Pool rows): a pool of the
    same name on two images, in two regions, is pool drift."""
    from tests.pools.factories import make_pool

    eu, us = make_connector("EU"), make_connector("US", nql_id="us")
    make_pool(eu, 1, name="Call centre", disk_image="cc-2026-11")
    make_pool(us, 2, name="Call centre", disk_image="cc-2026-09")
    make_pool(us, 3, name="Single", disk_image="cc-2026-09")
    make_pool(eu, 4, name="Single", disk_image="cc-2026-11", removed_at=timezone.now())
    finish_run(eu, timezone.now())
    finish_run(us, timezone.now())
    response = viewer.get(reverse("insight:drift"))
    assert response.context["several_images"] == [
        {"pool_type": "pooled", "desktop_pool": "Call centre", "images": 2, "devices": 2}
    ]
    assert f'href="{reverse("pools:list")}?q=Call%20centre"' in response.content.decode()
