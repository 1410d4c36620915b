import base64
import re

import pytest
from django.urls import reverse

from nql import services
from tests.connectors.factories import make_connector
from tests.devices.factories import make_devices


@pytest.fixture
def fleet(db):
    """Two connectors, eleven active devices and one removed."""
    eu = make_connector("AWS Prod EU", nql_id="aws_prod_eu", environment_name="prod-eu")
    us = make_connector(
        "AWS Dev US", nql_id="aws_dev_us", region="us-east-1", environment_name="dev-us"
    )
    make_devices(eu, 6)
    make_devices(eu, 3, start=20, pool_type="pooled", desktop_pool="finance-a")
    make_devices(us, 2, start=40, instance_size="GRAPHICS_G4DN")
    removed = make_devices(us, 1, start=60)[0]
    removed.removed_at = removed.last_update
    removed.save()
    return {"eu": eu, "us": us}


@pytest.fixture
def saved_query(db):
    def make(query_id: str, query: str, name: str = "Saved"):
        return services.nql_api_query_create(
            name=name, query_id=query_id, description="", query=query
        )

    return make


def basic(client_id: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()


@pytest.fixture
def credentials_from_console(client, admin_user):
    """Client ID and secret as an administrator gets them: from the page that creates them."""

    def make(*permissions: str, name: str = "Power BI"):
        client.force_login(admin_user)
        page = client.post(
            reverse("api_clients:create"), {"name": name, "permissions": list(permissions)}
        )
        assert page.status_code == 200
        html = page.content.decode()
        client_id = re.search(r'id="client-id">([^<]+)<', html).group(1)
        secret = re.search(r'id="client-secret">([^<]+)<', html).group(1)
        client.logout()
        return client_id, secret

    return make


@pytest.fixture
def token_for(client, credentials_from_console):
    def make(*permissions: str) -> str:
        client_id, secret = credentials_from_console(*permissions)
        response = client.post(
            "/api/v1/token",
            {"grant_type": "client_credentials"},
            HTTP_AUTHORIZATION=basic(client_id, secret),
        )
        assert response.status_code == 200, response.content
        return response.json()["access_token"]

    return make
