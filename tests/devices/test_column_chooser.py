"""The devices table's column chooser: every column is listed, the name always
shown; the columns that read the same on every AWS WorkSpace start hidden so the
default view fits 1,440 px (tests/browser/test_tables.py measures it)."""

import re

import pytest
from django.urls import reverse

from connectors.models.device import VIRTUALIZATION_FIELDS
from tests.connectors.factories import make_connector
from tests.devices.factories import make_devices

pytestmark = pytest.mark.django_db


@pytest.fixture
def page(admin_client) -> str:
    make_devices(make_connector(), 3, hostname="AWS host", hypervisor_name="AWS hypervisor")
    return admin_client.get(reverse("devices:list")).content.decode()


def chooser(page: str) -> str:
    start = page.index("data-column-chooser=")
    return page[start : page.index("</details>", start)]


def test_the_chooser_lists_every_column_with_its_full_name(page):
    box = chooser(page)
    assert 'data-column-chooser="devices-table"' in page and 'id="devices-table"' in page
    for label, _, attr in VIRTUALIZATION_FIELDS:
        assert f'data-col="{attr}"' in box and label in box, attr
    assert re.search(r'data-col="name" checked disabled>', box)  # always shown
    assert "data-columns-reset" in box
    assert re.search(r'<script src="/static/js/tables\.js"', page)


@pytest.mark.parametrize(
    "attr", ["hostname", "hypervisor_name", "desktop_broker", "environment_name", "last_update"]
)
def test_columns_alike_on_every_workspace_start_hidden(page, attr):
    assert re.search(rf'<input type="checkbox" data-col="{attr}">', chooser(page))
    assert re.search(rf'<th scope="col" data-col="{attr}" class="col-hidden">', page)
    assert re.search(rf'<td data-col="{attr}" class="col-hidden">', page)


@pytest.mark.parametrize(
    "attr", ["desktop_pool", "pool_type", "disk_image", "instance_size", "region", "state"]
)
def test_the_telling_columns_start_shown(page, attr):
    assert re.search(rf'<input type="checkbox" data-col="{attr}" checked>', chooser(page))
    assert re.search(rf'<td data-col="{attr}">', page)
