"""NQL over pools and pool sessions (nql/pool_tables.py)."""

import pytest
from django.urls import reverse
from django.utils import timezone

from nql.ast import NqlError
from nql.selectors import nql_run
from tests.connectors.factories import make_connector
from tests.pools.factories import make_pool, make_session

pytestmark = pytest.mark.django_db


def run(text: str):
    return nql_run(text=text, can_query=lambda table: True)


@pytest.fixture
def pools():
    eu = make_connector("AWS EU", nql_id="aws_eu")
    us = make_connector("AWS US", nql_id="aws_us", region="us-east-1")
    busy = make_pool(eu, 1, name="Call centre", active_user_sessions=8)
    idle = make_pool(eu, 2, name="Finance", active_user_sessions=0, state="STOPPED")
    other = make_pool(us, 3, name="US agents", active_user_sessions=3)
    make_pool(us, 4, name="Gone", active_user_sessions=5, removed_at=timezone.now())
    for n in range(3):
        make_session(busy, n)
    make_session(busy, 7, ended_at=timezone.now(), connection_state="NOT_CONNECTED")
    make_session(other, 1, authentication_type="IAM")
    return busy, idle, other


def test_pools_with_active_sessions_by_name(pools):
    result = run("pools | where active_user_sessions > 0 | list name")
    assert result.headers == ["name"]
    assert result.rows == [["Call centre"], ["US agents"]]  # removed pools are left out


def test_pools_list_capacity_and_connector(pools):
    result = run(
        'pools | where connector.nql_id == "aws_eu" | list name, state, desired_user_sessions, '
        "available_user_sessions, actual_user_sessions, instance_size"
    )
    assert result.rows == [
        ["Call centre", "RUNNING", 10, 2, 10, "STANDARD"],
        ["Finance", "STOPPED", 10, 2, 10, "STANDARD"],
    ]


def test_pools_summarize_capacity_by_connector(pools):
    result = run(
        "pools | summarize active = active_user_sessions.sum(), n = count() by connector.nql_id"
        " | sort active desc"
    )
    assert result.rows == [["aws_eu", 8, 2], ["aws_us", 3, 1]]


def test_current_sessions_summarized_by_pool(pools):
    result = run(
        "pool.sessions | where end_time == null | summarize n = count() by pool.name | sort n desc"
    )
    assert result.rows == [["Call centre", 3], ["US agents", 1]]


def test_sessions_list_user_instance_state_and_connector(pools):
    result = run(
        'pool.sessions | where connection_state == "NOT_CONNECTED" '
        "| list user, instance_id, authentication_type, pool.name, connector.nql_id, end_time"
    )
    [row] = result.rows
    assert row[:5] == ["user7@example.com", "i-00000000000000007", "SAML", "Call centre", "aws_eu"]
    assert row[5] is not None
    assert run('pool.sessions | where authentication_type == "IAM" | list user').rows == [
        ["user1@example.com"]
    ]


def test_sessions_time_selection_filters_on_start_time(pools):
    assert len(run("pool.sessions during past 1h | list session_id").rows) == 5
    assert run("pool.sessions during past 1h | where start_time.time_elapsed() > 2d").rows == []


def test_an_unknown_pool_field_is_a_clear_error(pools):
    with pytest.raises(NqlError) as error:
        run("pools | list active_sessions")
    assert "active_user_sessions" in str(error.value)


def test_the_field_reference_lists_the_pool_tables(admin_client):
    page = admin_client.get(reverse("nql:query")).content.decode()
    assert "pool.sessions" in page and "active_user_sessions" in page
    assert "CapacityStatus.ActiveUserSessions" in page


def test_pool_tables_need_the_devices_permission(client, make_user, pools):
    client.force_login(make_user("runs-only", "connectors.view_inboundconnector"))
    page = client.get(reverse("nql:query"), {"q": "pools | list name"}).content.decode()
    assert "Call centre" not in page
    assert "you do not have permission to query the pools table" in page
