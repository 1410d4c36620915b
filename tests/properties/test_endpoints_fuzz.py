"""Property tests of the JSON endpoint and the query-string views.

The Run test endpoint: bad input is refused (400) before any AWS call, and a
valid request reaches only the in-process simulator (a guard refuses any
connection off this machine). The Devices list, its exports and the device
page: any query string gives a page or a download, never a 5xx."""

import json
import socket

import pytest
from django.core.cache import cache
from django.urls import reverse
from hypothesis import event, example, given
from hypothesis import strategies as st

from connectors.aws_workspaces import views as probe_views
from connectors.aws_workspaces.regions import region_choices
from connectors.devices.exportable import REASONS
from connectors.devices.selectors import (
    DUPLICATE,
    EMPTY_VALUE,
    EXPORT_KEY,
    EXPORTED,
    FACET_KEYS,
    NAMES_KEY,
    NOT_EXPORTED,
    SORTS,
)
from tests.connectors.factories import make_connector
from tests.credentials.factories import make_credential
from tests.devices.factories import make_device

from .strategies import CI, PAYLOADS, assert_safe_answer, nasty_text, numbers_as_text

pytestmark = pytest.mark.django_db
REGIONS = [region for region, _ in region_choices()]
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1"}


@pytest.fixture
def only_this_machine(monkeypatch):
    """Any attempt to resolve a host other than this machine fails the test."""
    real = socket.getaddrinfo

    def guarded(host, *args, **kwargs):
        assert host in LOCAL_HOSTS, f"a connection to {host} was attempted"
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", guarded)


@pytest.fixture
def probe_calls(monkeypatch) -> list[dict]:
    calls: list[dict] = []
    real = probe_views.connection_test

    def spy(**kwargs):
        calls.append(kwargs)
        return real(**kwargs)

    monkeypatch.setattr(probe_views, "connection_test", spy)
    return calls


def same_id(value: str, pk: int) -> bool:
    """As the id lookup reads it: int() also takes ' 1 ', '+1' and other scripts' digits."""
    try:
        return int(value) == pk
    except ValueError:
        return False


@pytest.fixture
def waiting():
    return make_credential("Waiting for its ARN", role_arn="")


@CI
@given(data=st.data())
def test_run_test_endpoint_refuses_bad_input_before_calling_aws_and_never_fails(
    admin_client, aws_sim, aws_connector, waiting, only_this_machine, probe_calls, data
):
    ready = aws_connector.credential
    if data.draw(st.booleans(), label="ready credential and a WorkSpaces region"):
        credential, region = (
            str(ready.pk),
            data.draw(st.sampled_from(REGIONS)),
        )  # reaches the simulator
    else:
        credential = data.draw(
            st.one_of(
                st.sampled_from([str(ready.pk), str(waiting.pk), str(waiting.pk + 1000)]),
                numbers_as_text,
                nasty_text,
            )
        )
        region = data.draw(
            st.one_of(
                st.sampled_from(REGIONS),
                st.sampled_from(["", "mars-1", "EU-WEST-1", " eu-west-1"]),
                nasty_text,
            )
        )
    post = {
        "credential": credential,
        "region": region,
        "environment_name": data.draw(nasty_text),
        "name": data.draw(nasty_text),
    }
    cache.clear()  # the endpoint allows 5 tests a minute per user
    calls_before = len(probe_calls)
    response = admin_client.post(reverse("connectors:test"), post)
    body = assert_safe_answer(response)
    event(f"status {response.status_code}")
    answer = response.json()
    assert isinstance(answer["message"], str) and answer["message"]
    assert ready.external_id not in body and waiting.external_id not in body
    called = len(probe_calls) > calls_before
    if called:
        assert same_id(credential, ready.pk) and region in REGIONS, f"AWS was called for {post!r}"
        assert response.status_code == 200 and isinstance(answer["ok"], bool)
    elif "link" in answer:  # the credential has no Role ARN yet: said at its field, with a link
        assert response.status_code == 400 and same_id(credential, waiting.pk)
        assert "no AWS Role ARN" in answer["field_errors"]["credential"][0]
    else:
        assert response.status_code == 400 and answer["field_errors"]


# --- Devices: list, exports, device page -------------------------------------
QUERY_KEYS = ("q", "sort", "page", "status", *FACET_KEYS, EXPORT_KEY, NAMES_KEY)
sorts = st.one_of(
    st.sampled_from([*SORTS, *(f"-{k}" for k in SORTS), "--name", "-", "name,-id", "id"]),
    nasty_text,
)
param_values = st.one_of(
    nasty_text,
    numbers_as_text,
    sorts,
    st.sampled_from(["active", "removed", "all", EMPTY_VALUE]),
    st.sampled_from([EXPORTED, NOT_EXPORTED, DUPLICATE, *REASONS]),
)
queries = st.dictionaries(
    st.one_of(st.sampled_from(QUERY_KEYS), nasty_text), param_values, max_size=6
)


@pytest.fixture
def devices_in_place():
    connector = make_connector(
        "<script>alert(1)</script> connector",
        credential=make_credential("Devices account"),
        environment_name="{{ settings.SECRET_KEY }}",
    )
    make_device(
        connector,
        1,
        name="' OR 1=1 --",
        disk_image="<img src=x onerror=alert(1)>",
        user_name="a\x01b",
    )
    make_device(connector, 2, desktop_pool="", instance_size="名" * 60)
    for i in range(3, 8):
        make_device(connector, i)
    return connector


@CI
@given(
    query=queries,
    where=st.sampled_from(
        [
            "devices:list",
            "devices:export_csv",
            "devices:export_enrichment",
            "devices:export_summary",
        ]
    ),
)
def test_devices_list_and_exports_answer_any_query_string(
    admin_client, devices_in_place, query, where
):
    response = admin_client.get(reverse(where), query)
    event(f"{where} {response.status_code}")
    body = assert_safe_answer(response)
    assert response.status_code == 200
    if where == "devices:list":
        assert response["Content-Type"].startswith("text/html")
    elif where == "devices:export_csv":
        assert body.startswith("device.name,")
    elif where == "devices:export_summary":
        summary = json.loads(body)["summary"]
        assert summary["exported"] + summary["excluded"]["total"] == summary["devices"]
    else:
        assert int(response["X-Total-Parts"]) == body.count("\n")


@CI
@given(
    pk=st.one_of(st.integers(min_value=0, max_value=10**30), st.just(None)),
    page=st.one_of(numbers_as_text, nasty_text),
)
def test_device_page_answers_any_id_and_history_page(admin_client, devices_in_place, pk, page):
    device = devices_in_place.devices.order_by("pk").first()
    url = f"/devices/{device.pk if pk is None else pk}/"
    response = admin_client.get(url, {"page": page})
    assert_safe_answer(response)
    exists = pk is None or (pk < 2**63 and type(device).objects.filter(pk=pk).exists())
    assert response.status_code == (200 if exists else 404)


@CI
@example(connector="²")
@given(
    connector=st.one_of(
        numbers_as_text,
        st.text(alphabet=st.characters(categories=["Nd", "No"]), min_size=1, max_size=3),
    )
)
def test_devices_connector_filter_with_a_non_decimal_digit_is_not_a_500(
    admin_client, devices_in_place, connector
):
    """'²'.isdigit() is True but int('²') raises: this was a 500 (fixed in
    connectors/devices/selectors.py, _facet_q)."""
    response = admin_client.get(reverse("devices:list"), {"connector": connector})
    assert_safe_answer(response)
    assert response.status_code == 200


def test_the_number_strategy_includes_unicode_digits():
    assert {"²", "①", "１２", "١٢", "99999999999999999999"} <= set(PAYLOADS)
