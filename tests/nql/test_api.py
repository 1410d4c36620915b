"""The NQL API with real tokens from a real client-credentials flow."""

import json

import jsonschema
import pytest
from django.contrib.auth.hashers import check_password
from django.test import Client
from oauth2_provider.models import Application

from connectors.models import Device, Run
from nql.models import ApiClient

from .conftest import basic

pytestmark = pytest.mark.django_db
EXECUTE = "/api/v1/nql/execute"


def execute(client, token, body, **extra):
    return client.post(
        EXECUTE,
        json.dumps(body) if not isinstance(body, str) else body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
        **extra,
    )


def assert_error(response, status: int, source: str):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"message", "code", "source"}
    assert body["code"] == status and body["source"] == source and body["message"]
    return body


def test_token_has_exactly_the_platform_shape(client, credentials_from_console):
    client_id, secret = credentials_from_console("nql:devices")
    response = client.post(
        "/api/v1/token",
        {"grant_type": "client_credentials"},
        HTTP_AUTHORIZATION=basic(client_id, secret),
    )
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"access_token", "token_type", "expires_in"}
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3600
    assert response["Cache-Control"] == "no-store"


def test_the_secret_is_stored_only_as_a_hash(credentials_from_console):
    client_id, secret = credentials_from_console("nql:devices")
    stored = Application.objects.get(client_id=client_id).client_secret
    assert secret not in stored
    assert check_password(secret, stored)
    assert ApiClient.objects.get(client_id=client_id).permissions == ["nql:devices"]


def test_wrong_secret_or_grant_gets_no_token(client, credentials_from_console):
    client_id, secret = credentials_from_console("nql:devices")
    wrong = client.post(
        "/api/v1/token",
        {"grant_type": "client_credentials"},
        HTTP_AUTHORIZATION=basic(client_id, secret + "x"),
    )
    assert_error(wrong, 401, "token")
    password = client.post(
        "/api/v1/token",
        {"grant_type": "password", "username": "u", "password": "p"},
        HTTP_AUTHORIZATION=basic(client_id, secret),
    )
    assert password.status_code in (400, 401)
    assert "access_token" not in password.json()


def test_execute_returns_the_platform_shape(client, fleet, saved_query, token_for):
    saved_query(
        "#workspaces_by_region",
        "devices | summarize workspaces = count() by virtualization.region | sort workspaces desc",
    )
    response = execute(client, token_for("nql:devices"), {"queryId": "#workspaces_by_region"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["queryId"] == "#workspaces_by_region"
    assert body["headers"] == ["virtualization.region", "workspaces"]
    assert body["data"] == [["eu-west-1", 9], ["us-east-1", 2]]
    assert body["rows"] == 2
    assert set(body["executionDateTime"]) == {"year", "month", "day", "hour", "minute", "second"}
    assert body["executedQuery"].startswith("devices | summarize")


def test_execute_response_matches_the_served_openapi_description(
    client, admin_user, fleet, saved_query, token_for
):
    reader = Client()
    reader.force_login(admin_user)
    document = reader.get("/api/v1/openapi.json").json()
    assert {"/api/v1/token", "/api/v1/nql/execute"} <= set(document["paths"])
    assert set(document["paths"]["/api/v1/nql/execute"]["post"]["responses"]) >= {
        "200",
        "400",
        "401",
        "403",
        "404",
        "429",
    }
    saved_query("#names", "devices | list name | limit 3")
    body = execute(client, token_for("nql:devices"), {"queryId": "#names"}).json()
    schema = {"$ref": "#/components/schemas/ExecuteResponse", "components": document["components"]}
    jsonschema.validate(body, schema)
    missing = execute(client, "not-a-token", {"queryId": "#names"}).json()
    jsonschema.validate(
        missing, {"$ref": "#/components/schemas/Error", "components": document["components"]}
    )


def test_parameters_fill_the_saved_query_and_show_in_the_executed_query(
    client, fleet, saved_query, token_for
):
    saved_query(
        "#by_connector",
        "devices | where connector.nql_id == $connector and virtualization.region == $region "
        "| list name | sort name",
    )
    body = execute(
        client,
        token_for("nql:devices"),
        {
            "queryId": "#by_connector",
            "parameters": {"connector": "aws_dev_us", "region": "us-east-1"},
        },
    ).json()
    assert body["data"] == [["WSAMZN-000040"], ["WSAMZN-000041"]]
    assert body["executedQuery"] == (
        'devices | where connector.nql_id == "aws_dev_us" and virtualization.region == '
        '"us-east-1" | list name | sort name'
    )


def test_missing_unknown_and_mistyped_parameters_are_400(client, fleet, saved_query, token_for):
    saved_query("#by_region", "devices | where virtualization.region == $region | list name")
    saved_query("#seen", "connector.runs | where devices_seen > $n")
    token = token_for("nql:devices", "nql:connector.runs")
    missing = assert_error(execute(client, token, {"queryId": "#by_region"}), 400, "parameters")
    assert "$region has no value" in missing["message"]
    unknown = assert_error(
        execute(
            client, token, {"queryId": "#by_region", "parameters": {"region": "x", "other": "y"}}
        ),
        400,
        "parameters",
    )
    assert "Unknown parameters: other" in unknown["message"]
    mistyped = assert_error(
        execute(client, token, {"queryId": "#seen", "parameters": {"n": "ten"}}), 400, "parameters"
    )
    assert 'cannot be compared with the parameter value "ten"' in mistyped["message"]
    assert (
        execute(client, token, {"queryId": "#seen", "parameters": {"n": "10"}}).status_code == 200
    )
    assert_error(
        execute(client, token, {"queryId": "#by_region", "parameters": {"region": ["x"]}}),
        400,
        "parameters",
    )


def test_a_number_given_for_a_string_field_is_its_text_and_a_bad_one_blames_the_parameter(
    client, fleet, saved_query, token_for
):

    Device.objects.filter(name="WSAMZN-000040").update(user_name="40517")
    saved_query("#by_user", "devices | where aws.user_name == $user | list name")
    saved_query("#seen", "connector.runs | where devices_seen > $n | list devices_seen")
    saved_query("#stale", "devices | where virtualization.last_update.time_elapsed() > $s")
    token = token_for("nql:devices", "nql:connector.runs")
    body = execute(client, token, {"queryId": "#by_user", "parameters": {"user": 40517}}).json()
    assert body["data"] == [["WSAMZN-000040"]]
    Run.objects.create(connector=fleet["eu"], status="succeeded", seen=12)
    seen = execute(client, token, {"queryId": "#seen", "parameters": {"n": 10}}).json()
    assert seen["data"] == [[12]]

    def stale(seconds: int) -> int:
        return execute(client, token, {"queryId": "#stale", "parameters": {"s": seconds}}).json()[
            "rows"
        ]

    assert (stale(0), stale(10**9)) == (11, 0)  # seconds, as time_elapsed() counts them
    wrong = assert_error(
        execute(client, token, {"queryId": "#seen", "parameters": {"n": 1.5e300}}),
        400,
        "parameters",
    )
    assert "the parameter value" in wrong["message"]


@pytest.mark.parametrize(
    "body",
    [
        "not json",
        "[]",
        json.dumps({"parameters": {}}),
        json.dumps({"queryId": 3}),
        json.dumps({"queryId": "#x", "parameters": []}),
    ],
)
def test_malformed_bodies_are_400(client, token_for, body):
    assert_error(execute(client, token_for("nql:devices"), body), 400, "request")


def test_unknown_query_id_is_404(client, token_for):
    assert_error(
        execute(client, token_for("nql:devices"), {"queryId": "#nothing_here"}), 404, "queryId"
    )


def test_no_token_or_a_bad_token_is_401(client, saved_query):
    saved_query("#names", "devices | list name")
    anonymous = client.post(
        EXECUTE, json.dumps({"queryId": "#names"}), content_type="application/json"
    )
    assert_error(anonymous, 401, "authorization")
    assert anonymous["WWW-Authenticate"].startswith("Bearer")
    assert_error(execute(client, "forged", {"queryId": "#names"}), 401, "authorization")
    basic_auth = client.post(
        EXECUTE, "{}", content_type="application/json", HTTP_AUTHORIZATION="Basic eDp5"
    )
    assert_error(basic_auth, 401, "authorization")


def test_revoking_a_client_stops_its_tokens(client, admin_user, saved_query, token_for):
    saved_query("#names", "devices | list name")
    token = token_for("nql:devices")
    assert execute(client, token, {"queryId": "#names"}).status_code == 200
    api_client = ApiClient.objects.get()
    administrator = Client()
    administrator.force_login(admin_user)
    revoke = administrator.post(f"/administration/api-credentials/{api_client.pk}/revoke/")
    assert revoke.status_code == 302
    assert ApiClient.objects.get().revoked_at is not None
    assert_error(execute(client, token, {"queryId": "#names"}), 401, "authorization")


def test_a_client_without_the_tables_permission_is_403(client, saved_query, token_for):
    saved_query("#runs", "connector.runs | list status")
    body = assert_error(
        execute(client, token_for("nql:devices"), {"queryId": "#runs"}), 403, "permissions"
    )
    assert "connector.runs" in body["message"]


def test_too_many_requests_is_429_with_retry_after(client, settings, saved_query, token_for):
    settings.NQL_API_RATE_LIMIT_PER_MINUTE = 2
    saved_query("#names", "devices | list name")
    token = token_for("nql:devices")
    assert execute(client, token, {"queryId": "#names"}).status_code == 200
    assert execute(client, token, {"queryId": "#names"}).status_code == 200
    limited = execute(client, token, {"queryId": "#names"})
    assert_error(limited, 429, "rate_limit")
    assert int(limited["Retry-After"]) > 0


def test_a_browser_session_needs_its_csrf_token(make_user, fleet, saved_query):
    saved_query("#names", "devices | list name | limit 2")
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(make_user("analyst", "connectors.view_device"))
    without = browser.post(
        EXECUTE, json.dumps({"queryId": "#names"}), content_type="application/json"
    )
    assert_error(without, 403, "csrf")
    browser.get("/nql/")  # sets the CSRF cookie, as the console page does
    token = browser.cookies["csrftoken"].value
    with_csrf = browser.post(
        EXECUTE,
        json.dumps({"queryId": "#names"}),
        content_type="application/json",
        HTTP_X_CSRFTOKEN=token,
    )
    assert with_csrf.status_code == 200, with_csrf.content
    assert with_csrf.json()["rows"] == 2


def test_a_session_is_checked_against_the_tables_permission(make_user, saved_query):
    saved_query("#runs", "connector.runs | list status")
    browser = Client()
    browser.force_login(make_user("analyst", "connectors.view_device"))
    response = browser.post(
        EXECUTE, json.dumps({"queryId": "#runs"}), content_type="application/json"
    )
    assert_error(response, 403, "permissions")


def test_a_token_in_the_url_is_not_accepted(client, saved_query, token_for):
    saved_query("#names", "devices | list name")
    token = token_for("nql:devices")
    response = client.post(
        f"{EXECUTE}?access_token={token}",
        json.dumps({"queryId": "#names"}),
        content_type="application/json",
    )
    assert_error(response, 401, "authorization")


def test_access_tokens_are_not_stored_in_plain_text(client, token_for):
    from oauth2_provider.models import AccessToken

    token = token_for("nql:devices")
    stored = AccessToken.objects.get()
    assert token not in (stored.token or "")
