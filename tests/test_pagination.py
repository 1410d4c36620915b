"""Every paginated list pages the same way (templates/inc/pagination.html and
nexthink_admin/paging.py): the total ("26–50 of 130"), page numbers with
ellipses, first and last, and a page size of 25, 50 or 100. A bad page size
falls back to the list's default and a bad page number to a real page: never
a 404 or a 500."""

import re

import pytest
from django.urls import reverse

from credentials.services import credential_create
from nexthink_admin.models import AuditEvent
from nexthink_admin.paging import page_size
from tests.connectors.factories import make_connector
from tests.devices.factories import make_devices

pytestmark = pytest.mark.django_db


def make_events(n: int) -> None:
    AuditEvent.objects.bulk_create(
        AuditEvent(
            action="created", object_type="credential", object_id=i, object_repr=f"event {i:03d}"
        )
        for i in range(n)
    )


def rows(page: str) -> int:
    return len(re.findall(r"<tr>\s*<td", page))


def get(client, url: str, **params) -> str:
    response = client.get(url, params)
    assert response.status_code == 200
    return response.content.decode()


def test_a_list_shows_its_total_and_its_page_numbers_with_first_and_last(admin_client):
    make_events(980)  # the audit trail shows 50 a page: 20 pages
    page = get(admin_client, reverse("audit"), page=10)
    assert "451–500 of 980" in page
    numbers = re.findall(r'aria-label="Page (\d+)(?:, current page)?"', page)
    assert numbers == ["1", "8", "9", "10", "11", "12", "20"]
    assert page.count('class="pager-gap"') == 2  # 1 … 8 9 10 11 12 … 20
    assert 'aria-current="page" aria-label="Page 10, current page">10</a>' in page
    assert 'aria-label="First page"' in page and 'aria-label="Last page"' in page
    assert "?page=20" in page and "Page 10 of" not in page


def test_the_first_page_offers_no_first_and_the_last_no_last(admin_client):
    make_events(120)
    first = get(admin_client, reverse("audit"))
    assert "1–50 of 120" in first
    assert 'aria-label="First page"' not in first and 'aria-label="Last page"' in first
    last = get(admin_client, reverse("audit"), page=3)
    assert "101–120 of 120" in last
    assert 'aria-label="First page"' in last and 'aria-label="Last page"' not in last


def test_the_page_size_is_chosen_and_kept_by_the_page_links(admin_client):
    make_events(130)
    page = get(admin_client, reverse("audit"), per_page=25, type="credential")
    assert rows(page) == 25 and "1–25 of 130" in page
    assert '<option value="25" selected>' in page
    assert re.search(r'href="\?(?=[^"]*per_page=25)(?=[^"]*type=credential)[^"]*page=2"', page)
    # The page-size form keeps the filter and starts again at page 1.
    form = page[page.index('class="pager-size"') :]
    assert 'name="type" value="credential"' in form and 'name="page"' not in form
    assert rows(get(admin_client, reverse("audit"), per_page=100)) == 100


@pytest.mark.parametrize("bad", ["7", "abc", "-25", "100000", "", "50.0", "25%00"])
def test_a_bad_page_size_falls_back_to_the_default(admin_client, bad):
    make_events(60)
    page = get(admin_client, reverse("audit"), per_page=bad)
    assert rows(page) == 50 and "1–50 of 60" in page


@pytest.mark.parametrize("bad", ["abc", "0", "-1", "999"])
def test_a_bad_page_number_gives_a_page_not_an_error(admin_client, bad):
    for i in range(30):
        credential_create(name=f"Account {i:02d}")
    page = get(admin_client, reverse("credentials:list"), page=bad)
    assert "of 30" in page


def test_the_page_size_helper_takes_only_the_offered_sizes():
    assert page_size({"per_page": "100"}) == 100
    assert page_size({"per_page": "10"}) == 25
    assert page_size({"per_page": "10"}, default=10) == 10  # a list's own default stays valid
    assert page_size({}, default=50) == 50
    assert page_size({"per_page": None}) == 25


@pytest.mark.parametrize(
    "url_name",
    ["connectors:list", "credentials:list", "devices:list", "nql_queries:list", "api_clients:list"],
)
def test_every_list_takes_a_page_size(admin_client, url_name):
    connector = make_connector("AWS Prod EU")
    make_devices(connector, 3)
    page = get(admin_client, reverse(url_name), per_page="100", page="x")
    if "pager-total" in page:
        assert re.search(r"1–\d+ of \d+", page)


def test_the_devices_list_pages_with_the_chosen_size(admin_client):
    make_devices(make_connector("AWS Prod EU"), 60)
    page = get(admin_client, reverse("devices:list"), per_page=25, page=3)
    assert "51–60 of 60" in page
    assert 'aria-label="Page 1"' in page and 'aria-label="Page 3, current page"' in page
