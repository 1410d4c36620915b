import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from connectors.devices.selectors import FACET_KEYS, PAGE_SIZE, SORTS
from connectors.models.device import VIRTUALIZATION_FIELDS, Device
from tests.connectors.factories import make_connector

from .factories import make_device, make_devices

pytestmark = pytest.mark.django_db
LIST = reverse("devices:list")


def names(response) -> list[str]:
    return [d.name for d in response.context["devices"]]


def facet(response, key: str) -> dict[str, int]:
    facets = {f.key: f for f in response.context["facets"]} | {"status": response.context["status"]}
    return {o.value: o.count for o in facets[key].options}


@pytest.fixture
def fleet():
    """Two connectors, personal and pooled devices, one removed."""
    eu = make_connector("AWS EU", region="eu-west-1", environment_name="Prod EU")
    us = make_connector("AWS US", region="us-east-1", environment_name="Prod US")
    make_device(
        eu, 1, name="alpha", user_name="alice", instance_size="PERFORMANCE", disk_image="img-a"
    )
    make_device(eu, 2, name="bravo", user_name="bob", state="STOPPED", disk_image="img-b")
    make_device(
        us,
        3,
        name="charlie",
        pool_type="pooled",
        desktop_pool="Call centre",
        disk_image="",
        source_id="sess-3",
        session_id="sess-3",
        workspace_id="",
        user_name="carol",
        state="ACTIVE",
    )
    make_device(us, 4, name="delta", removed_at=timezone.now(), user_name="dave")
    return eu, us


def test_the_page_is_titled_devices_and_highlights_its_navigation(admin_client, fleet):
    page = admin_client.get(LIST).content.decode()
    assert "<title>Devices" in page and "<h1>Devices" in page
    assert re.search(r'href="/devices/" class="active"', page)


def test_columns_show_ui_labels_with_their_nql_names(admin_client, fleet):
    page = admin_client.get(LIST).content.decode()
    for label, nql, _ in VIRTUALIZATION_FIELDS:
        assert label in page and nql in page, label
    assert "Connector" in page and "State" in page


def test_rows_show_the_devices_fields_and_their_connector(admin_client, fleet):
    page = admin_client.get(LIST).content.decode()
    for text in (
        "alpha",
        "Standard Windows 10",
        "AWS host",
        "AWS hypervisor",
        "Prod EU",
        "aws_workspaces",
        "img-a",
        "PERFORMANCE",
        "eu-west-1",
        "2025-03-01 12:00",
        "AWS EU",
        "AVAILABLE",
    ):
        assert text in page, text
    assert Device.objects.get(name="alpha").get_absolute_url() in page


def test_removed_devices_are_hidden_by_default_and_shown_on_request(admin_client, fleet):
    assert names(admin_client.get(LIST)) == ["alpha", "bravo", "charlie"]
    assert names(admin_client.get(LIST, {"status": "removed"})) == ["delta"]
    assert names(admin_client.get(LIST, {"status": "all"})) == [
        "alpha",
        "bravo",
        "charlie",
        "delta",
    ]


@pytest.mark.parametrize(
    "params, expected",
    [
        ({"region": "us-east-1"}, ["charlie"]),
        ({"environment": "Prod EU"}, ["alpha", "bravo"]),
        ({"pool_type": "pooled"}, ["charlie"]),
        ({"instance_size": "PERFORMANCE"}, ["alpha"]),
        ({"disk_image": "img-b"}, ["bravo"]),
        ({"disk_image": "__none__"}, ["charlie"]),
        ({"broker": "aws_workspaces"}, ["alpha", "bravo", "charlie"]),
        ({"state": "STOPPED"}, ["bravo"]),
        ({"region": "eu-west-1", "state": "AVAILABLE"}, ["alpha"]),
    ],
)
def test_each_filter_narrows_the_list(admin_client, fleet, params, expected):
    assert names(admin_client.get(LIST, params)) == expected


def test_connector_filter_takes_the_connector_id(admin_client, fleet):
    eu, us = fleet
    assert names(admin_client.get(LIST, {"connector": eu.pk})) == ["alpha", "bravo"]
    assert names(admin_client.get(LIST, {"connector": us.pk, "status": "all"})) == [
        "charlie",
        "delta",
    ]


@pytest.mark.parametrize(
    "params",
    [
        {"region": "mars-north-1"},
        {"connector": "abc"},
        {"connector": "99999999999999999999999"},
        {"connector": "-1"},
        {"connector": "²"},
        {"connector": "①"},
        {"connector": "١٢"},
        {"status": "sideways"},
        {"state": "x\x00y"},
        {"pool_type": "shared"},
    ],
)
def test_unknown_filter_values_give_an_empty_result_not_an_error(admin_client, fleet, params):
    response = admin_client.get(LIST, params)
    assert response.status_code == 200
    assert names(response) == [] and response.context["total"] == 0
    assert "No device matches this view" in response.content.decode()


@pytest.mark.parametrize(
    "q, expected",
    [
        ("ALPH", ["alpha"]),  # name, any case
        ("carol", ["charlie"]),  # user
        ("call centre", ["charlie"]),  # pool
        ("img-b", ["bravo"]),  # image
        ("sess-3", ["charlie"]),  # session id
        ("nothing-like-this", []),
    ],
)
def test_search_looks_in_name_user_pool_and_image(admin_client, fleet, q, expected):
    assert names(admin_client.get(LIST, {"q": q})) == expected


def test_facet_counts_count_each_value_without_the_facets_own_filter(admin_client, fleet):
    response = admin_client.get(LIST, {"region": "eu-west-1"})
    # Region counts ignore the region filter itself, other facets follow it.
    assert facet(response, "region") == {"eu-west-1": 2, "us-east-1": 1}
    assert facet(response, "state") == {"AVAILABLE": 1, "STOPPED": 1}
    assert facet(response, "status") == {"active": 2, "removed": 0, "all": 2}
    assert facet(response, "disk_image") == {"img-a": 1, "img-b": 1}
    eu, us = fleet
    assert facet(response, "connector") == {str(eu.pk): 2}
    assert response.context["total"] == 2


def test_facet_counts_cover_the_blank_value_and_every_facet(admin_client, fleet):
    response = admin_client.get(LIST)
    assert facet(response, "disk_image") == {"img-a": 1, "img-b": 1, "__none__": 1}
    assert set(FACET_KEYS) <= {f.key for f in response.context["facets"]}
    page = response.content.decode()
    assert "(blank) (1)" in page and "Active (3)" in page and "Removed (1)" in page


def test_a_selected_value_without_devices_is_still_offered_with_zero(admin_client, fleet):
    response = admin_client.get(LIST, {"region": "mars-north-1"})
    assert facet(response, "region")["mars-north-1"] == 0


def test_sort_by_every_column_is_accepted_both_ways(admin_client, fleet):
    for key in SORTS:
        for sort in (key, f"-{key}"):
            response = admin_client.get(LIST, {"sort": sort})
            assert response.status_code == 200 and response.context["device_query"].sort == sort, (
                sort
            )
            assert sorted(names(response)) == ["alpha", "bravo", "charlie"], sort


def test_sort_orders_rows_and_ties_fall_back_to_name(admin_client, fleet):
    assert names(admin_client.get(LIST, {"sort": "-name"})) == ["charlie", "bravo", "alpha"]
    assert names(admin_client.get(LIST, {"sort": "state"})) == ["charlie", "alpha", "bravo"]
    assert names(admin_client.get(LIST, {"sort": "region"})) == ["alpha", "bravo", "charlie"]
    # Descending reverses the whole order, ties included (one index scanned backwards).
    assert names(admin_client.get(LIST, {"sort": "-region"})) == ["charlie", "bravo", "alpha"]
    assert names(admin_client.get(LIST, {"sort": "connector"})) == ["alpha", "bravo", "charlie"]


def test_last_update_sorts_by_time(admin_client, fleet):
    Device.objects.filter(name="alpha").update(last_update=timezone.now() + timedelta(days=1))
    assert names(admin_client.get(LIST, {"sort": "-last_update"}))[0] == "alpha"


@pytest.mark.parametrize("sort", ["password", "connector__credential", "-", "name;drop", ""])
def test_an_unknown_sort_is_ignored(admin_client, fleet, sort):
    response = admin_client.get(LIST, {"sort": sort})
    assert response.status_code == 200 and names(response) == ["alpha", "bravo", "charlie"]


def test_headers_link_to_the_sort_keeping_the_filters(admin_client, fleet):
    page = admin_client.get(LIST, {"region": "eu-west-1", "sort": "state"}).content.decode()
    assert 'href="?region=eu-west-1&amp;sort=-state"' in page  # current column: flips
    assert 'href="?region=eu-west-1&amp;sort=disk_image"' in page


def test_pages_hold_fifty_devices_and_keep_the_view_in_the_links(admin_client):
    make_devices(make_connector(), PAGE_SIZE * 2 + 5)
    first = admin_client.get(LIST, {"region": "eu-west-1"})
    assert (
        len(first.context["devices"]) == PAGE_SIZE
        and first.context["page_obj"].paginator.num_pages == 3
    )
    assert "?region=eu-west-1&amp;page=2" in first.content.decode()
    last = admin_client.get(LIST, {"region": "eu-west-1", "page": "3"})
    assert names(last) == [f"WSAMZN-{i:06d}" for i in range(101, 106)]


@pytest.mark.parametrize(
    "page, number", [("abc", 1), ("0", 3), ("-4", 3), ("999", 3), ("2.5", 1), ("", 1)]
)
def test_bad_page_numbers_give_the_first_or_last_page(admin_client, page, number):
    make_devices(make_connector(), PAGE_SIZE * 2 + 5)
    response = admin_client.get(LIST, {"page": page})
    assert response.status_code == 200 and response.context["page_obj"].number == number


def test_no_devices_at_all_explains_that_connectors_fill_the_page(admin_client):
    page = admin_client.get(LIST).content.decode()
    assert "No devices yet" in page and reverse("connectors:list") in page
    assert "No device matches" not in page and "Export CSV" not in page


def test_no_match_offers_to_clear_the_filters(admin_client, fleet):
    page = admin_client.get(LIST, {"q": "zzz", "region": "eu-west-1"}).content.decode()
    assert (
        "No device matches this view" in page
        and "Clear filters" in page
        and 'href="/devices/"' in page
    )
    assert "No devices yet" not in page


def test_export_links_carry_the_whole_view(admin_client, fleet):
    page = admin_client.get(
        LIST, {"region": "eu-west-1", "q": "a", "sort": "-state"}
    ).content.decode()
    assert f"{reverse('devices:export_csv')}?q=a&amp;region=eu-west-1&amp;sort=-state" in page
    assert (
        f"{reverse('devices:export_enrichment')}?q=a&amp;region=eu-west-1&amp;sort=-state" in page
    )


def test_query_count_per_page_does_not_grow_with_the_devices(
    admin_client, django_assert_max_num_queries
):
    connector = make_connector()
    make_devices(connector, 10)
    # One GROUP BY per facet and the status counts, the page, session, user and time zone.
    with django_assert_max_num_queries(23) as small:
        admin_client.get(LIST, {"sort": "connector"})
    make_devices(connector, 190, start=11, state="STOPPED")
    make_devices(make_connector("Second"), 10, state="ERROR")
    with django_assert_max_num_queries(23) as large:
        response = admin_client.get(LIST, {"sort": "connector", "page": "2"})
    assert len(response.context["devices"]) == PAGE_SIZE
    assert len(large.captured_queries) == len(small.captured_queries)


def test_facet_counts_are_cached_until_the_devices_change(
    admin_client, django_assert_max_num_queries
):
    connector = make_connector()
    make_devices(connector, 20)
    with django_assert_max_num_queries(23) as cold:
        admin_client.get(LIST)
    with django_assert_max_num_queries(23) as warm:
        response = admin_client.get(LIST)
    assert len(warm.captured_queries) < len(cold.captured_queries)
    assert response.context["total"] == 20
    make_devices(connector, 5, start=500)  # what a run does: new rows, a newer last_update
    assert admin_client.get(LIST).context["total"] == 25
