from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from connectors.devices.selectors import HISTORY_PAGE_SIZE
from connectors.models import Run
from connectors.models.device import VIRTUALIZATION_FIELDS, DeviceChange
from tests.connectors.factories import make_connector

from .factories import make_device

pytestmark = pytest.mark.django_db


@pytest.fixture
def device():
    connector = make_connector("AWS EU", environment_name="Prod EU")
    return make_device(
        connector, 7, name="WSAMZN-KIOSK", ip_address="10.1.2.3", running_mode="ALWAYS_ON"
    )


def page_of(client, device, **params) -> str:
    return client.get(reverse("devices:detail", args=[device.pk]), params).content.decode()


def test_every_virtualization_field_shows_its_label_nql_name_and_value(admin_client, device):
    page = page_of(admin_client, device)
    for label, nql, attr in VIRTUALIZATION_FIELDS:
        assert label in page and nql in page, attr
    for value in (
        "Standard Windows 10",
        "personal",
        "AWS host",
        "AWS hypervisor",
        "Prod EU",
        "aws_workspaces",
        "win10-golden",
        "STANDARD",
        "eu-west-1",
        "2025-03-01 12:00:00",
    ):
        assert value in page, value


def test_source_attributes_connector_and_status_are_shown(admin_client, device):
    page = page_of(admin_client, device)
    for text in (
        "WorkSpace ID",
        device.workspace_id,
        "User",
        "user7",
        "AVAILABLE",
        "10.1.2.3",
        "wsb-abc123",
        "wsi-abc123",
        "d-1234567890",
        "ALWAYS_ON",
        "Running mode",
        "Active",
    ):
        assert text in page, text
    assert device.connector.get_absolute_url() in page and "AWS EU" in page


def test_a_removed_device_says_so(admin_client, device):
    device.removed_at = timezone.now()
    device.save()
    page = page_of(admin_client, device)
    assert "Removed" in page and "stopped seeing this device" in page


def test_history_lists_changes_newest_first_with_the_run_that_saw_them(admin_client, device):
    run = Run.objects.create(connector=device.connector, status="succeeded")
    now = timezone.now()
    DeviceChange.objects.create(
        device=device,
        run=run,
        field="disk_image",
        old_value="win10-old",
        new_value="win10-golden",
        changed_at=now - timedelta(days=2),
    )
    DeviceChange.objects.create(
        device=device,
        run=run,
        field="instance_size",
        old_value="STANDARD",
        new_value="POWER",
        changed_at=now,
    )
    page = page_of(admin_client, device)
    assert page.index("Instance size") < page.index("Disk image</td>")
    assert "win10-old" in page and "POWER" in page and f"Run {run.pk}" in page
    assert reverse("connectors:detail", args=[device.connector.pk]) in page


def test_long_history_is_paginated(admin_client, device):
    now = timezone.now()
    DeviceChange.objects.bulk_create(
        [
            DeviceChange(
                device=device,
                field="state",
                old_value=f"v{i}",
                new_value=f"v{i + 1}",
                changed_at=now + timedelta(minutes=i),
            )
            for i in range(HISTORY_PAGE_SIZE + 3)
        ]
    )
    first = page_of(admin_client, device)
    assert f"v{HISTORY_PAGE_SIZE + 3}" in first and ">v1<" not in first and "page=2" in first
    second = page_of(admin_client, device, page="2")
    assert ">v1<" in second
    assert "No changes yet" not in second


def test_without_history_the_page_explains_what_would_appear(admin_client, device):
    assert "No changes yet" in page_of(admin_client, device)


def test_the_device_page_takes_a_constant_number_of_queries(
    admin_client, device, django_assert_max_num_queries
):
    run = Run.objects.create(connector=device.connector, status="succeeded")
    now = timezone.now()
    DeviceChange.objects.bulk_create(
        [
            DeviceChange(
                device=device, run=run, field="state", old_value="a", new_value="b", changed_at=now
            )
            for _ in range(40)
        ]
    )
    # 7: the page also lists the other devices with its name (exportable.py).
    with django_assert_max_num_queries(7):
        admin_client.get(reverse("devices:detail", args=[device.pk]))
