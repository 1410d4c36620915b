from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from connectors.devices.overview import overview_devices_by, overview_runs_by_day
from connectors.models import Run
from nexthink_admin.charts import _nice_ceiling
from tests.connectors.factories import make_connector

from .factories import make_device, make_devices

pytestmark = pytest.mark.django_db
HOME = reverse("home")


def run_at(connector, status: str, when):
    run = Run.objects.create(connector=connector, status=status)
    Run.objects.filter(pk=run.pk).update(created_at=when)


def test_without_connectors_or_devices_the_overview_shows_the_get_started_steps(admin_client):
    page = admin_client.get(HOME).content.decode()
    assert (
        "Get started" in page
        and reverse("credentials:list") in page
        and reverse("devices:list") in page
    )
    assert "<svg" not in page


def test_a_connector_without_devices_still_shows_the_steps(admin_client):
    make_connector()
    page = admin_client.get(HOME).content.decode()
    assert "Get started" in page and "Runs over the last 14 days" in page


def test_with_data_the_overview_charts_devices_connectors_and_runs(admin_client):
    eu = make_connector("AWS EU", region="eu-west-1")
    us = make_connector("AWS US", region="us-east-1")
    make_devices(eu, 6, instance_size="POWER")
    make_devices(us, 3, start=100, pool_type="pooled", disk_image="pool-image")
    make_device(us, 500, removed_at=timezone.now())
    now = timezone.now()
    run_at(eu, "succeeded", now)
    run_at(eu, "failed", now - timedelta(days=1))
    run_at(us, "partial", now)
    page = admin_client.get(HOME).content.decode()
    assert "Get started" not in page
    for title in (
        "Devices by region",
        "Devices by desktop pool type",
        "Devices by instance size",
        "Devices by disk image",
    ):
        assert title in page, title
    assert page.count("<svg") == 5
    assert "<title>eu-west-1: 6</title>" in page and "<title>pooled: 3</title>" in page
    assert 'href="/devices/?region=us-east-1"' in page  # a bar opens the filtered devices
    assert (
        "AWS EU" in page and "AWS US" in page and "Partial" in page
    )  # connectors with their last run
    assert "Succeeded (1)" in page and "Failed (1)" in page and "Partial (1)" in page
    assert '>9</div><div class="kpi-label">Active devices' in page


def test_devices_beyond_the_top_ten_are_counted_as_other():
    connector = make_connector()
    for i in range(12):
        make_devices(connector, 12 - i, start=i * 100, disk_image=f"image-{i:02d}")
    breakdown = overview_devices_by(attr="disk_image", param="disk_image", title="t")
    assert [b.label for b in breakdown.bars][:2] == ["image-00", "image-01"]
    assert len(breakdown.bars) == 11
    other = breakdown.bars[-1]
    assert (
        other.other and other.value == 2 + 1 and other.label == "Other (2 values)" and not other.url
    )


def test_runs_are_counted_per_day_for_fourteen_days_skipping_queued_and_old_ones():
    connector = make_connector()
    now = timezone.now()
    run_at(connector, "succeeded", now)
    run_at(connector, "succeeded", now)
    run_at(connector, "failed", now - timedelta(days=3))
    run_at(connector, "queued", now)
    run_at(connector, "failed", now - timedelta(days=20))
    days = overview_runs_by_day(now=now)
    assert len(days) == 14 and days[-1].day == timezone.localdate(now)
    assert days[-1].counts == {"succeeded": 2, "partial": 0, "failed": 0}
    assert days[-4].counts["failed"] == 1 and sum(d.total for d in days) == 3


def test_chart_labels_from_data_are_escaped(admin_client):
    connector = make_connector()
    make_devices(connector, 2, disk_image="<script>alert(1)</script>")
    page = admin_client.get(HOME).content.decode()
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page


def test_axis_maximum_is_a_round_number():
    assert [_nice_ceiling(v) for v in (0, 1, 3, 7, 12, 48, 101)] == [1, 1, 5, 10, 20, 50, 200]


def test_the_overview_takes_the_same_number_of_queries_with_more_data(
    admin_client, django_assert_max_num_queries
):
    connector = make_connector()
    make_devices(connector, 10)
    run_at(connector, "succeeded", timezone.now())
    with django_assert_max_num_queries(20) as small:
        admin_client.get(HOME)
    for i in range(5):
        make_devices(
            make_connector(f"C{i}"), 40, start=1000 * (i + 1), disk_image=f"img{i}", region=f"r{i}"
        )
        run_at(connector, "failed", timezone.now() - timedelta(days=i))
    with django_assert_max_num_queries(20) as large:
        admin_client.get(HOME)
    assert len(large.captured_queries) == len(small.captured_queries)


def test_sections_follow_the_users_permissions(client, make_user):
    connector = make_connector()
    make_devices(connector, 3)
    client.force_login(make_user("devices-only", "connectors.view_device"))
    page = client.get(HOME).content.decode()
    assert (
        "Devices by region" in page
        and "Runs over the last" not in page
        and "Inbound connectors</div>" not in page
    )
    client.force_login(make_user("connectors-only", "connectors.view_inboundconnector"))
    page = client.get(HOME).content.decode()
    assert "Devices by region" not in page and "Runs over the last" in page
