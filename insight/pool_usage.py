"""Reads for the "Pool load by hour" page: how busy one pool is in each hour
of the week, from the capacity each run's snapshot recorded for it (the
pool's ActiveUserSessions and ActualUserSessions, sampled at the connector's
recurrence). Constant queries: the pools of the latest snapshots, then one
GROUP BY per UTC hour over the chosen pool's figures inside the snapshots."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, IntegerField, Sum
from django.db.models.fields.json import KeyTextTransform, KeyTransform
from django.db.models.functions import Cast, ExtractHour, ExtractIsoWeekDay
from django.utils import timezone

from .history_selectors import local_hours
from .models import FleetSnapshot


@dataclass(frozen=True)
class PoolChoice:
    connector_id: int
    connector: str
    name: str

    @property
    def key(self) -> str:
        return f"{self.connector_id}:{self.name}"


def pool_choices(snapshots: list[FleetSnapshot]) -> list[PoolChoice]:
    """Every pool the connectors' latest snapshots hold, by connector and name."""
    out = [
        PoolChoice(s.connector_id, s.connector.name, name)
        for s in snapshots
        for name in (s.pools or {})
    ]
    return sorted(out, key=lambda p: (p.name.lower(), p.connector.lower()))


def pool_choice(choices: list[PoolChoice], key: str) -> PoolChoice | None:
    """The pool a `connector_id:name` key names, if a latest snapshot holds it."""
    return next((p for p in choices if p.key == key), None)


def _figure(pool: str, figure: str):
    return Cast(KeyTextTransform(figure, KeyTransform(pool, "pools")), IntegerField())


@dataclass
class HourLoad:
    active: float  # average active sessions seen in this hour of the week
    utilisation: float | None  # active over actual, in percent


def pool_load_by_hour(
    *, choice: PoolChoice, days: int, now: datetime
) -> dict[tuple[int, int], HourLoad]:
    """The pool's average active sessions and utilisation per (ISO weekday,
    local hour) over the last `days` days, from the snapshots that held it."""
    scope = FleetSnapshot.objects.filter(
        connector_id=choice.connector_id,
        taken_at__gte=now - timedelta(days=days),
        pools__has_key=choice.name,
    )
    aggregates = {
        "active": Sum(_figure(choice.name, "active")),
        "actual": Sum(_figure(choice.name, "actual")),
        "n": Count("id"),
    }
    hours = local_hours(scope, (), aggregates)
    sums: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0, 0, 0])
    if hours is None:  # a time zone whose offset is not whole hours
        tz = timezone.get_current_timezone()
        rows = (
            scope.annotate(
                dow=ExtractIsoWeekDay("taken_at", tzinfo=tz),
                hour=ExtractHour("taken_at", tzinfo=tz),
            )
            .order_by()
            .values("dow", "hour")
            .annotate(**aggregates)
        )
        hours = [((r["dow"], r["hour"]), r) for r in rows]
    else:
        hours = [((local.isoweekday(), local.hour), r) for local, r in hours]
    for key, r in hours:
        acc = sums[key]
        acc[0] += r["active"] or 0
        acc[1] += r["actual"] or 0
        acc[2] += r["n"]
    return {
        key: HourLoad(active / n, 100 * active / actual if actual else None)
        for key, (active, actual, n) in sums.items()
        if n
    }
