"""Pool load by hour: how busy each pool is in each hour of the week, from
the capacity each run's snapshot recorded for it (issue 15: "how busy each
pool is by hour")."""

from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from insight.models import FleetSnapshot
from insight.pool_usage import PoolChoice, pool_load_by_hour
from tests.connectors.factories import make_connector
from tests.pools.factories import make_pool

pytestmark = pytest.mark.django_db
URL = reverse("insight:pool_load")
MONDAY_TEN = datetime(2026, 11, 23, 10, 5)
ODD_NAME = "Eng.Pool-1_a"  # AWS allows letters, digits, dots, hyphens and underscores


def snapshot(connector, at, **pools):
    return FleetSnapshot.objects.create(
        connector=connector,
        taken_at=at,
        pools={name.replace("_", " "): capacity for name, capacity in pools.items()},
    )


def cap(active: int, actual: int = 10) -> dict:
    return {"available": actual - active, "desired": actual, "actual": actual, "active": active}


@pytest.fixture
def history():
    connector = make_connector("Pools EU")
    monday_ten = timezone.make_aware(MONDAY_TEN)
    # Two samples in Monday's 10 o'clock hour, one on Tuesday at 14, for two pools.
    snapshot(connector, monday_ten, Finance=cap(4), Call_Centre=cap(20, 25))
    snapshot(connector, monday_ten + timedelta(minutes=30), Finance=cap(8), Call_Centre=cap(0, 25))
    snapshot(
        connector, monday_ten + timedelta(days=1, hours=4), Finance=cap(1, 4), Call_Centre=cap(0)
    )
    return connector, monday_ten + timedelta(days=2)


def test_a_pools_active_sessions_are_averaged_by_weekday_and_hour_apart_from_other_pools(
    history,
):
    connector, now = history
    load = pool_load_by_hour(choice=PoolChoice(connector.pk, "x", "Finance"), days=30, now=now)
    assert set(load) == {(1, 10), (2, 14)}
    assert (load[(1, 10)].active, load[(1, 10)].utilisation) == (6.0, 60.0)
    assert (load[(2, 14)].active, load[(2, 14)].utilisation) == (1.0, 25.0)
    other = pool_load_by_hour(choice=PoolChoice(connector.pk, "x", "Call Centre"), days=30, now=now)
    assert (other[(1, 10)].active, other[(1, 10)].utilisation) == (10.0, 40.0)
    assert other[(2, 14)].active == 0


def test_samples_older_than_the_period_are_left_out(history):
    connector, now = history
    later = now + timedelta(days=28, hours=1)  # 30 days after Monday 11:05
    load = pool_load_by_hour(choice=PoolChoice(connector.pk, "x", "Finance"), days=30, now=later)
    assert set(load) == {(2, 14)}


def test_a_pool_name_with_dots_is_one_key_not_a_path():
    connector = make_connector("Odd names")
    at = timezone.make_aware(MONDAY_TEN)
    FleetSnapshot.objects.create(
        connector=connector, taken_at=at, pools={ODD_NAME: cap(3), "Eng": {"Pool-1_a": cap(9)}}
    )
    load = pool_load_by_hour(
        choice=PoolChoice(connector.pk, "x", ODD_NAME), days=30, now=at + timedelta(hours=1)
    )
    assert load[(1, 10)].active == 3.0


def test_the_page_shows_the_chosen_pools_hours_with_a_table_and_a_link_per_cell(viewer, history):
    connector, _ = history
    page = viewer.get(URL, {"pool": f"{connector.pk}:Finance"})
    assert page.status_code == 200
    assert page.context["choice"].name == "Finance"
    [monday] = [hours for name, hours in page.context["table"] if name == "Mon"]
    # The page's period ends now: the fixture's samples are in the past week or so.
    assert [h for h, x in enumerate(monday) if x] == [10]
    html = page.content.decode()
    assert "<svg" in html and "Call Centre (Pools EU)" in html  # the other pool is offered
    assert f'href="{reverse("pools:list")}?q=Finance&amp;connector={connector.pk}"' in html
    assert "6.0" in html and "(60%)" in html


def test_an_unknown_pool_says_so_and_the_first_pool_is_shown_by_default(viewer, history):
    page = viewer.get(URL, {"pool": "999:nope\x00"})
    assert page.status_code == 200 and page.context["choice"] is None
    assert "No pool of that name" in page.content.decode()
    assert viewer.get(URL).context["choice"].name == "Call Centre"


def test_without_pools_the_page_says_where_they_come_from(viewer):
    page = viewer.get(URL).content.decode()
    assert "Pools appear here once a connector" in page


def test_the_page_needs_the_devices_permission(client, make_user):
    client.force_login(make_user("nobody"))
    assert client.get(URL).status_code == 403


def test_the_pool_page_links_to_its_load_by_hour(viewer, history):
    connector, _ = history
    pool = make_pool(connector, 1, name="Finance")
    page = viewer.get(reverse("pools:detail", args=[pool.pk])).content.decode()
    link = f'{URL}?pool={connector.pk}%3AFinance"'
    assert link in page
    assert viewer.get(f"{URL}?pool={connector.pk}%3AFinance").context["choice"].name == "Finance"


def test_the_page_answers_in_the_same_number_of_queries_for_a_longer_history(viewer, history):
    connector, _ = history
    key = {"pool": f"{connector.pk}:Finance"}
    with CaptureQueriesContext(connection) as small:
        viewer.get(URL, key)
    start = timezone.now() - timedelta(days=20)
    FleetSnapshot.objects.bulk_create(
        FleetSnapshot(
            connector=connector,
            taken_at=start + timedelta(minutes=15 * i),
            pools={"Finance": cap(i % 7), "Other": cap(1)},
        )
        for i in range(1500)
    )
    with CaptureQueriesContext(connection) as big:
        assert viewer.get(URL, key).status_code == 200
    assert len(big) == len(small)
