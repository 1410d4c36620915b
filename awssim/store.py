"""The simulated fleet: per (account, region) data sets and O(page) paging.

Records are kept as ready-to-serialise dicts shaped like the botocore output
shapes, so a page costs one slice of a sorted id list plus ``json.dumps`` of
at most 50 small dicts. Sorted id lists are rebuilt lazily after a change.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import threading
from bisect import bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

Record = dict[str, Any]


class TokenError(ValueError):
    """A NextToken that this fleet did not issue for this query."""


@dataclass
class Fleet:
    """Everything one AWS account holds in one region."""

    account_id: str
    region: str
    workspaces: dict[str, Record] = field(default_factory=dict)
    bundles: dict[str, Record] = field(default_factory=dict)
    images: dict[str, Record] = field(default_factory=dict)
    pools: dict[str, Record] = field(default_factory=dict)
    sessions: dict[str, dict[str, Record]] = field(default_factory=dict)
    version: int = 0
    meta: dict[str, Any] = field(default_factory=dict)  # generator state (seeding)
    _index_cache: dict[tuple[Any, ...], list[str]] = field(default_factory=dict)
    _index_version: int = -1

    def touch(self) -> None:
        """Mark the fleet changed; sorted indexes are rebuilt on next use."""
        self.version += 1

    # -- sorted indexes -------------------------------------------------
    def index(self, key: tuple[Any, ...]) -> list[str]:
        """Sorted ids for a query key, cached until the next change."""
        if self._index_version != self.version:
            self._index_cache = {}
            self._index_version = self.version
        ids = self._index_cache.get(key)
        if ids is None:
            ids = self._build_index(key)
            self._index_cache[key] = ids
        return ids

    def _build_index(self, key: tuple[Any, ...]) -> list[str]:
        kind = key[0]
        if kind == "ws":
            return sorted(self.workspaces)
        if kind in ("ws_bundle", "ws_dir", "ws_dir_user", "ws_name"):
            if ("ws_grouped",) not in self._index_cache:
                self._build_workspace_indexes()
            return self._index_cache.get(key, [])
        if kind == "bundles":  # ("bundles", amazon: bool)
            amazon = key[1]
            return sorted(b for b, r in self.bundles.items() if (r["Owner"] == "Amazon") == amazon)
        if kind == "images":
            return sorted(self.images)
        if kind == "pools":
            return sorted(self.pools)
        if kind == "sessions":
            return sorted(self.sessions.get(key[1], {}))
        raise KeyError(key)

    def _build_workspace_indexes(self) -> None:
        groups: dict[tuple[Any, ...], list[str]] = {}
        for ws_id, ws in self.workspaces.items():
            keys = [("ws_bundle", ws["BundleId"]), ("ws_dir", ws["DirectoryId"])]
            if ws.get("UserName"):
                keys.append(("ws_dir_user", ws["DirectoryId"], ws["UserName"].lower()))
            if ws.get("WorkspaceName"):
                keys.append(("ws_name", ws["WorkspaceName"]))
            for k in keys:
                groups.setdefault(k, []).append(ws_id)
        for k, ids in groups.items():
            ids.sort()
            self._index_cache[k] = ids
        self._index_cache[("ws_grouped",)] = []  # built once per version

    # -- pools ----------------------------------------------------------
    def refresh_capacity(self, pool_id: str) -> None:
        """Recompute a pool's CapacityStatus from its sessions."""
        pool = self.pools[pool_id]
        active = len(self.sessions.get(pool_id, {}))
        desired = max(pool.get("_desired", 0), active)
        pool["CapacityStatus"] = {
            "AvailableUserSessions": desired - active,
            "DesiredUserSessions": desired,
            "ActualUserSessions": desired,
            "ActiveUserSessions": active,
        }

    def summary(self) -> dict[str, Any]:
        """Counts for the control API."""
        own = sum(1 for b in self.bundles.values() if b["Owner"] != "Amazon")
        return {
            "account_id": self.account_id,
            "region": self.region,
            "workspaces": len(self.workspaces),
            "bundles": len(self.bundles),
            "own_bundles": own,
            "amazon_bundles": len(self.bundles) - own,
            "images": len(self.images),
            "pools": len(self.pools),
            "sessions": sum(len(s) for s in self.sessions.values()),
        }


class Store:
    """All fleets of one simulator, guarded by one lock."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self._fleets: dict[tuple[str, str], Fleet] = {}

    def fleet(self, account_id: str, region: str, create: bool = False) -> Fleet | None:
        """The fleet of (account, region); ``None`` if never seeded unless ``create``."""
        key = (account_id, region)
        fleet = self._fleets.get(key)
        if fleet is None and create:
            fleet = self._fleets[key] = Fleet(account_id, region)
        return fleet

    def replace(self, fleet: Fleet) -> None:
        """Install a freshly seeded fleet, replacing any previous one."""
        with self.lock:
            self._fleets[(fleet.account_id, fleet.region)] = fleet

    def clear(self) -> None:
        """Forget every fleet."""
        with self.lock:
            self._fleets.clear()

    def summaries(self) -> list[dict[str, Any]]:
        """One summary per fleet."""
        with self.lock:
            return [f.summary() for f in self._fleets.values()]


# -- paging -------------------------------------------------------------
def _scope(query: Iterable[Any]) -> str:
    return hashlib.sha1(repr(tuple(query)).encode()).hexdigest()[:10]


def encode_token(query: Iterable[Any], last_id: str) -> str:
    """An opaque NextToken: the query's fingerprint and the last id returned."""
    raw = f"v1|{_scope(query)}|{last_id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_token(query: Iterable[Any], token: str) -> str:
    """The last id a NextToken points after; raises TokenError if foreign."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        version, scope, last_id = raw.split("|", 2)
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise TokenError(token) from exc
    if version != "v1" or scope != _scope(query):
        raise TokenError(token)
    return last_id


def page(
    ids: list[str],
    query: Iterable[Any],
    token: str | None,
    limit: int,
    keep: Callable[[str], bool] | None = None,
) -> tuple[list[str], str | None]:
    """One page of ``ids`` after ``token``: bisect, slice, next token.

    Tokens carry the last id, not an offset, so adds and removals between
    calls neither repeat nor skip the ids that stay. ``keep`` filters lazily
    (used only for small candidate lists).
    """
    query = tuple(query)
    start = bisect_right(ids, decode_token(query, token)) if token else 0
    if keep is None:
        chunk = ids[start : start + limit]
        more = start + limit < len(ids)
    else:
        chunk = []
        pos = start
        while pos < len(ids) and len(chunk) < limit:
            if keep(ids[pos]):
                chunk.append(ids[pos])
            pos += 1
        more = any(keep(i) for i in ids[pos:])
    next_token = encode_token(query, chunk[-1]) if more and chunk else None
    return chunk, next_token


def public(record: Record) -> Record:
    """A record without the simulator's private ``_`` keys."""
    return {k: v for k, v in record.items() if not k.startswith("_")}
