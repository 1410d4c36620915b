"""Runs a compiled `Plan` within bounds: a row limit (a default and a
maximum), a statement timeout (PostgreSQL's statement_timeout; SQLite's
progress handler), values made plain for JSON, CSV and templates."""

from __future__ import annotations

import time as clock
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import OperationalError, connection, transaction
from django.utils import timezone

from . import ast as a
from .plan import Column, Plan

EPOCH_DAY = date(1970, 1, 1)
SQLITE_PROGRESS_STEPS = 10_000


@dataclass
class NqlResult:
    table: str
    kind: str  # list or summarize
    headers: list[str]
    types: list[str]
    rows: list[list]
    truncated: bool  # more rows matched than the bound let through
    bound: int
    executed_at: datetime
    chartable: bool = False
    bucketed: bool = False


def _timeout_message(seconds: float) -> str:
    return (
        f"The query ran longer than {seconds:g} s and was stopped. Narrow it: a where "
        "condition, a time selection (during past 7d) or a smaller limit."
    )


@contextmanager
def statement_timeout(ms: int) -> Iterator[None]:
    """Stop any statement that runs longer than `ms` milliseconds with NqlTimeout."""
    if ms <= 0:
        yield
        return
    if connection.vendor == "postgresql":
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SELECT current_setting('statement_timeout')")
                previous = cursor.fetchone()[0]
                cursor.execute("SELECT set_config('statement_timeout', %s, true)", [str(ms)])
            try:
                with transaction.atomic():
                    yield
            except OperationalError as error:
                if getattr(error.__cause__, "sqlstate", None) == "57014":
                    raise a.NqlTimeout(_timeout_message(ms / 1000)) from None
                raise
            finally:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT set_config('statement_timeout', %s, true)", [previous])
        return
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        raw = connection.connection
        deadline = clock.monotonic() + ms / 1000
        raw.set_progress_handler(lambda: int(clock.monotonic() > deadline), SQLITE_PROGRESS_STEPS)
        try:
            yield
        except OperationalError as error:
            if "interrupted" in str(error):
                raise a.NqlTimeout(_timeout_message(ms / 1000)) from None
            raise
        finally:
            raw.set_progress_handler(None, 0)
        return
    yield


def plain(value, column: Column, now: datetime):
    """A cell as JSON, CSV and templates take it."""
    if column.elapsed:
        return None if value is None else int((now - value).total_seconds())
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, float):
        return round(value, 6)
    return value


def plan_run(
    plan: Plan, *, default_rows: int | None = None, max_rows: int | None = None
) -> NqlResult:
    default_rows = default_rows or settings.NQL_DEFAULT_ROWS
    max_rows = max_rows or settings.NQL_MAX_ROWS
    if plan.limit is not None and plan.limit > max_rows:
        raise a.NqlError(
            f"limit {plan.limit} is past the maximum of {max_rows:,} rows", plan.limit_pos
        )
    bound = plan.limit or min(default_rows, max_rows)
    with statement_timeout(settings.NQL_STATEMENT_TIMEOUT_MS):
        if plan.totals is not None:
            raw = [plan.queryset.aggregate(**plan.totals)]
        elif plan.bucket is not None:
            raw = _folded(plan)
        else:
            raw = list(plan.queryset[: bound + 1])
    truncated = len(raw) > bound and plan.limit is None
    raw = raw[:bound]
    rows = [[plain(row.get(col.key), col, plan.now) for col in plan.columns] for row in raw]
    return NqlResult(
        table=plan.table.name,
        kind=plan.kind,
        headers=[col.header for col in plan.columns],
        types=[col.type for col in plan.columns],
        rows=rows,
        truncated=truncated,
        bound=bound,
        executed_at=timezone.now(),
        chartable=plan.is_chartable,
        bucketed=plan.bucket is not None,
    )


# --- time buckets: per-unit rows from the database, folded into N-unit buckets


def _bucket_start(moment: datetime, bucket: a.Duration) -> datetime:
    local = timezone.localtime(moment)
    if bucket.unit == "d":
        index = (local.date() - EPOCH_DAY).days // bucket.amount
        day = EPOCH_DAY + timedelta(days=index * bucket.amount)
        return timezone.make_aware(datetime.combine(day, datetime.min.time()))
    step = bucket.seconds
    seconds = int(moment.timestamp()) // step * step
    return timezone.localtime(datetime.fromtimestamp(seconds, tz=moment.tzinfo or timezone.utc))


def _combine(kind: str, old, new):
    if new is None:
        return old
    if old is None:
        return new
    if kind in ("count", "sum"):
        return old + new
    return min(old, new) if kind == "min" else max(old, new)


def _evaluate(node, parts: dict, prims: dict):
    if isinstance(node, a.Num):
        return node.value
    if isinstance(node, a.Arith):
        left, right = _evaluate(node.left, parts, prims), _evaluate(node.right, parts, prims)
        if left is None or right is None:
            return None
        if node.op == "/":
            return None if right == 0 else float(left) / float(right)
        return {"+": left + right, "-": left - right, "*": left * right}[node.op]
    values = [parts.get(key) for _, key in prims[id(node)]]
    if node.func == "avg":
        total, count = values
        return float(total) / count if count else None
    if node.func in ("count", "countif"):
        return values[0] or 0
    return values[0]


def _folded(plan: Plan) -> list[dict]:
    kinds = {key: kind for parts in plan.primitives.values() for kind, key in parts}
    buckets: dict[datetime, dict] = {}
    for row in plan.queryset.iterator():
        start = _bucket_start(row["_bucket"], plan.bucket)
        acc = buckets.setdefault(start, {})
        for key, kind in kinds.items():
            acc[key] = _combine(kind, acc.get(key), row[key])
    span = timedelta(seconds=plan.bucket.seconds)
    rows = []
    for start in sorted(buckets):
        row = {"start_time": start, "end_time": start + span, "bucket_duration": str(plan.bucket)}
        for i, metric in enumerate(plan.metrics):
            row[f"nql_m{i}"] = _evaluate(metric.expr, buckets[start], plan.primitives)
        rows.append(row)
    if plan.sort is not None:
        key, descending = plan.sort
        present = [r for r in rows if r[key] is not None]
        missing = [r for r in rows if r[key] is None]
        present.sort(key=lambda r: r[key], reverse=descending)
        rows = present + missing  # stable: ties keep time order; nulls last
    return rows
