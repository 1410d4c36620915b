"""What the compiler hands the runner: the query's ORM queryset and its columns."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import QuerySet

from . import ast as a
from .tables import ENUM, NUMERIC, STRING, NqlTable


@dataclass
class Column:
    header: str
    key: str  # key of the row dicts the query yields
    type: str
    elapsed: bool = False  # time_elapsed(): seconds from the value to now


@dataclass
class Plan:
    table: NqlTable
    kind: str  # "list" or "summarize"
    queryset: QuerySet  # yields dicts; ordered; not sliced
    columns: list[Column]
    limit: int | None
    limit_pos: a.Pos | None
    now: datetime
    # Summaries by time bucket are folded in Python (see runner.py):
    bucket: a.Duration | None = None
    metrics: tuple[a.Metric, ...] = ()
    primitives: dict = field(default_factory=dict)  # id(Agg) -> [(kind, key), ...]
    sort: tuple[str, bool] | None = None  # (row key, descending) for the folded rows
    totals: dict | None = None  # summarize without by: one aggregate() over the queryset

    @property
    def is_chartable(self) -> bool:
        return (
            self.kind == "summarize"
            and any(c.type in NUMERIC for c in self.columns)
            and (self.bucket is not None or any(c.type in (STRING, ENUM) for c in self.columns))
        )


def type_words(kind: str) -> str:
    return {
        "int": "a number",
        "float": "a number",
        "enum": "an enum",
        "datetime": "a datetime",
    }.get(kind, "a string")
