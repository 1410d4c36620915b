"""Compiling `summarize`: grouped aggregates in the database, or per-unit
time buckets that nql/runner.py folds into N-unit buckets."""

from __future__ import annotations

from django.db.models import F
from django.db.models.functions import Trunc

from . import ast as a
from .plan import Column, Plan, type_words
from .tables import DATETIME, STRING, NqlTable


def summarize_plan(c, qs, summarize: a.Summarize, list_clause, sort, limit, limit_pos):
    table = c.table
    key_columns: list[Column] = []
    for ref in summarize.by_fields:
        f = c.field(ref)
        if ref.function:
            raise a.NqlError("summarize by takes fields, not functions", ref.pos)
        if not f.groupable:
            raise a.NqlError(
                f"cannot summarize by {f.name} ({type_words(f.type)}): group by a string or enum "
                "field, or by a time bucket such as by 1d",
                ref.pos,
            )
        if all(col.header != f.name for col in key_columns):
            key_columns.append(Column(f.name, f.path, f.type))
    metric_columns: list[Column] = []
    for i, metric in enumerate(summarize.metrics):
        if any(col.header == metric.alias for col in key_columns + metric_columns):
            raise a.NqlError(f'"{metric.alias}" names two columns', metric.pos)
        if table.field(metric.alias) is not None:
            raise a.NqlError(
                f'"{metric.alias}" is a field of {table.name}: choose another name', metric.pos
            )
        # Row keys of their own: an alias may be any name, even a model attribute's.
        metric_columns.append(Column(metric.alias, f"nql_m{i}", c.agg_type(metric.expr)))

    if summarize.by_time is not None:
        return _bucket_plan(c, qs, summarize, metric_columns, list_clause, sort, limit, limit_pos)

    annotations = {
        col.key: c.db_expr(m.expr) for col, m in zip(metric_columns, summarize.metrics, strict=True)
    }
    keys = [col.key for col in key_columns]
    if not keys:
        # One row over everything (count() is 0 when nothing matches).
        if sort is not None:
            _sort_target(sort, metric_columns, table)
        return Plan(
            table,
            "summarize",
            qs.order_by(),
            _select(metric_columns, list_clause),
            limit,
            limit_pos,
            c.now,
            metrics=summarize.metrics,
            totals=annotations,
        )
    grouped = qs.order_by().values(*keys).annotate(**annotations)
    columns = _select(key_columns + metric_columns, list_clause)
    order = []
    if sort is not None:
        target = _sort_target(sort, key_columns + metric_columns, table)
        expr = F(target.key)
        order.append(expr.desc(nulls_last=True) if sort.descending else expr.asc(nulls_last=True))
    order += [F(k).asc(nulls_last=True) for k in keys]
    grouped = grouped.order_by(*order) if order else grouped
    return Plan(
        table, "summarize", grouped, columns, limit, limit_pos, c.now, metrics=summarize.metrics
    )


def _select(columns: list[Column], list_clause) -> list[Column]:
    if list_clause is None:
        return columns
    chosen = []
    for ref in list_clause.columns:
        col = next((col for col in columns if col.header == ref.label), None)
        if col is None:
            names = ", ".join(col.header for col in columns)
            raise a.NqlError(
                f'after summarize, list takes its columns: {names}; not "{ref.label}"', ref.pos
            )
        chosen.append(col)
    return chosen


def _sort_target(sort: a.Sort, columns: list[Column], table: NqlTable) -> Column:
    name = table.aliases.get(sort.field.name, sort.field.name)
    target = next((col for col in columns if col.header == name), None)
    if target is None:
        names = ", ".join(col.header for col in columns)
        raise a.NqlError(
            f'after summarize, sort by one of its columns: {names}; not "{sort.field.name}"',
            sort.field.pos,
        )
    return target


BUCKET_COLUMNS = [
    Column("start_time", "start_time", DATETIME),
    Column("end_time", "end_time", DATETIME),
    Column("bucket_duration", "bucket_duration", STRING),
]


def _bucket_plan(c, qs, summarize, metric_columns, list_clause, sort, limit, limit_pos):
    table = c.table
    if summarize.by_time.unit == "min" and summarize.by_time.amount % 15:
        raise a.NqlError(
            "time buckets in minutes are multiples of 15 (15min, 30min...)", summarize.by_time_pos
        )
    if summarize.by_time.amount < 1:
        raise a.NqlError("a time bucket lasts at least 1 unit", summarize.by_time_pos)
    unit = {"min": "minute", "h": "hour", "d": "day"}[summarize.by_time.unit]
    time_path = table.field(table.time_field).path
    primitives: dict = {}
    annotations: dict = {}
    for metric in summarize.metrics:
        c.primitives(metric.expr, primitives, annotations)
    grouped = (
        qs.filter(**{f"{time_path}__isnull": False})
        .annotate(_bucket=Trunc(time_path, unit))
        .order_by()
        .values("_bucket")
        .annotate(**annotations)
        .order_by("_bucket")
    )
    all_columns = BUCKET_COLUMNS + metric_columns
    columns = _select(all_columns, list_clause)
    order = None
    if sort is not None:
        target = _sort_target(sort, all_columns, table)
        order = (target.key, sort.descending)
    return Plan(
        table,
        "summarize",
        grouped,
        columns,
        limit,
        limit_pos,
        c.now,
        bucket=summarize.by_time,
        metrics=summarize.metrics,
        primitives=primitives,
        sort=order,
    )
