"""The parsed shape of an NQL query: plain frozen dataclasses, with the
position of every name and value so later stages can point at them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime


@dataclass(frozen=True)
class Pos:
    line: int
    column: int


class NqlError(ValueError):
    """Anything wrong with a query, said for the person who wrote it."""

    code = "bad_query"

    def __init__(self, message: str, pos: Pos | None = None) -> None:
        self.message = message
        self.pos = pos
        super().__init__(str(self))

    def __str__(self) -> str:
        if self.pos is None:
            return self.message
        return f"line {self.pos.line}, column {self.pos.column}: {self.message}"


class NqlTimeout(NqlError):
    code = "timeout"


class NqlPermissionDenied(NqlError):
    code = "forbidden"


UNIT_SECONDS = {"min": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True)
class Duration:
    amount: int
    unit: str  # min, h or d

    @property
    def seconds(self) -> int:
        return self.amount * UNIT_SECONDS[self.unit]

    def __str__(self) -> str:
        return f"{self.amount}{self.unit}"


@dataclass(frozen=True)
class FieldRef:
    name: str
    pos: Pos
    function: str | None = None  # "time_elapsed" for `field.time_elapsed()`

    @property
    def label(self) -> str:
        return f"{self.name}.{self.function}()" if self.function else self.name


@dataclass(frozen=True)
class Literal:
    """kind: string, int, float, duration, datetime, date, null, bare (an enum
    value written without quotes) or param (`$name`, bound before compiling)."""

    kind: str
    value: str | int | float | Duration | datetime | date | None
    pos: Pos
    span: tuple[int, int] | None = None  # offsets in the text (parameters only)


@dataclass(frozen=True)
class Compare:
    left: FieldRef
    op: str  # ==, !=, <, <=, >, >=  (= is read as ==)
    right: Literal


@dataclass(frozen=True)
class InList:
    left: FieldRef
    values: tuple[Literal, ...]
    negated: bool


@dataclass(frozen=True)
class And:
    items: tuple


@dataclass(frozen=True)
class Or:
    items: tuple


@dataclass(frozen=True)
class Not:
    item: object


@dataclass(frozen=True)
class Agg:
    func: str  # count, countif, sum, avg, min, max
    pos: Pos
    field: FieldRef | None = None
    cond: object | None = None


@dataclass(frozen=True)
class Arith:
    op: str  # + - * /
    left: object
    right: object


@dataclass(frozen=True)
class Num:
    value: int | float


@dataclass(frozen=True)
class Metric:
    alias: str
    pos: Pos
    expr: object


@dataclass(frozen=True)
class Summarize:
    metrics: tuple[Metric, ...]
    by_fields: tuple[FieldRef, ...] = ()
    by_time: Duration | None = None
    by_time_pos: Pos | None = None


@dataclass(frozen=True)
class Where:
    cond: object


@dataclass(frozen=True)
class ListClause:
    columns: tuple[FieldRef, ...]
    pos: Pos


@dataclass(frozen=True)
class Sort:
    field: FieldRef
    descending: bool


@dataclass(frozen=True)
class Limit:
    count: int
    pos: Pos


@dataclass(frozen=True)
class During:
    duration: Duration


@dataclass(frozen=True)
class Between:
    start: Literal
    end: Literal


@dataclass(frozen=True)
class On:
    day: Literal


@dataclass(frozen=True)
class Query:
    table: str
    table_pos: Pos
    timeframe: During | Between | On | None = None
    clauses: tuple = field(default_factory=tuple)
