"""CSV of an NQL result, every cell neutralised against formula injection."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from .runner import NqlResult

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value) -> str:
    """A spreadsheet reads a cell starting with = + - @ tab or CR as a formula:
    such a cell gets a leading apostrophe, so it is shown as text."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_lines(result: NqlResult) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in [result.headers, *result.rows]:
        writer.writerow([csv_cell(v) for v in row])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
