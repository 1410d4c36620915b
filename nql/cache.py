"""Summaries of the devices table kept until devices change (issue 16's scale target).

A summarize reads every active device it counts, so its time grows with the
fleet; the same query asked again over the same devices gets the same
answer. Such results are kept with the Devices page's facet counts
(connectors/devices/cache.py): keyed on the query, its parameters and bounds
and the devices' version, so any device stored, updated or removed by a run
(or a connector added or deleted) misses the cache, and entries expire after
CACHE_SECONDS anyway.

Not cached, because their answer can change while the devices do not: a
query with a time selection or time_elapsed() (it depends on now), and a
query naming a connector field (a connector can be renamed without any
device changing). Lists are not cached: they read at most their bound of
rows through an index.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import replace

from django.utils import timezone

from connectors.devices.cache import cached_counts

from . import ast as a
from .plan import Plan
from .runner import NqlResult


def _field_refs(node) -> list[a.FieldRef]:
    if isinstance(node, a.FieldRef):
        return [node]
    if isinstance(node, tuple | list):
        return [ref for item in node for ref in _field_refs(item)]
    if hasattr(node, "__dataclass_fields__"):
        return [
            ref for name in node.__dataclass_fields__ for ref in _field_refs(getattr(node, name))
        ]
    return []


def cacheable(query: a.Query, plan: Plan) -> bool:
    if plan.table.name != "devices" or plan.kind != "summarize" or query.timeframe is not None:
        return False
    if plan.bucket is not None or any(col.elapsed for col in plan.columns):
        return False
    for ref in _field_refs(query.clauses):
        f = plan.table.field(ref.name)
        if ref.function or f is None or "__" in f.path:
            return False
    return True


def cached_run(
    *,
    text: str,
    params: Mapping[str, object] | None,
    bounds: tuple[int | None, int | None],
    compute: Callable[[], NqlResult],
    version: str | None = None,
) -> NqlResult:
    key = json.dumps([text, dict(params or {}), bounds], sort_keys=True, default=str)
    result = cached_counts("nql", key, compute, version=version)
    return replace(result, executed_at=timezone.now())
