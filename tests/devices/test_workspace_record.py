"""The whole WorkSpace record on the device page and as Devices-list filters,
and the state badge in the vocabulary of what the device is (issue 19)."""

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from tests.connectors.factories import make_connector

from .factories import make_device

pytestmark = pytest.mark.django_db
LIST = reverse("devices:list")


def names(response) -> list[str]:
    return sorted(d.name for d in response.context["devices"])


@pytest.fixture
def connector():
    return make_connector("AWS EU", environment_name="Prod EU")


def test_the_device_page_shows_the_workspace_record_and_the_image_it_runs(admin_client, connector):
    device = make_device(
        connector,
        1,
        state="ERROR",
        error_code="ResourceLimitExceeded.Subnet",
        error_message="The subnet has no free IP addresses.",
        modification_states="COMPUTE_TYPE UPDATE_IN_PROGRESS",
        operating_system_name="WINDOWS_SERVER_2022",
        protocols="PCOIP, WSP",
        root_volume_size_gib=175,
        user_volume_size_gib=100,
        root_volume_encrypted=True,
        user_volume_encrypted=False,
        auto_stop_timeout_minutes=60,
        workspace_name="jdoe-desktop",
        subnet_id="subnet-0abc",
        standby_workspaces="ws-standby1 STANDBY eu-central-1 STOPPED",
        running_image_id="wsi-old",
        disk_image="Finance-Windows11-001",
        image_id="wsi-new",
        bundle_image="Finance-Windows11-007",
        image_behind_bundle=True,
        bundle_updated_at=datetime(2026, 10, 1, 8, 0, tzinfo=UTC),
        image_created_at=datetime(2026, 9, 30, 8, 0, tzinfo=UTC),
        image_owner_account_id="444455556666",
        image_update_available=True,
    )
    page = admin_client.get(reverse("devices:detail", args=[device.pk])).content.decode()
    for text in (
        "ResourceLimitExceeded.Subnet",
        "The subnet has no free IP addresses.",
        "COMPUTE_TYPE UPDATE_IN_PROGRESS",
        "WINDOWS_SERVER_2022",
        "PCOIP, WSP",
        "175 GiB, encrypted",
        "100 GiB, not encrypted",
        "60 minutes",
        "jdoe-desktop",
        "subnet-0abc",
        "ws-standby1 STANDBY eu-central-1 STOPPED",
        "Finance-Windows11-001",
        "wsi-old",
        "Finance-Windows11-007",
        "wsi-new",
        "Runs an image older than its bundle's",
        "2026-10-01 08:00",
        "2026-09-30 08:00",
        "444455556666",
    ):
        assert text in page, text
    assert '<span class="badge err" title="AWS could not create' in page


def test_a_viewer_sees_the_image_owner_account_hidden(client, connector, make_user):
    device = make_device(connector, 1, image_owner_account_id="444455556666")
    client.force_login(make_user("viewer", "connectors.view_device"))
    page = client.get(reverse("devices:detail", args=[device.pk])).content.decode()
    assert "444455556666" not in page and "[account]" in page


@pytest.mark.parametrize(
    "state, pool_type, badge",
    [
        ("AVAILABLE", "personal", "ok"),
        ("REBUILDING", "personal", "warn"),
        ("ADMIN_MAINTENANCE", "personal", "warn"),
        ("PENDING", "personal", "warn"),
        ("IMPAIRED", "personal", "err"),
        ("UNHEALTHY", "personal", "err"),
        ("STOPPED", "personal", ""),
        ("TERMINATED", "personal", ""),
        ("CONNECTED", "pooled", "ok"),
        ("NOT_CONNECTED", "pooled", ""),
    ],
)
def test_the_state_badge_speaks_the_devices_own_vocabulary(
    admin_client, connector, state, pool_type, badge
):
    device = make_device(connector, 1, state=state, pool_type=pool_type)
    page = admin_client.get(reverse("devices:detail", args=[device.pk])).content.decode()
    assert f'<span class="badge {badge}" title="' in page
    listed = admin_client.get(LIST).content.decode()
    assert (
        f'<span class="badge {badge}" title="' in listed
        and 'badge warn" title="A user' not in listed
    )


def test_the_devices_list_filters_on_error_code_os_protocol_and_image_behind_bundle(
    admin_client, connector
):
    make_device(connector, 1, name="broken", error_code="UserNotFound", protocols="WSP")
    make_device(
        connector,
        2,
        name="old-image",
        operating_system_name="WINDOWS_11",
        protocols="PCOIP",
        image_behind_bundle=True,
    )
    make_device(connector, 3, name="fine", operating_system_name="WINDOWS_11", protocols="WSP")
    assert names(admin_client.get(LIST, {"error_code": "UserNotFound"})) == ["broken"]
    assert names(admin_client.get(LIST, {"os": "WINDOWS_11"})) == ["fine", "old-image"]
    assert names(admin_client.get(LIST, {"protocol": "WSP"})) == ["broken", "fine"]
    response = admin_client.get(LIST, {"image_behind": "yes"})
    assert names(response) == ["old-image"]
    options = {f.key: f for f in response.context["facets"]}["image_behind"].options
    assert {(o.value, o.label, o.count) for o in options} == {
        ("yes", "Runs an image older than its bundle's", 1),
        ("no", "Runs its bundle's image", 2),
    }
    assert names(admin_client.get(LIST, {"image_behind": "no"})) == ["broken", "fine"]
    assert names(admin_client.get(LIST, {"image_behind": "maybe"})) == []
