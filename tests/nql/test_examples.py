"""The ten queries administrators write most (shared/reference/nql-examples.md)
give, in the console and through the API, what the Devices page's filters
and counts give over the same fleet, and for pools what the Pools page lists."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from nql.examples import EXAMPLES
from nql.selectors import nql_run
from tests.connectors.factories import make_connector
from tests.devices.factories import make_devices
from tests.pools.factories import make_pool

pytestmark = pytest.mark.django_db
TEN = [text for _, text in EXAMPLES[:10]]


@pytest.fixture
def demo_fleet():
    now = timezone.now()
    fresh, stale = now - timedelta(hours=1), now - timedelta(days=10)
    prod_eu = make_connector("Prod EU", nql_id="prod_eu", environment_name="prod-eu")
    prod_us = make_connector(
        "Prod US", nql_id="prod_us", region="us-east-1", environment_name="prod-us"
    )
    dev = make_connector("Dev AP", nql_id="dev_ap", region="ap-south-1", environment_name="dev-ap")
    n = iter(range(1, 1000))

    def add(connector, count, **values):
        start = next(n) * 10
        make_devices(connector, count, start=start, last_update=values.pop("at", fresh), **values)

    add(
        prod_eu,
        4,
        desktop_pool="Finance Alpha",
        disk_image="golden-2025-03",
        instance_size="STANDARD",
    )
    add(
        prod_eu,
        2,
        desktop_pool="Finance Alpha",
        disk_image="golden-2024-11",
        instance_size="STANDARD",
    )
    add(
        prod_eu,
        3,
        desktop_pool="Finance Beta",
        disk_image="win11-pool",
        instance_size="GRAPHICS_G4DN",
    )
    add(
        prod_eu,
        2,
        desktop_pool="Engineering",
        disk_image="golden-2025-03",
        instance_size="GRAPHICSPRO",
        at=stale,
    )
    add(
        prod_us,
        3,
        desktop_pool="Engineering",
        disk_image="golden-2025-03",
        instance_size="graphics.g4dn",
    )
    add(
        prod_us,
        5,
        desktop_pool="Call Centre",
        disk_image="cc-image",
        instance_size="VALUE",
    )
    add(
        dev,
        2,
        desktop_pool="Call Centre",
        disk_image="cc-image",
        instance_size="GRAPHICS",
        at=stale,
    )
    add(
        dev,
        2,
        desktop_pool="Engineering",
        desktop_broker="citrix_daas",
        disk_image="win10",
        instance_size="POWER",
    )
    pools = (
        (prod_eu, "Finance Alpha", "golden-2025-03", "STANDARD", 8, 10),
        (prod_eu, "Finance Beta", "win11-pool", "GRAPHICS_G4DN", 3, 5),
        (prod_us, "Finance Alpha", "golden-2024-11", "STANDARD", 2, 4),
        (prod_us, "Call Centre", "cc-image", "VALUE", 20, 25),
        (dev, "Engineering", "win10", "POWER", 1, 2),
    )
    for i, (connector, name, image, size, active, desired) in enumerate(pools, start=1):
        make_pool(
            connector,
            i,
            name=name,
            disk_image=image,
            instance_size=size,
            active_user_sessions=active,
            desired_user_sessions=desired,
        )
    make_pool(prod_us, 9, name="Finance Old", disk_image="win7", removed_at=now)
    return now


def page(client, **params):
    response = client.get("/devices/", params)
    assert response.status_code == 200
    return response.context


def total(client, **params) -> int:
    return page(client, **params)["total"]


def facet(client, key: str, **params) -> dict[str, int]:
    facets = {f.key: f for f in page(client, **params)["facets"]}
    return {o.label: o.count for o in facets[key].options}


def names(client, **params) -> set[str]:
    return {d.name for d in page(client, **params)["devices"]}


def pools(client, **params) -> list:
    response = client.get("/devices/pools/", params)
    assert response.status_code == 200
    return list(response.context["object_list"])


def grouped(rows, key, value) -> dict:
    out: dict = {}
    for row in rows:
        out[key(row)] = out.get(key(row), 0) + value(row)
    return out


def run(text: str):
    return nql_run(text=text, can_query=lambda table: True)


def test_1_recent_aws_workspaces_are_the_pages_broker_filter_within_the_week(
    admin_client, demo_fleet
):
    result = run(TEN[0])
    week_start = timezone.localtime(demo_fleet).replace(hour=0, minute=0, second=0, microsecond=0)
    week_start -= timedelta(days=6)
    expected = sorted(
        (d.name, d.desktop_pool, d.instance_size)
        for d in page(admin_client, broker="aws_workspaces")["devices"]
        if d.last_update >= week_start
    )
    assert [tuple(r) for r in result.rows] == expected
    assert result.headers == ["name", "virtualization.desktop_pool", "virtualization.instance_size"]


def test_2_workspaces_by_region_are_the_region_facet(admin_client, demo_fleet):
    result = run(TEN[1])
    expected = facet(admin_client, "region", broker="aws_workspaces")
    assert dict(map(tuple, result.rows)) == expected
    counts = [r[1] for r in result.rows]
    assert counts == sorted(counts, reverse=True)


def test_3_pools_and_sessions_in_use_by_instance_size_are_the_pools_pages(admin_client, demo_fleet):
    result = run(TEN[2])
    listed = pools(admin_client)
    count = grouped(listed, lambda p: p.instance_size, lambda p: 1)
    in_use = grouped(listed, lambda p: p.instance_size, lambda p: p.active_user_sessions)
    assert {r[0]: (r[1], r[2]) for r in result.rows} == {
        size: (count[size], in_use[size]) for size in count
    }
    assert sum(r[1] for r in result.rows) == len(listed) == 5  # the removed pool is left out


def test_4_pool_capacity_in_use_per_production_environment(admin_client, demo_fleet):
    result = run(TEN[3])
    assert [r[0] for r in result.rows] == ["prod-eu", "prod-us"]
    listed = pools(admin_client)
    active = grouped(listed, lambda p: p.environment_name, lambda p: p.active_user_sessions)
    desired = grouped(listed, lambda p: p.environment_name, lambda p: p.desired_user_sessions)
    for environment, share in result.rows:
        assert share == round(active[environment] / desired[environment], 6)


def test_5_finance_pools_off_the_2025_golden_images(admin_client, demo_fleet):
    result = run(TEN[4])
    expected = {
        (p.name, p.connector.nql_id, p.disk_image)
        for p in pools(admin_client, q="finance")
        if not p.disk_image.lower().startswith("golden-2025-")
    }
    assert {tuple(r) for r in result.rows} == expected
    assert len(expected) == 2


def test_6_image_drift_per_pool(admin_client, demo_fleet):
    result = run(TEN[5])
    expected = grouped(pools(admin_client), lambda p: (p.name, p.disk_image), lambda p: 1)
    assert {(r[0], r[1]): r[2] for r in result.rows} == expected
    counts = [r[2] for r in result.rows]
    assert counts == sorted(counts)
    drifted = {r[0] for r in result.rows if sum(1 for s in result.rows if s[0] == r[0]) > 1}
    assert drifted == {"Finance Alpha"}


def test_7_stale_enrichment_is_what_the_page_shows_older_than_two_days(admin_client, demo_fleet):
    result = run(TEN[6])
    cutoff = demo_fleet - timedelta(days=2)
    expected = {d.name for d in page(admin_client)["devices"] if d.last_update < cutoff}
    assert {r[0] for r in result.rows} == expected
    assert len(expected) == 4


def test_8_graphics_sizes_in_two_regions(admin_client, demo_fleet):
    result = run(TEN[7])
    expected = set()
    for region in ("us-east-1", "eu-west-1"):
        for size in facet(admin_client, "instance_size", region=region):
            if "graphics" in size.lower():
                expected |= names(admin_client, region=region, instance_size=size)
    assert {r[0] for r in result.rows} == expected
    assert len(expected) == 8


def test_9_top_pools_by_sessions_in_use(admin_client, demo_fleet):
    result = run(TEN[8])
    expected = grouped(pools(admin_client), lambda p: p.name, lambda p: p.active_user_sessions)
    assert dict(map(tuple, result.rows)) == expected
    assert [r[1] for r in result.rows] == sorted(expected.values(), reverse=True)


def test_10_workspaces_by_broker_and_environment(admin_client, demo_fleet):
    result = run(TEN[9])
    for broker, environment, n in result.rows:
        assert n == total(admin_client, broker=broker, environment=environment)
    assert sum(r[2] for r in result.rows) == total(admin_client)


@pytest.mark.parametrize("index", range(10))
def test_each_example_gives_the_same_rows_on_the_console_page_and_through_the_api(
    client, admin_user, demo_fleet, saved_query, token_for, index
):
    saved_query(f"#example_{index + 1}", TEN[index])
    token = token_for("nql:devices", "nql:pools")
    body = client.post(
        "/api/v1/nql/execute",
        json.dumps({"queryId": f"#example_{index + 1}"}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    ).json()
    client.force_login(admin_user)
    console = client.get("/nql/", {"q": TEN[index]}).context["result"]
    assert body["headers"] == console.headers
    assert body["data"] == console.rows
    assert body["rows"] == len(console.rows) > 0
