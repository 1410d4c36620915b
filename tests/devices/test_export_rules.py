"""What the Enrichment export sends and leaves out (connectors/devices/exportable.py):
names the platform cannot match, duplicate names, the broker, blank values."""

import csv
import io
import json
from datetime import timedelta

import pytest
from django.urls import reverse

from connectors.devices import exports
from connectors.models.device import VIRTUALIZATION_FIELDS
from tests.connectors.factories import make_connector

from .factories import LAST_UPDATE, make_device

pytestmark = pytest.mark.django_db
LIST = reverse("devices:list")


def stream(response) -> str:
    return b"".join(response.streaming_content).decode()


def enrichments(response) -> dict[str, dict]:
    """name -> {field: value} of every enrichment of a JSON Lines export."""
    out: dict[str, dict] = {}
    for line in stream(response).splitlines():
        for e in json.loads(line)["enrichments"]:
            name = e["identification"][0]["value"]
            assert name not in out, f"{name} sent twice"
            out[name] = {f["name"].rsplit("/", 1)[1]: f["value"] for f in e["fields"]}
    return out


def csv_rows(response) -> dict[str, dict]:
    header, *rows = csv.reader(io.StringIO(stream(response)))
    return {row[0]: dict(zip(header, row, strict=True)) for row in rows}


def summary(client, **params) -> dict:
    response = client.get(reverse("devices:export_summary"), params)
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    return response.json()["summary"]


@pytest.fixture
def eu():
    return make_connector("AWS EU", region="eu-west-1", environment_name="Prod EU")


@pytest.fixture
def pending(eu):
    """A WorkSpace with no ComputerName yet: stored under its WorkSpace id."""
    return make_device(eu, 7, name="ws-pending7", workspace_id="ws-pending7", state="PENDING")


def test_a_workspace_without_computer_name_is_kept_in_the_console_but_not_exported(
    admin_client, eu, pending
):
    make_device(eu, 1, name="WS-ALPHA")

    response = admin_client.get(LIST)
    page = response.content.decode()
    assert "ws-pending7" in page and "Not exported: No ComputerName" in page
    detail = admin_client.get(pending.get_absolute_url()).content.decode()
    assert "Not in the Enrichment export: No ComputerName." in detail
    assert "has no ComputerName yet" in detail

    response = admin_client.get(reverse("devices:export_enrichment"))
    assert set(enrichments(response)) == {"WS-ALPHA"}
    assert response["X-Total-Enrichments"] == "1"
    assert response["X-Excluded-Devices"] == "1"
    assert response["X-Excluded-Reasons"] == "no_computer_name=1"
    assert response["Link"] == f'<{reverse("devices:export_summary")}>; rel="describedby"'

    response = admin_client.get(reverse("devices:export_csv"))
    rows = csv_rows(response)
    assert rows["ws-pending7"]["export_exclusion"] == "no_computer_name"
    assert rows["WS-ALPHA"]["export_exclusion"] == ""
    assert response["X-Excluded-Reasons"] == "no_computer_name=1"

    excluded = summary(admin_client)["excluded"]
    assert excluded["total"] == 1
    [reason] = excluded["reasons"]
    assert reason["reason"] == "no_computer_name" and reason["count"] == 1
    assert "ComputerName" in reason["why"]


def test_a_device_with_no_name_at_all_is_not_exported(admin_client, eu):
    make_device(eu, 1, name="")
    response = admin_client.get(reverse("devices:export_enrichment"))
    assert stream(response) == "" and response["X-Excluded-Reasons"] == "no_computer_name=1"


def test_a_remaining_pooled_row_is_left_out_with_reason_no_hostname(admin_client, eu):
    make_device(eu, 1, name="WS-ALPHA")
    session = make_device(
        eu, 2, name="i-0123456789abcdef0", pool_type="pooled", workspace_id="", session_id="s-2"
    )
    response = admin_client.get(reverse("devices:export_enrichment"))
    assert set(enrichments(response)) == {"WS-ALPHA"}
    assert response["X-Excluded-Reasons"] == "no_hostname=1"
    assert "Not in the Enrichment export: No hostname." in (
        admin_client.get(session.get_absolute_url()).content.decode()
    )


def test_a_removed_device_is_not_exported_even_in_the_all_view(admin_client, eu):
    make_device(eu, 1, name="WS-ALPHA")
    make_device(eu, 2, name="WS-GONE", removed_at=LAST_UPDATE)
    response = admin_client.get(reverse("devices:export_enrichment"), {"status": "all"})
    assert set(enrichments(response)) == {"WS-ALPHA"}
    assert response["X-Excluded-Reasons"] == "removed=1"


@pytest.fixture
def overlap(eu):
    """The same WorkSpace read by two connectors, and the older reading is stale."""
    us = make_connector("AWS EU again", region="eu-west-1", environment_name="Second look")
    stale = make_device(eu, 1, name="ws-shared", disk_image="old-image")
    fresh = make_device(
        us,
        1,
        name="WS-SHARED",
        disk_image="new-image",
        last_update=LAST_UPDATE + timedelta(hours=1),
    )
    make_device(eu, 2, name="WS-ONLY-EU")
    return stale, fresh


def test_a_duplicate_name_is_exported_once_with_the_most_recently_updated_values(
    admin_client, overlap
):
    stale, fresh = overlap
    response = admin_client.get(reverse("devices:export_enrichment"))
    sent = enrichments(response)
    assert set(sent) == {"WS-SHARED", "WS-ONLY-EU"}  # names compare without case
    assert sent["WS-SHARED"]["environment_name"] == "Second look"
    assert sent["WS-SHARED"]["disk_image"] == "new-image"
    assert response["X-Total-Enrichments"] == "2"
    assert response["X-Excluded-Reasons"] == "duplicate_name=1"
    assert response["X-Duplicate-Names"] == "1"

    names = summary(admin_client)["duplicate_names"]
    assert names["count"] == 1 and "most recently updated" in names["rule"]
    [entry] = names["names"]
    assert entry["exported"]["device"] == fresh.pk and entry["exported"]["in_this_view"]
    assert [d["device"] for d in entry["left_out"]] == [stale.pk]
    assert entry["left_out"][0]["environment_name"] == "Prod EU"
    assert entry["why"] == names["rule"]


def test_a_tie_goes_to_the_oldest_connector_then_the_oldest_device(admin_client, eu):
    second = make_connector("AWS EU again", region="eu-west-1", environment_name="Second")
    make_device(second, 1, name="WS-TIE")
    make_device(eu, 1, name="WS-TIE")  # same last_update, older connector: exported
    make_device(eu, 2, name="WS-TWIN", environment_name="first row")
    make_device(eu, 3, name="WS-TWIN", environment_name="second row")  # one account, same name
    sent = enrichments(admin_client.get(reverse("devices:export_enrichment")))
    assert sent["WS-TIE"]["environment_name"] == "Prod EU"
    assert sent["WS-TWIN"]["environment_name"] == "first row"


def test_no_view_sends_another_value_for_a_deduplicated_name(admin_client, overlap):
    stale, fresh = overlap
    # The view of the stale device's connector: its device loses, whatever the view.
    view = {"connector": str(stale.connector_id)}
    response = admin_client.get(reverse("devices:export_enrichment"), view)
    assert set(enrichments(response)) == {"WS-ONLY-EU"}
    assert response["X-Excluded-Reasons"] == "duplicate_name=1"
    [entry] = summary(admin_client, **view)["duplicate_names"]["names"]
    assert entry["exported"]["device"] == fresh.pk and not entry["exported"]["in_this_view"]
    assert entry["left_out"][0]["in_this_view"]


def test_duplicate_names_are_marked_and_filterable_on_the_devices_pages(admin_client, overlap):
    stale, fresh = overlap
    response = admin_client.get(LIST, {"names": "duplicate"})
    assert sorted(d.pk for d in response.context["devices"]) == sorted([stale.pk, fresh.pk])
    facets = {f.key: f for f in response.context["facets"]}
    assert [(o.value, o.count) for o in facets["names"].options] == [("duplicate", 2)]
    page = response.content.decode()
    assert "Duplicate name" in page and "Not exported: Duplicate name" in page

    detail = admin_client.get(stale.get_absolute_url()).content.decode()
    assert "Not in the Enrichment export: Duplicate name." in detail
    assert fresh.get_absolute_url() in detail and "Second look" in detail
    detail = admin_client.get(fresh.get_absolute_url()).content.decode()
    assert stale.get_absolute_url() in detail and "This device is the one exported." in detail


def test_the_enrichment_export_filter_shows_what_is_and_is_not_exported(
    admin_client, eu, pending, overlap
):
    stale, fresh = overlap

    def shown(value: str) -> set[str]:
        response = admin_client.get(LIST, {"export": value})
        return {d.name for d in response.context["devices"]}

    assert shown("exported") == {"WS-SHARED", "WS-ONLY-EU"}
    assert shown("not_exported") == {"ws-pending7", "ws-shared"}
    assert shown("no_computer_name") == {"ws-pending7"}
    assert shown("duplicate_name") == {"ws-shared"}
    assert shown("nonsense") == set()
    facets = {f.key: f for f in admin_client.get(LIST).context["facets"]}
    counts = {o.value: o.count for o in facets["export"].options}
    assert counts["exported"] == 2 and counts["not_exported"] == 2
    assert counts["no_computer_name"] == 1 and counts["duplicate_name"] == 1
    # The export of a filtered view takes the filter too.
    response = admin_client.get(reverse("devices:export_csv"), {"export": "not_exported"})
    assert set(csv_rows(response)) == {"ws-pending7", "ws-shared"}


def test_every_output_says_aws_workspaces(admin_client, eu):
    device = make_device(eu, 1, name="WS-ALPHA")
    outputs = [
        stream(admin_client.get(reverse("devices:export_enrichment"))),
        stream(admin_client.get(reverse("devices:export_csv"))),
        admin_client.get(LIST).content.decode(),
        admin_client.get(device.get_absolute_url()).content.decode(),
    ]
    for output in outputs:
        assert "aws_workspaces" in output
        assert output.count("aws_workspace") == output.count("aws_workspaces"), output[:200]
    assert (
        enrichments(admin_client.get(reverse("devices:export_enrichment")))["WS-ALPHA"][
            "desktop_broker"
        ]
        == "aws_workspaces"
    )


def test_every_virtualization_field_has_a_blank_policy():
    assert set(exports.BLANK_POLICY) == {attr for _, _, attr in VIRTUALIZATION_FIELDS}
    assert exports.BLANK_POLICY["last_update"] == exports.OMIT


CLEARED = [attr for attr, policy in exports.BLANK_POLICY.items() if policy == exports.CLEAR]


@pytest.mark.parametrize("attr", CLEARED)
def test_a_blank_owned_field_is_sent_empty_so_the_platform_clears_it(admin_client, eu, attr):
    make_device(eu, 1, name="WS-ALPHA", **{attr: ""})
    sent = enrichments(admin_client.get(reverse("devices:export_enrichment")))["WS-ALPHA"]
    nql = {a: n for _, n, a in VIRTUALIZATION_FIELDS}[attr]
    assert sent[nql.removeprefix("virtualization.")] == ""
    assert len(sent) == len(VIRTUALIZATION_FIELDS)  # every field is sent, the blank one empty


def test_a_field_left_out_when_blank_is_not_sent(eu):
    device = make_device(eu, 1, name="WS-ALPHA")
    device.last_update = None  # never stored so; the policy still holds
    fields = {f["name"] for f in exports.enrichment_of(device)["fields"]}
    assert "device/device/virtualization/last_update" not in fields
    assert len(fields) == len(VIRTUALIZATION_FIELDS) - 1


def test_the_summary_lists_the_blank_policy_and_the_view(admin_client, eu):
    make_device(eu, 1, name="WS-ALPHA")
    body = summary(admin_client, region="eu-west-1", sort="-name")
    assert body["view"] == {"region": "eu-west-1"}
    assert body["enrichment_export"].endswith("?region=eu-west-1&sort=-name")
    assert body["blank_values"]["omit"] == ["device/device/virtualization/last_update"]
    assert "device/device/virtualization/disk_image" in body["blank_values"]["clear"]
    assert body["devices"] == 1 and body["exported"] == 1 and body["excluded"]["total"] == 0
