"""A connector's runs: the connector page shows the newest and links to all of
them, on their own page, paginated and filtered by status and by days."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse

from connectors.models import Run
from tests.connectors.factories import make_connector

pytestmark = pytest.mark.django_db

DAY = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def make_runs(connector, n: int, *, status: str = "succeeded", at: datetime = DAY) -> list[Run]:
    runs = []
    for i in range(n):
        run = Run.objects.create(connector=connector, status=status, trigger="schedule", seen=i)
        Run.objects.filter(pk=run.pk).update(created_at=at + timedelta(minutes=i))
        runs.append(run)
    return runs


def shown(response) -> set[int]:
    return {run.pk for run in response.context["runs"]}


def test_the_connector_page_links_to_all_its_runs(admin_client):
    connector = make_connector()
    make_runs(connector, 30)
    page = admin_client.get(connector.get_absolute_url()).content.decode()
    assert "Recent runs" in page
    assert reverse("connectors:runs", args=[connector.pk]) in page


def test_all_runs_are_reachable_page_by_page(admin_client):
    connector = make_connector()
    runs = make_runs(connector, 60)
    url = reverse("connectors:runs", args=[connector.pk])
    first = admin_client.get(url)
    assert first.status_code == 200
    page = first.content.decode()
    assert "1–25 of 60" in page and 'aria-label="Last page"' in page
    assert shown(first) == {r.pk for r in runs[35:]}  # the newest first
    last = admin_client.get(url, {"page": 3})
    assert shown(last) == {r.pk for r in runs[:10]}  # the oldest, out of reach before
    assert "51–60 of 60" in last.content.decode()


def test_runs_filter_by_status(admin_client):
    connector = make_connector()
    make_runs(connector, 5)
    failed = make_runs(connector, 3, status="failed")
    response = admin_client.get(
        reverse("connectors:runs", args=[connector.pk]), {"status": "failed"}
    )
    assert shown(response) == {r.pk for r in failed}
    assert "1–3 of 3" in response.content.decode()


def test_runs_filter_by_a_range_of_days_both_ends_included(admin_client):
    connector = make_connector()
    before = make_runs(connector, 2, at=DAY - timedelta(days=3))
    inside = make_runs(connector, 2, at=DAY - timedelta(days=1)) + make_runs(connector, 2, at=DAY)
    make_runs(connector, 2, at=DAY + timedelta(days=2))
    url = reverse("connectors:runs", args=[connector.pk])
    response = admin_client.get(url, {"since": "2026-11-19", "until": "2026-11-20"})
    assert shown(response) == {r.pk for r in inside}
    response = admin_client.get(url, {"until": "2026-11-17"})
    assert shown(response) == {r.pk for r in before}


def test_filters_are_kept_by_the_page_links(admin_client):
    connector = make_connector()
    make_runs(connector, 30, status="failed")
    make_runs(connector, 5)
    response = admin_client.get(
        reverse("connectors:runs", args=[connector.pk]), {"status": "failed", "per_page": "25"}
    )
    page = response.content.decode()
    assert "1–25 of 30" in page
    assert "status=failed" in page[page.index('aria-label="Pages"') :]


@pytest.mark.parametrize(
    "params, field",
    [
        ({"status": "exploded"}, "status"),
        ({"since": "yesterday"}, "since"),
        ({"until": "2026-02-30"}, "until"),
        ({"since": "2026-11-21", "until": "2026-11-19"}, "until"),
    ],
)
def test_a_bad_filter_is_explained_at_its_field_and_not_applied(admin_client, params, field):
    connector = make_connector()
    runs = make_runs(connector, 3)
    response = admin_client.get(reverse("connectors:runs", args=[connector.pk]), params)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert f'id="id_{field}_error"' in response.content.decode()
    if field != "until" or "since" not in params:
        assert shown(response) == {r.pk for r in runs}


def test_no_run_matching_says_so(admin_client):
    connector = make_connector()
    make_runs(connector, 3)
    page = admin_client.get(
        reverse("connectors:runs", args=[connector.pk]), {"status": "partial"}
    ).content.decode()
    assert "No run matches these filters" in page


def test_the_runs_page_needs_the_connector_permission(client, make_user):
    connector = make_connector()
    client.force_login(make_user())
    assert client.get(reverse("connectors:runs", args=[connector.pk])).status_code == 403
