"""Exports of the Devices view: CSV, and JSON for the platform's Enrichment API.

Both stream (the queryset is read with `.iterator()`, nothing is held in
memory) and take the same view as the page: filters, search and sort.

Enrichment export, in the shape of `POST /api/v1/enrichment/data/fields`
(tests/fixtures/nexthink-enrichment-api-openapi.json, v1.31.0): one request body
(`{"domain": ..., "enrichments": [...]}`) holds at most 10,000 enrichments, so
the export is **JSON Lines**: one complete request body per line, each with
at most ENRICHMENT_BATCH_SIZE devices. A view of 10,001 devices gives two
lines; each line can be POSTed as it is. The `X-Total-Parts` header says how
many lines to expect (an empty view gives no line: the API refuses an empty
`enrichments`).

What the Enrichment export sends (docs/EXPORTS.md):
- only devices the platform can match, one per name (connectors/devices/
  exportable.py); the others are counted by reason in the `X-Excluded-*`
  headers, and the view's summary (`enrichment-summary.json`) names them;
- the desktop broker as the product stores it, `aws_workspaces`;
- a blank value as "" (the API then clears the field) for every field the
  connector owns, so a value that disappeared in AWS does not stay on the
  platform; a blank `last_update` is left out (it is a date, always set).

The CSV is the console's view: every device of it, with a last column
`export_exclusion` saying why a row is not in the Enrichment export.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime

from django.db.models import QuerySet

from ..models.device import SOURCE_FIELDS, VIRTUALIZATION_FIELDS, Device
from . import exportable

ITERATOR_CHUNK_SIZE = 2000
LINES_PER_WRITE = 500  # rows joined into one chunk of the response, not one socket write each
ENRICHMENT_BATCH_SIZE = 10_000  # the API's maximum of enrichments per request
ENRICHMENT_DOMAIN = "aws_workspaces_connector"
ENRICHMENT_ID_FIELD = "device/device/name"
ENRICHMENT_FIELD_PREFIX = "device/device/virtualization/"
# What a blank value becomes in an enrichment, per field. CLEAR: sent as "",
# which the API reads as "clear this field": every field the connector owns,
# so a value AWS stopped giving (a bundle's image, a compute type) leaves the
# platform too. OMIT: left out, the platform keeps what it has.
CLEAR, OMIT = "clear", "omit"
BLANK_POLICY: dict[str, str] = {
    "desktop_pool": CLEAR,
    "pool_type": CLEAR,
    "hostname": CLEAR,
    "hypervisor_name": CLEAR,
    "environment_name": CLEAR,
    "desktop_broker": CLEAR,
    "disk_image": CLEAR,
    "instance_size": CLEAR,
    "region": CLEAR,
    "last_update": OMIT,  # a date, set by every run that writes or confirms the device
}

CSV_SOURCE_COLUMNS = ("connector", "source_id", *SOURCE_FIELDS, "removed_at", "export_exclusion")
CSV_HEADER = ("device.name", *(nql for _, nql, _ in VIRTUALIZATION_FIELDS), *CSV_SOURCE_COLUMNS)


# A cell a spreadsheet would evaluate as a formula (OWASP "CSV Injection"):
# =, +, -, @, tab and carriage return at the start. Such a cell is written
# with a leading apostrophe, which spreadsheets show as text.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value):
    """The value as a spreadsheet shows it, never as a formula it runs."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def _timestamp(value: datetime | None) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if value else ""


def _rows(devices: QuerySet[Device]) -> Iterator[Device]:
    return devices.select_related("connector").iterator(chunk_size=ITERATOR_CHUNK_SIZE)


def _exported_rows(devices: QuerySet[Device]) -> Iterator[Device]:
    return _rows(exportable.exported(devices))


def _buffered(pieces: Iterable[str]) -> Iterator[str]:
    buffer: list[str] = []
    for piece in pieces:
        buffer.append(piece)
        if len(buffer) >= LINES_PER_WRITE:
            yield "".join(buffer)
            buffer = []
    if buffer:
        yield "".join(buffer)


class _Echo:
    """A file-like object whose write() returns the line, for csv.writer."""

    def write(self, value: str) -> str:
        return value


def export_csv_rows(*, devices: QuerySet[Device]) -> Iterator[str]:
    """Header with the NQL names, then one line per device, then its source
    attributes and why it is not exported (blank when it is); every cell
    neutralised against formula injection."""
    return _buffered(_csv_lines(exportable.with_export_status(devices)))


def _csv_lines(devices: QuerySet[Device]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield writer.writerow(CSV_HEADER)
    for device in _rows(devices):
        values = [device.name]
        for _, _, attr in VIRTUALIZATION_FIELDS:
            value = getattr(device, attr)
            values.append(_timestamp(value) if attr == "last_update" else value)
        values.append(device.connector.nql_id)
        values.append(device.source_id)
        values.extend(getattr(device, attr) for attr in SOURCE_FIELDS)
        values.append(_timestamp(device.removed_at))
        values.append(device.export_exclusion)
        yield writer.writerow([spreadsheet_safe(value) for value in values])


def enrichment_of(device: Device) -> dict:
    """One device as an Enrichment object. A blank value is sent as "" (the
    API clears the field) or left out, as BLANK_POLICY says for its field."""
    fields = []
    for _, nql, attr in VIRTUALIZATION_FIELDS:
        value = getattr(device, attr)
        value = _timestamp(value) if attr == "last_update" else (value or "")
        if value != "" or BLANK_POLICY[attr] == CLEAR:
            fields.append(
                {
                    "name": ENRICHMENT_FIELD_PREFIX + nql.removeprefix("virtualization."),
                    "value": value,
                }
            )
    return {
        "identification": [{"name": ENRICHMENT_ID_FIELD, "value": device.name}],
        "fields": fields,
    }


def enrichment_parts(*, count: int) -> int:
    return -(-count // ENRICHMENT_BATCH_SIZE)


def _document_lines(enrichments: Iterable[dict], batch_size: int) -> Iterator[str]:
    head = f'{{"domain":{json.dumps(ENRICHMENT_DOMAIN)},"enrichments":['
    in_document = 0
    for enrichment in enrichments:
        if in_document == batch_size:
            yield "]}\n"
            in_document = 0
        yield (head if in_document == 0 else ",") + json.dumps(enrichment, separators=(",", ":"))
        in_document += 1
    if in_document:
        yield "]}\n"


def export_enrichment_lines(*, devices: QuerySet[Device]) -> Iterator[str]:
    """JSON Lines: one Enrichment API request body per line, at most
    ENRICHMENT_BATCH_SIZE enrichments each; only the view's exported devices."""
    return _buffered(
        _document_lines((enrichment_of(d) for d in _exported_rows(devices)), ENRICHMENT_BATCH_SIZE)
    )
