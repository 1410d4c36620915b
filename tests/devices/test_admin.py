import pytest
from django.urls import reverse
from django.utils import timezone

from connectors.models import Device, DeviceChange, Run
from tests.connectors.factories import make_connector

from .factories import make_device, make_devices

pytestmark = pytest.mark.django_db
CHANGELIST = reverse("admin:connectors_device_changelist")


@pytest.fixture
def device():
    connector = make_connector("AWS EU")
    device = make_device(
        connector, 1, name="WSAMZN-ADMIN", user_name="alice", instance_size="POWERPRO"
    )
    make_device(connector, 2, name="WSAMZN-GONE", removed_at=timezone.now())
    run = Run.objects.create(connector=connector, status="succeeded", seen=2, created=2)
    DeviceChange.objects.create(
        device=device,
        run=run,
        field="instance_size",
        old_value="POWER",
        new_value="POWERPRO",
        changed_at=timezone.now(),
    )
    return device


def test_changelist_shows_the_virtualization_fields_and_filters(admin_client, device):
    page = admin_client.get(CHANGELIST).content.decode()
    for text in (
        "WSAMZN-ADMIN",
        "Virtualization desktop pool name",
        "Virtualization desktop pool type",
        "Virtualization hostname",
        "Virtualization hypervisor name",
        "Environment name",
        "Desktop broker",
        "Disk image",
        "Instance size",
        "Region",
        "Last update",
        "POWERPRO",
        "AWS EU",
    ):
        assert text in page, text
    for filter_title in (
        "by status",
        "by region",
        "by virtualization desktop pool type",
        "by instance size",
        "by desktop broker",
        "by environment name",
    ):
        assert filter_title in page.lower(), filter_title
    assert "Add device" not in page


@pytest.mark.parametrize(
    "params, shown, hidden",
    [
        ({"status": "active"}, "WSAMZN-ADMIN", "WSAMZN-GONE"),
        ({"status": "removed"}, "WSAMZN-GONE", "WSAMZN-ADMIN"),
        ({"q": "alice"}, "WSAMZN-ADMIN", "WSAMZN-GONE"),
        ({"q": "ws-"}, "WSAMZN-ADMIN", "nothing-hidden"),
        ({"instance_size": "POWERPRO"}, "WSAMZN-ADMIN", "WSAMZN-GONE"),
    ],
)
def test_filters_and_search_narrow_the_changelist(admin_client, device, params, shown, hidden):
    page = admin_client.get(CHANGELIST, params).content.decode()
    assert shown in page and hidden not in page


def test_change_view_is_read_only_and_links_the_history(admin_client, device):
    url = reverse("admin:connectors_device_change", args=[device.pk])
    page = admin_client.get(url).content.decode()
    assert "WSAMZN-ADMIN" in page and "POWERPRO" in page
    assert 'name="instance_size"' not in page and 'name="_save"' not in page
    assert "1 field changes" in page and reverse("admin:connectors_devicechange_changelist") in page
    assert device.get_absolute_url() in page
    response = admin_client.post(url, {"name": "changed"})
    assert response.status_code == 403
    device.refresh_from_db()
    assert device.name == "WSAMZN-ADMIN"


def test_adding_and_deleting_devices_is_forbidden(admin_client, device):
    assert admin_client.get(reverse("admin:connectors_device_add")).status_code == 403
    assert (
        admin_client.post(
            reverse("admin:connectors_device_delete", args=[device.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    page = admin_client.get(CHANGELIST).content.decode()
    assert "delete_selected" not in page
    assert Device.objects.filter(pk=device.pk).exists()


def test_history_changelist_filters_by_device(admin_client, device):
    url = reverse("admin:connectors_devicechange_changelist")
    page = admin_client.get(url, {"device__id__exact": device.pk}).content.decode()
    assert "POWERPRO" in page and "WSAMZN-ADMIN" in page


def test_run_admin_lists_runs_read_only(admin_client, device):
    Run.objects.create(
        connector=make_connector("AWS US"), status="failed", error_code="AccessDenied"
    )
    page = admin_client.get(reverse("admin:connectors_run_changelist")).content.decode()
    for text in (
        "AWS EU",
        "AWS US",
        "Succeeded",
        "AccessDenied",
        "Duration",
        "Seen",
        "Error code",
        "By connector",
        "By status",
    ):
        assert text.lower() in page.lower(), text
    run = Run.objects.filter(status="succeeded").get()
    assert (
        admin_client.get(reverse("admin:connectors_run_change", args=[run.pk])).status_code == 200
    )
    assert admin_client.get(reverse("admin:connectors_run_add")).status_code == 403


def test_a_staff_user_with_view_permission_can_browse_but_not_change(client, make_user, device):
    client.force_login(make_user("auditor", "connectors.view_device", is_staff=True))
    assert client.get(CHANGELIST).status_code == 200
    assert (
        client.get(reverse("admin:connectors_device_change", args=[device.pk])).status_code == 200
    )
    assert (
        client.post(
            reverse("admin:connectors_device_change", args=[device.pk]), {"name": "x"}
        ).status_code
        == 403
    )


def test_the_changelist_takes_a_constant_number_of_queries(
    admin_client, device, django_assert_max_num_queries
):
    make_devices(device.connector, 120, start=10)
    # Session, user, the user's time zone, the page, its count and one query per values filter.
    with django_assert_max_num_queries(13):
        admin_client.get(CHANGELIST)


def test_a_blank_value_in_a_filter_is_a_link_that_reads_blank(admin_client, device):
    make_device(device.connector, 20, operating_system_name="")
    make_device(device.connector, 21, operating_system_name="WINDOWS_SERVER_2022")
    page = admin_client.get(CHANGELIST).content.decode()
    assert '<a href="?operating_system_name=">(blank)</a>' in page
    assert '<a href="?operating_system_name=WINDOWS_SERVER_2022">WINDOWS_SERVER_2022</a>' in page
