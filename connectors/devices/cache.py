"""Counts over the whole fleet (facets, overview) cached until devices change.

Devices change only when a run stores them or a connector is deleted. The
data version is read with four small aggregates (three single-column MAXes
over indexed device columns, one statement each, and the connectors' count
and highest id), so a cache hit costs four cheap queries instead of a GROUP
BY over every device per facet. Entries
also expire after CACHE_SECONDS, which bounds staleness in the one case the
version cannot see (a connector deleted and another created in between).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import cache
from django.db.models import Count, Max

from ..models import InboundConnector
from ..models.device import Device

T = TypeVar("T")
CACHE_SECONDS = 60


def devices_version() -> str:
    # One MAX per statement: SQLite answers a lone MAX from the index, but
    # scans the table for several in one statement.
    parts = [
        Device.objects.aggregate(v=Max(field))["v"] for field in ("last_update", "removed_at", "id")
    ]
    connectors = InboundConnector.objects.aggregate(n=Count("id"), top=Max("id"))
    return "|".join(str(p) for p in (*parts, connectors["n"], connectors["top"]))


def cached_counts(name: str, key: str, compute: Callable[[], T], version: str | None = None) -> T:
    """`version`: the devices' version if the caller read it already (read once, used twice)."""
    digest = hashlib.sha1(f"{version or devices_version()}|{key}".encode()).hexdigest()
    cache_key = f"device-counts:{name}:{digest}"
    value = cache.get(cache_key)
    if value is None:
        value = compute()
        cache.set(cache_key, value, CACHE_SECONDS)
    return value
