"""Summaries of `devices` answered from the devices rollup
(connectors/models/rollup.py, built by connectors/devices/rollup.py): issue
16's scale target for the first asker, whose GROUP BY over every device grew
with the fleet.

A summary is answered from the rollup when it can be exactly:
- the table is `devices`, without a time selection, and `summarize` has no
  time bucket (those depend on now and on last_update, not a dimension);
- every field it names (in `where`, in `countif` conditions, in `by`) is a
  rollup dimension (or a connector field, reached through the rollup's
  connector column), none through a function (`time_elapsed()`);
- every aggregate is `count()` or `countif()`, or arithmetic between them
  and numbers (a sum or an average of a number is not in the rollup);
- the rollup was built from the devices as they are now: its stored version
  equals `devices_version()` (why that is never stale: the builder's
  docstring);
- it touches at most two dimensions (their own grouping set), or more and
  the full cube was stored.
Anything else scans the devices, as before. The answer is the same query
compiled against the rows of the smallest grouping set that holds its
dimensions: `count()` is `Coalesce(Sum("n"), 0)`, `countif(c)` is
`Coalesce(Sum("n", filter=c), 0)`, `where` filters the grouping set's rows.
The conditions are the very Q objects compiled for Device (the rollup's
columns are named as the Device attributes), so case-insensitive matches,
wildcards, `== null` and the ordering of the rows are the scan's.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from django.db.models import IntegerField, Sum, Value
from django.db.models.functions import Coalesce

from connectors.devices.cache import devices_version
from connectors.devices.rollup import ACTIVE, MAX_SET_SIZE, device_rollup_state
from connectors.models import DeviceRollup
from connectors.models.rollup import CUBE, ROLLUP_DIMENSIONS, grouping_key

from . import ast as a
from .compiler import Compiler, compile_query
from .plan import Plan
from .tables import table_get

ROLLUP_TABLE = DeviceRollup._meta.db_table


class RollupCompiler(Compiler):
    """Counts devices by summing the rollup's counts."""

    def count(self, cond):
        total = Sum("n") if cond is None else Sum("n", filter=self.q(cond))
        return Coalesce(total, Value(0), output_field=IntegerField())


def _refs(node) -> list[a.FieldRef]:
    if isinstance(node, a.FieldRef):
        return [node]
    if isinstance(node, tuple | list):
        return [ref for item in node for ref in _refs(item)]
    if hasattr(node, "__dataclass_fields__"):
        return [ref for name in node.__dataclass_fields__ for ref in _refs(getattr(node, name))]
    return []


def _counts_only(node, refs: list[a.FieldRef]) -> bool:
    """True when the aggregate expression is count()/countif() and numbers; collects the
    fields its conditions name."""
    if isinstance(node, a.Num):
        return True
    if isinstance(node, a.Arith):
        return _counts_only(node.left, refs) and _counts_only(node.right, refs)
    if isinstance(node, a.Agg) and node.func in ("count", "countif"):
        refs += _refs(node.cond)
        return True
    return False


def rollup_dimensions(query: a.Query) -> frozenset[str] | None:
    """The rollup dimensions a summary of devices reads, or None when the rollup cannot
    answer it (see the module's docstring). Reads nothing from the database."""
    table = table_get(query.table)
    if table is None or table.name != "devices" or table.base_filter != ACTIVE:
        return None
    if query.timeframe is not None:
        return None
    summaries = [c for c in query.clauses if isinstance(c, a.Summarize)]
    if len(summaries) != 1 or summaries[0].by_time is not None:
        return None
    summarize = summaries[0]
    refs: list[a.FieldRef] = list(summarize.by_fields)
    for clause in query.clauses:
        if isinstance(clause, a.Where):
            refs += _refs(clause.cond)
    for metric in summarize.metrics:
        if not _counts_only(metric.expr, refs):
            return None
    dimensions = set()
    for ref in refs:
        f = table.field(ref.name)
        if ref.function or f is None:
            return None
        head = f.path.split("__")[0]
        if head not in ROLLUP_DIMENSIONS:
            return None
        dimensions.add(head)
    return frozenset(dimensions)


def rollup_plan(
    query: a.Query,
    dimensions: frozenset[str],
    *,
    params: Mapping[str, object] | None,
    now: datetime,
    version: str | None = None,
) -> Plan | None:
    """The summary compiled against the rollup's smallest grouping set holding
    `dimensions`, or None when the rollup cannot answer now (never built, built from
    other devices than today's, or no cube for three dimensions or more). `version`: the
    devices' version if the caller read it already."""
    state = device_rollup_state()
    if state is None:
        return None
    built_from, has_cube = state
    if len(dimensions) > MAX_SET_SIZE and not has_cube:
        return None
    if built_from != (version or devices_version()):
        return None
    key = grouping_key(dimensions) if len(dimensions) <= MAX_SET_SIZE else CUBE
    rows = DeviceRollup.objects.filter(grouping=key)
    return compile_query(query, params=params, now=now, rows=(RollupCompiler, rows))
