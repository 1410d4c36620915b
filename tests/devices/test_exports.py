import csv
import io
import json
from pathlib import Path

import jsonschema
import pytest
from django.urls import reverse
from django.utils import timezone

from connectors.devices import exports
from connectors.models.device import SOURCE_FIELDS, VIRTUALIZATION_FIELDS, Device
from tests.connectors.factories import make_connector

from .factories import make_device, make_devices

pytestmark = pytest.mark.django_db
# The Enrichment API's OpenAPI description (v1.31.0), kept in tests/fixtures/
# so the suite needs nothing outside the repository.
OPENAPI = Path(__file__).resolve().parents[1] / "fixtures" / "nexthink-enrichment-api-openapi.json"


def _strict(node):
    """The OpenAPI file as a JSON Schema: `value` is oneOf three types where any
    string matches two, so it is read as anyOf; the arrays' `minimum`/`maximum`
    (which JSON Schema ignores on arrays) are read as minItems/maxItems."""
    if isinstance(node, dict):
        node = {k: _strict(v) for k, v in node.items()}
        if node.get("type") == "array":
            if "minimum" in node:
                node["minItems"] = node.pop("minimum")
            if "maximum" in node:
                node["maxItems"] = node.pop("maximum")
        if "oneOf" in node:
            node["anyOf"] = node.pop("oneOf")
        return node
    if isinstance(node, list):
        return [_strict(v) for v in node]
    return node


@pytest.fixture(scope="module")
def request_validator():
    spec = json.loads(OPENAPI.read_text())
    schema = {
        "$ref": "#/components/schemas/EnrichmentRequest",
        "components": _strict(spec["components"]),
    }
    return jsonschema.Draft7Validator(schema)


def stream(response) -> str:
    return b"".join(response.streaming_content).decode()


def documents(response) -> list[dict]:
    return [json.loads(line) for line in stream(response).splitlines()]


@pytest.fixture
def fleet():
    eu = make_connector("AWS EU", region="eu-west-1", environment_name="Prod EU")
    make_device(eu, 1, name="alpha", user_name="alice")
    make_device(eu, 2, name="bravo", disk_image="", instance_size="")
    make_device(eu, 3, name="gone", removed_at=timezone.now())
    # Old data: a pool session, named by its EC2 instance id.
    make_device(
        eu,
        4,
        name="i-0abc",
        pool_type="pooled",
        desktop_pool="Call centre",
        source_id="sess-4",
        session_id="sess-4",
        workspace_id="",
        pool_id="wspool-1",
    )
    return eu


def test_csv_has_nql_names_then_source_attributes_and_one_row_per_device(admin_client, fleet):
    response = admin_client.get(reverse("devices:export_csv"))
    assert response.streaming and response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith('attachment; filename="devices-')
    rows = list(csv.reader(io.StringIO(stream(response))))
    header = rows[0]
    assert header[:11] == ["device.name", *(nql for _, nql, _ in VIRTUALIZATION_FIELDS)]
    assert header[11:] == [
        "connector",
        "source_id",
        *SOURCE_FIELDS,
        "removed_at",
        "export_exclusion",
    ]
    by_name = {row[0]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    assert set(by_name) == {"alpha", "bravo", "i-0abc"}  # the view's default: active devices
    alpha = by_name["alpha"]
    assert alpha["virtualization.desktop_broker"] == "aws_workspaces"
    assert alpha["virtualization.last_update"] == "2025-03-01T12:00:00Z"
    assert (
        alpha["connector"] == fleet.nql_id
        and alpha["user_name"] == "alice"
        and alpha["removed_at"] == ""
        and alpha["export_exclusion"] == ""
    )
    pooled = by_name["i-0abc"]
    assert pooled["session_id"] == "sess-4" and pooled["virtualization.type"] == "pooled"
    # The CSV keeps every device of the view and says why one is not in the Enrichment export.
    assert pooled["export_exclusion"] == "no_hostname"


def test_csv_follows_the_views_filters_search_and_sort(admin_client, fleet):
    response = admin_client.get(reverse("devices:export_csv"), {"status": "all", "sort": "-name"})
    assert [row[0] for row in csv.reader(io.StringIO(stream(response)))][1:] == [
        "i-0abc",
        "gone",
        "bravo",
        "alpha",
    ]
    response = admin_client.get(reverse("devices:export_csv"), {"pool_type": "pooled"})
    assert [row[0] for row in csv.reader(io.StringIO(stream(response)))][1:] == ["i-0abc"]
    response = admin_client.get(reverse("devices:export_csv"), {"region": "nowhere"})
    assert len(list(csv.reader(io.StringIO(stream(response))))) == 1  # header only


def test_enrichment_export_is_valid_against_the_api_schema(admin_client, fleet, request_validator):
    response = admin_client.get(reverse("devices:export_enrichment"))
    assert response.streaming and response["Content-Type"].startswith("application/x-ndjson")
    assert response["X-Total-Parts"] == "1" and response["X-Total-Enrichments"] == "2"
    [document] = documents(response)
    request_validator.validate(document)
    assert document["domain"] == exports.ENRICHMENT_DOMAIN
    by_name = {
        e["identification"][0]["value"]: {f["name"]: f["value"] for f in e["fields"]}
        for e in document["enrichments"]
    }
    assert set(by_name) == {"alpha", "bravo"}  # the pool session is left out (no hostname)
    alpha = by_name["alpha"]
    assert alpha == {
        "device/device/virtualization/desktop_pool": "Standard Windows 10",
        "device/device/virtualization/type": "personal",
        "device/device/virtualization/hostname": "AWS host",
        "device/device/virtualization/hypervisor_name": "AWS hypervisor",
        "device/device/virtualization/environment_name": "Prod EU",
        # the vendor page's value, as everywhere else (the CSV, the console):
        "device/device/virtualization/desktop_broker": "aws_workspaces",
        "device/device/virtualization/disk_image": "win10-golden",
        "device/device/virtualization/instance_size": "STANDARD",
        "device/device/virtualization/region": "eu-west-1",
        "device/device/virtualization/last_update": "2025-03-01T12:00:00Z",
    }
    # A blank value the connector owns is sent as "", which clears the platform's stale value.
    assert by_name["bravo"]["device/device/virtualization/disk_image"] == ""
    assert by_name["bravo"]["device/device/virtualization/instance_size"] == ""


def test_the_schema_check_catches_a_broken_document(request_validator):
    with pytest.raises(jsonschema.ValidationError):
        request_validator.validate(
            {"domain": "x", "enrichments": [{"identification": [], "fields": []}]}
        )
    with pytest.raises(jsonschema.ValidationError):
        request_validator.validate(
            {
                "domain": "x",
                "enrichments": [
                    {
                        "identification": [{"name": "device/device/name", "value": "a"}],
                        "fields": [{"name": "device/device/virtualization/colour", "value": "red"}],
                    }
                ],
            }
        )


def test_an_empty_view_exports_no_document(admin_client, fleet):
    response = admin_client.get(reverse("devices:export_enrichment"), {"q": "nothing"})
    assert stream(response) == "" and response["X-Total-Parts"] == "0"


def test_enrichment_export_splits_into_documents_of_at_most_the_batch_size(
    admin_client, fleet, monkeypatch, request_validator
):
    monkeypatch.setattr(exports, "ENRICHMENT_BATCH_SIZE", 2)
    make_devices(fleet, 3, start=10)  # 5 exported devices in all
    response = admin_client.get(reverse("devices:export_enrichment"), {"sort": "name"})
    docs = documents(response)
    assert response["X-Total-Parts"] == "3" and [len(d["enrichments"]) for d in docs] == [2, 2, 1]
    for doc in docs:
        request_validator.validate(doc)
    names = [e["identification"][0]["value"] for d in docs for e in d["enrichments"]]
    active = Device.objects.filter(removed_at__isnull=True, pool_type="personal")
    assert names == list(active.order_by("name", "id").values_list("name", flat=True))
    assert len(names) == 5


def test_an_exact_multiple_of_the_batch_size_gives_no_empty_document(
    admin_client, fleet, monkeypatch
):
    monkeypatch.setattr(exports, "ENRICHMENT_BATCH_SIZE", 1)
    response = admin_client.get(reverse("devices:export_enrichment"))
    assert [len(d["enrichments"]) for d in documents(response)] == [1, 1] and response[
        "X-Total-Parts"
    ] == "2"


def test_10001_devices_give_two_documents_of_10000_and_1(admin_client, request_validator):
    assert exports.ENRICHMENT_BATCH_SIZE == 10_000
    make_devices(make_connector(), 10_001)
    response = admin_client.get(reverse("devices:export_enrichment"))
    docs = documents(response)
    assert [len(d["enrichments"]) for d in docs] == [10_000, 1]
    assert response["X-Total-Parts"] == "2"
    # Schema-checking 10,000 enrichments takes seconds: the document's shape
    # and a slice of it are enough here (the other tests check every item).
    request_validator.validate(docs[1])
    request_validator.validate({**docs[0], "enrichments": docs[0]["enrichments"][:200]})
    names = {e["identification"][0]["value"] for d in docs for e in d["enrichments"]}
    assert len(names) == 10_001


def test_exports_take_a_constant_number_of_queries(
    admin_client, fleet, django_assert_max_num_queries
):
    make_devices(fleet, 50, start=10)
    with django_assert_max_num_queries(8):
        stream(admin_client.get(reverse("devices:export_csv")))
    with django_assert_max_num_queries(8):
        stream(admin_client.get(reverse("devices:export_enrichment")))


FORMULAS = [
    '=HYPERLINK("http://x","y")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1,1)",
    "\t=1+1",
    "\r=1+1",
]
TIMESTAMP_COLUMNS = {"virtualization.last_update": "last_update", "removed_at": "removed_at"}


def csv_columns() -> list[str]:
    # export_exclusion is computed from a fixed vocabulary (exportable.REASONS), never stored text.
    return [column for column in exports.CSV_HEADER if column != "export_exclusion"]


@pytest.mark.parametrize("formula", FORMULAS)
@pytest.mark.parametrize("column", csv_columns())
def test_no_csv_cell_is_a_live_spreadsheet_formula(admin_client, column, formula):
    """Every column of the CSV: text that a spreadsheet would evaluate is
    written with a leading apostrophe (OWASP CSV injection); timestamps are
    written as ISO dates, which no spreadsheet evaluates."""
    from django.db import connection

    connector = make_connector("Formulas", environment_name="Formulas")
    attr = {"device.name": "name", **{nql: a for _, nql, a in VIRTUALIZATION_FIELDS}}.get(
        column, column
    )
    if column == "connector":
        # The NQL ID form refuses such a value; whatever is stored must still be safe.
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {connector._meta.db_table} SET nql_id = %s WHERE id = %s",
                [formula, connector.pk],
            )
        make_device(connector, 1)
    elif column in TIMESTAMP_COLUMNS:
        make_device(connector, 1, **{TIMESTAMP_COLUMNS[column]: timezone.now()})
    else:
        formula = formula[: Device._meta.get_field(attr).max_length]  # PostgreSQL enforces it
        make_device(connector, 1, **{attr: formula})
    response = admin_client.get(reverse("devices:export_csv"), {"status": "all"})
    header, row = list(csv.reader(io.StringIO(stream(response), newline="")))
    cell = dict(zip(header, row, strict=True))[column]
    if column in TIMESTAMP_COLUMNS:
        assert cell[:4].isdigit() and cell.endswith("Z"), cell
    else:
        assert cell == "'" + formula, f"{column}: {cell!r}"
    for value in row:
        assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), (column, value)


def test_csv_keeps_ordinary_values_as_they_are(admin_client, fleet):
    response = admin_client.get(reverse("devices:export_csv"))
    rows = list(csv.reader(io.StringIO(stream(response))))
    assert not any(value.startswith("'") for row in rows for value in row)
