"""The NQL query page: editor, results (sortable, paginated), chart, CSV,
permissions per table, bounds and the statement timeout."""

import csv
import io
from datetime import datetime, timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from connectors.models import Run
from nql.ast import NqlTimeout
from nql.runner import statement_timeout
from nql.selectors import nql_run
from tests.connectors.factories import make_connector
from tests.devices.factories import make_devices

pytestmark = pytest.mark.django_db
URL = reverse("nql:query")


def test_the_empty_page_offers_examples_and_the_field_reference(admin_client):
    page = admin_client.get(URL).content.decode()
    assert "Field reference" in page and "virtualization.desktop_pool" in page
    assert "aws.workspace_id" in page and "connector.runs" in page
    assert "Top pools" in page and 'href="/nql/"' in page  # the nav link


def test_a_query_in_the_url_runs_and_shows_its_rows(admin_client, fleet):
    response = admin_client.get(
        URL, {"q": 'devices | where connector.nql_id == "aws_dev_us" | list name'}
    )
    rows = response.context["page_obj"].object_list
    assert rows == [["WSAMZN-000040"], ["WSAMZN-000041"]]
    assert "WSAMZN-000040" in response.content.decode()
    assert response.context["chart"] == ""


def test_an_error_names_the_position_and_points_at_it(admin_client):
    response = admin_client.get(URL, {"q": "devices\n| where virtualization.region = eu"})
    assert response.status_code == 200
    assert response.context["error"].startswith(
        "line 2, column 33: virtualization.region is a string: write the value quoted"
    )
    assert "line 2, column 33: virtualization.region is a string" in response.content.decode()
    assert response.context["error_caret"] == " " * 32 + "^"


def test_columns_sort_on_the_page_and_pages_hold_fifty_rows(admin_client, fleet):
    make_devices(fleet["eu"], 60, start=100)
    query = "devices | list name, virtualization.desktop_pool"
    first = admin_client.get(URL, {"q": query})
    assert len(first.context["page_obj"].object_list) == 50
    assert first.context["page_obj"].paginator.num_pages == 2
    by_pool = admin_client.get(URL, {"q": query, "sort": "1", "dir": "desc"})
    pools = [r[1] for r in by_pool.context["page_obj"].object_list]
    assert pools == sorted(pools, reverse=True)
    assert pools[0] == "finance-a"
    second = admin_client.get(URL, {"q": query, "sort": "0", "dir": "asc", "page": "2"})
    assert len(second.context["page_obj"].object_list) == 21


def test_summarize_by_draws_a_chart(admin_client, fleet):
    response = admin_client.get(
        URL, {"q": "devices | summarize n = count() by virtualization.region"}
    )
    chart = str(response.context["chart"])
    assert chart.startswith("<svg") and "eu-west-1" in chart and "us-east-1" in chart


def test_time_buckets_draw_a_chart_too(admin_client, fleet):
    response = admin_client.get(URL, {"q": "devices | summarize n = count() by 1d"})
    assert str(response.context["chart"]).startswith("<svg")
    assert response.context["result"].headers[:3] == ["start_time", "end_time", "bucket_duration"]


def test_csv_export_neutralises_every_formula_cell(admin_client, fleet):
    hostile = ['=HYPERLINK("http://x")', "+1+1", "-2", "@SUM(A1)", "\tTAB", "\rCR", "plain"]
    for i, name in enumerate(hostile):
        make_devices(fleet["us"], 1, start=500 + i, name=name, desktop_pool="=1+1")
    response = admin_client.get(
        reverse("nql:export_csv"),
        {
            "q": 'devices | where aws.source_id == "ws-*-0005*" '
            "| list name, virtualization.desktop_pool | sort name"
        },
    )
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == ["name", "virtualization.desktop_pool"]
    cells = [cell for row in rows[1:] for cell in row]
    assert len(rows) == 1 + len(hostile)
    for cell in cells:
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
    assert '\'=HYPERLINK("http://x")' in cells and "plain" in cells and "'=1+1" in cells


def test_csv_export_of_a_bad_query_says_why(admin_client):
    response = admin_client.get(reverse("nql:export_csv"), {"q": "devices | where"})
    assert response.status_code == 400
    assert b"line 1, column 16" in response.content


def test_each_table_needs_its_own_permission(client, make_user, fleet):
    client.force_login(make_user("runs-only", "connectors.view_inboundconnector"))
    Run.objects.create(connector=fleet["eu"], status="failed", error_code="AccessDenied")
    page = client.get(URL, {"q": "devices | list name"})
    assert page.status_code == 200
    assert "you do not have permission to query the devices table" in page.context["error"]
    assert "devices" not in page.context["tables"]
    runs = client.get(
        URL,
        {"q": 'connector.runs | where connector.nql_id == "aws_prod_eu" | list status, error_code'},
    )
    assert runs.context["result"].rows == [["failed", "AccessDenied"]]
    export = client.get(reverse("nql:export_csv"), {"q": "devices | list name"})
    assert export.status_code == 400


def test_results_are_bounded_by_a_default_and_a_maximum(admin_client, settings, fleet):
    settings.NQL_DEFAULT_ROWS = 5
    settings.NQL_MAX_ROWS = 8
    page = admin_client.get(URL, {"q": "devices | list name"})
    assert len(page.context["result"].rows) == 5 and page.context["result"].truncated
    assert "the first 5 only" in page.content.decode()
    limited = admin_client.get(URL, {"q": "devices | list name | limit 7"})
    assert len(limited.context["result"].rows) == 7 and not limited.context["result"].truncated
    refused = admin_client.get(URL, {"q": "devices | list name | limit 9"})
    assert refused.context["error"] == "line 1, column 29: limit 9 is past the maximum of 8 rows"


def test_runs_are_selected_by_their_connectors_nql_id(fleet):
    now = timezone.now()
    Run.objects.create(connector=fleet["eu"], status="succeeded", seen=9)
    Run.objects.create(connector=fleet["us"], status="failed")
    old = Run.objects.create(connector=fleet["eu"], status="succeeded", seen=4)
    Run.objects.filter(pk=old.pk).update(created_at=now - timedelta(days=9))
    result = nql_run(
        text='connector.runs during past 7d | where connector.nql_id == "aws_prod_eu" '
        "| list connector.nql_id, status, devices_seen",
        can_query=lambda table: True,
    )
    assert result.rows == [["aws_prod_eu", "succeeded", 9]]
    summary = nql_run(
        text="connector.runs | summarize seen = devices_seen.sum(), runs = count() "
        "by connector.nql_id",
        can_query=lambda table: True,
    )
    assert summary.rows == [["aws_dev_us", 0, 1], ["aws_prod_eu", 13, 2]]


def _slow_statement(cursor) -> None:
    if connection.vendor == "postgresql":
        cursor.execute("SELECT pg_sleep(2)")
    else:
        cursor.execute(
            "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 100000000) "
            "SELECT count(*) FROM c"
        )


def test_a_statement_running_past_the_timeout_is_stopped_with_a_clear_message(fleet):
    with (
        pytest.raises(NqlTimeout) as caught,
        statement_timeout(50),
        connection.cursor() as cursor,
    ):
        _slow_statement(cursor)
    assert str(caught.value).startswith("The query ran longer than 0.05 s and was stopped.")
    # The connection is usable afterwards, without the timeout.
    result = nql_run(text="devices | summarize n = count()", can_query=lambda table: True)
    assert result.rows == [[11]]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW statement_timeout")
            assert cursor.fetchone()[0] == "0"


@pytest.fixture
def slow_device_reads(settings):
    """Every read of the devices table runs a slow statement first, inside the
    query's own timeout: what a query over a huge fleet does."""
    settings.NQL_STATEMENT_TIMEOUT_MS = 50

    def wrapper(execute, sql, params, many, context):
        if '"connectors_device"' in sql:
            _slow_statement(context["cursor"])
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield


def test_a_query_that_runs_too_long_says_so_on_the_page_and_through_the_api(
    client, admin_client, fleet, saved_query, token_for, slow_device_reads
):
    text = "devices | list name, virtualization.region"
    page = admin_client.get(URL, {"q": text})
    assert page.status_code == 200
    assert page.context["error"].startswith("The query ran longer than 0.05 s and was stopped.")
    assert "Narrow it" in page.content.decode()

    saved_query("#all_devices", text)
    response = client.post(
        "/api/v1/nql/execute",
        '{"queryId": "#all_devices"}',
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token_for('nql:devices')}",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == 400 and body["message"].startswith("The query ran longer than 0.05 s")


def test_on_a_date_and_from_to_select_as_the_platform_resolves_them(db):
    connector = make_connector("Times")
    local = timezone.get_current_timezone()
    for n, (day, hour, minute) in enumerate(
        ((27, 23, 59), (28, 0, 0), (28, 10, 15), (28, 23, 59), (29, 0, 0)), start=1
    ):
        at = datetime(2026, 11, day, hour, minute, tzinfo=local)
        make_devices(connector, 1, start=n, name=f"D{n}", last_update=at)

    def names(selection: str) -> list[str]:
        text = f"devices {selection} | list name | sort name asc"
        return [r[0] for r in nql_run(text=text, can_query=lambda table: True).rows]

    assert names("on 2026-11-28") == ["D2", "D3", "D4"]  # that local day, whole
    # From A (included) to B (excluded) ...
    assert names("from 2026-11-28 00:00:00 to 2026-11-28 10:15:00") == ["D2"]
    assert names("from 2026-11-28 10:15 to 2026-11-29 00:00") == ["D3", "D4"]
    # ... except that a date-only B includes its whole day.
    assert names("from 2026-11-27 to 2026-11-28") == ["D1", "D2", "D3", "D4"]
