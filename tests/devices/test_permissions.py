import pytest
from django.urls import reverse

from tests.connectors.factories import make_connector

from .factories import make_device

pytestmark = pytest.mark.django_db


@pytest.fixture
def device_urls() -> list[str]:
    device = make_device(make_connector())
    return [
        reverse("devices:list"),
        reverse("devices:list") + "?region=eu-west-1&sort=-state&page=2",
        reverse("devices:detail", args=[device.pk]),
        reverse("devices:export_csv"),
        reverse("devices:export_enrichment"),
        reverse("devices:export_summary") + "?connector=1&names=duplicate",
    ]


def test_anonymous_is_sent_to_login(client, device_urls):
    for url in device_urls:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login")), (
            url
        )


def test_signed_in_without_permission_gets_403(plain_client, device_urls):
    for url in device_urls:
        assert plain_client.get(url).status_code == 403, url


def test_view_device_permission_is_enough(client, make_user, device_urls):
    client.force_login(make_user("viewer", "connectors.view_device"))
    for url in device_urls:
        assert client.get(url).status_code == 200, url


def test_an_unknown_device_is_404(admin_client):
    assert admin_client.get(reverse("devices:detail", args=[424242])).status_code == 404
    assert admin_client.get("/devices/99999999999999999999999/").status_code == 404


def test_the_old_devices_address_is_gone(admin_client):
    assert admin_client.get("/administration/connectors/devices/").status_code == 404
