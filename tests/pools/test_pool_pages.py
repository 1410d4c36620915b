"""The Pools list and the pool page, as an administrator sees them."""

import pytest
from django.urls import reverse
from django.utils import timezone

from connectors.pools.selectors import PAGE_SIZE, SESSIONS_PAGE_SIZE
from tests.connectors.factories import make_connector

from .factories import make_pool, make_session

pytestmark = pytest.mark.django_db
LIST = reverse("pools:list")


def names(response) -> list[str]:
    return [p.name for p in response.context["object_list"]]


@pytest.fixture
def pools():
    eu = make_connector("AWS EU", region="eu-west-1", environment_name="Prod EU")
    us = make_connector("AWS US", region="us-east-1", environment_name="Prod US")
    call = make_pool(eu, 1, name="Call centre")
    make_pool(eu, 2, name="Finance", state="STOPPED")
    make_pool(us, 3, name="Call centre US")
    make_pool(us, 4, name="Gone", removed_at=timezone.now())
    for n in range(3):
        make_session(call, n)
    make_session(call, 9, ended_at=timezone.now())
    return eu, us, call


def test_the_list_shows_active_pools_with_capacity_and_current_sessions(admin_client, pools):
    response = admin_client.get(LIST)
    assert names(response) == ["Call centre", "Call centre US", "Finance"]
    page = response.content.decode()
    assert "<h1>Pools" in page and 'href="/devices/pools/" class="active"' in page
    row = next(p for p in response.context["object_list"] if p.name == "Call centre")
    assert row.open_sessions == 3 and row.active_user_sessions == 8


@pytest.mark.parametrize(
    "params, expected",
    [
        ({"q": "call"}, ["Call centre", "Call centre US"]),
        ({"q": "wspool-000000002"}, ["Finance"]),
        ({"state": "STOPPED"}, ["Finance"]),
        ({"status": "removed"}, ["Gone"]),
        ({"status": "all"}, ["Call centre", "Call centre US", "Finance", "Gone"]),
        ({"connector": "not-a-number"}, []),
    ],
)
def test_the_list_filters_by_name_state_status(admin_client, pools, params, expected):
    assert names(admin_client.get(LIST, params)) == expected


def test_the_list_filters_by_connector(admin_client, pools):
    eu, us, _ = pools
    assert names(admin_client.get(LIST, {"connector": us.pk})) == ["Call centre US"]
    choices = admin_client.get(LIST).context["choices"]
    assert choices.connectors == [(str(eu.pk), "AWS EU"), (str(us.pk), "AWS US")]


def test_the_list_is_paginated(admin_client):
    connector = make_connector()
    for n in range(PAGE_SIZE + 3):
        make_pool(connector, n, name=f"Pool {n:03d}")
    first = admin_client.get(LIST)
    assert len(first.context["object_list"]) == PAGE_SIZE
    assert f"1–{PAGE_SIZE} of {PAGE_SIZE + 3}" in first.content.decode()
    assert names(admin_client.get(LIST, {"page": 2})) == [f"Pool {n:03d}" for n in range(50, 53)]


def test_an_empty_list_says_where_pools_come_from(admin_client):
    page = admin_client.get(LIST).content.decode()
    assert "No pools yet" in page and "DescribeWorkspacesPools" in page


def test_the_pool_page_shows_fields_capacity_errors_and_current_sessions(admin_client, pools):
    _, _, call = pools
    call.errors = [{"code": "IamServiceRoleIsMissing", "message": "The service role is missing."}]
    call.save()
    response = admin_client.get(reverse("pools:detail", args=[call.pk]))
    page = response.content.decode()
    fields = {nql: value for _, nql, value, _ in response.context["fields"]}
    assert fields["virtualization.desktop_pool"] == "Call centre"
    assert fields["virtualization.type"] == "pooled"
    assert fields["virtualization.disk_image"] == "Finance-Golden-2026"
    assert fields["virtualization.instance_size"] == "STANDARD"
    assert fields["virtualization.region"] == "eu-west-1"
    assert fields["virtualization.environment_name"] == "Prod EU"
    assert fields["virtualization.desktop_broker"] == "aws_workspaces"
    assert dict(response.context["capacity"]) == {
        "Available user sessions": 2,
        "Desired user sessions": 10,
        "Actual user sessions": 10,
        "Active user sessions": 8,
    }
    assert "IamServiceRoleIsMissing" in page and "The service role is missing." in page
    sessions = response.context["sessions"].object_list
    assert len(sessions) == 3 and all(s.ended_at is None for s in sessions)
    assert "user0@example.com" in page and "Current (3)" in page and "Ended (1)" in page


def test_the_pool_page_lists_ended_sessions_as_its_recent_history(admin_client, pools):
    _, _, call = pools
    response = admin_client.get(reverse("pools:detail", args=[call.pk]), {"sessions": "ended"})
    assert [s.user_id for s in response.context["sessions"].object_list] == ["user9@example.com"]
    everything = admin_client.get(reverse("pools:detail", args=[call.pk]), {"sessions": "bogus"})
    assert everything.context["session_view"] == "current"  # an unknown view: the default


def test_the_pool_page_pages_its_sessions(admin_client):
    pool = make_pool(make_connector())
    for n in range(SESSIONS_PAGE_SIZE + 1):
        make_session(pool, n)
    url = reverse("pools:detail", args=[pool.pk])
    assert len(admin_client.get(url).context["sessions"].object_list) == SESSIONS_PAGE_SIZE
    assert len(admin_client.get(url, {"page": 2}).context["sessions"].object_list) == 1


def test_an_unknown_pool_is_404(admin_client):
    assert admin_client.get(reverse("pools:detail", args=[999])).status_code == 404


def test_pages_need_sign_in_and_the_devices_permission(client, make_user, pools):
    _, _, call = pools
    urls = [LIST, reverse("pools:detail", args=[call.pk])]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    client.force_login(make_user("nobody"))
    for url in urls:
        assert client.get(url).status_code == 403
    assert 'href="/devices/pools/"' not in client.get(reverse("home")).content.decode()
    client.force_login(make_user("viewer", "connectors.view_device"))
    for url in urls:
        assert client.get(url).status_code == 200
    assert 'href="/devices/pools/"' in client.get(reverse("home")).content.decode()


def test_the_admin_lists_pools_and_their_sessions_read_only(client, make_user, pools):
    _, _, call = pools
    client.force_login(make_user("staff", "connectors.view_device", is_staff=True))
    changelist = client.get(reverse("admin:connectors_pool_changelist"))
    assert changelist.status_code == 200 and "Call centre" in changelist.content.decode()
    change = client.get(reverse("admin:connectors_pool_change", args=[call.pk]))
    assert change.status_code == 200 and "4 sessions" in change.content.decode()
    sessions = client.get(
        reverse("admin:connectors_poolsession_changelist"), {"pool__id__exact": call.pk}
    )
    assert sessions.status_code == 200 and "user9@example.com" in sessions.content.decode()
    assert client.post(reverse("admin:connectors_pool_delete", args=[call.pk])).status_code == 403
    assert client.get(reverse("admin:connectors_pool_add")).status_code == 403
