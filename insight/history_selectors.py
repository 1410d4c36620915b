"""Reads of the fleet history shared by the pages: one snapshot per connector
per day, and the state changes behind a point. Constant queries."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from django.core.paginator import Page
from django.db import connection, connections
from django.db.models import Count, Max, QuerySet, Sum
from django.db.models.functions import Substr, TruncDate, TruncHour
from django.utils import timezone

from nexthink_admin.paging import CappedPaginator, page_size

from .models import FleetSnapshot, StateTransition

PAGE_SIZE = 50


@dataclass
class ChartPoint:
    label: str
    value: float
    url: str = ""


@dataclass
class ChartSeries:
    name: str
    points: list[ChartPoint] = field(default_factory=list)


def day_range(*, days: int, now: datetime | None = None) -> tuple[list[date], datetime]:
    """The last `days` local days (oldest first) and the start of the first."""
    today = timezone.localdate(now or timezone.now())
    first = today - timedelta(days=days - 1)
    return [first + timedelta(days=i) for i in range(days)], timezone.make_aware(
        datetime.combine(first, time.min)
    )


def day_bounds(day: date) -> tuple[datetime, datetime]:
    start = timezone.make_aware(datetime.combine(day, time.min))
    return start, start + timedelta(days=1)


def _utc_hour(field: str):
    """`field` truncated to its UTC hour, natively on either database (no
    per-row time-zone conversion, a Python function per row on SQLite)."""
    if connection.vendor == "sqlite":  # stored as text "YYYY-MM-DD HH:MM:SS[.ffffff]"
        return Substr(field, 1, 13)
    return TruncHour(field, tzinfo=UTC)


def local_hours(
    scope: QuerySet, group: tuple[str, ...], aggregates: dict, *, field: str = "taken_at"
) -> list | None:
    """`aggregates` of `scope` per `group` and UTC hour of `field` (at most
    24 rows per group and day), each row as (local start of the hour, row);
    None in a time zone whose offset is not whole hours (a UTC hour would span
    two local hours). Its rows grow with the days of history it covers, so
    they are read as the database returns them (no per-value conversion by
    the ORM: integers and the hour as text on SQLite, a datetime on
    PostgreSQL) and each distinct hour is placed in local time once."""
    tz = timezone.get_current_timezone()
    names = (*group, "utc_hour", *aggregates)
    rows = (
        scope.annotate(utc_hour=_utc_hour(field))
        .order_by()
        .values(*group, "utc_hour")
        .annotate(**aggregates)
        .values_list(*names)
    )
    sql, params = rows.query.sql_with_params()
    with connections[rows.db].cursor() as cursor:
        cursor.execute(sql, params)
        fetched = cursor.fetchall()
    placed: dict = {}
    out = []
    for values in fetched:
        r = dict(zip(names, values, strict=True))
        hour = r["utc_hour"]
        local = placed.get(hour)
        if local is None:
            if isinstance(hour, str):
                local = datetime.fromisoformat(hour + ":00").replace(tzinfo=UTC).astimezone(tz)
            else:
                local = hour.astimezone(tz)
            if local.minute:
                return None
            placed[hour] = local
        out.append((local, r))
    return out


def snapshot_hours(*, days: int, now: datetime, connector_id: int | None = None) -> list | None:
    """Everything the Usage page sums over its snapshots, per connector and
    UTC hour, in one GROUP BY over the last `days` days (see local_hours):
    each hour's newest snapshot, its pool sessions and AUTO_STOP samples."""
    scope = FleetSnapshot.objects.filter(taken_at__gte=now - timedelta(days=days))
    if connector_id:
        scope = scope.filter(connector_id=connector_id)
    return local_hours(
        scope,
        ("connector_id",),
        {
            "last": Max("id"),
            "total": Sum("sessions"),
            "n": Count("id"),
            "a": Sum("auto_stop_available"),
            "s": Sum("auto_stop_stopped"),
            "o": Sum("auto_stop_other"),
        },
    )


def daily_snapshots(
    *,
    days: int,
    now: datetime | None = None,
    connector_id: int | None = None,
    hours: list | None = None,
    fields: tuple[str, ...] | None = None,
) -> dict[date, list[FleetSnapshot]]:
    """Each connector's last snapshot of each day (two queries, one with
    `hours`, the snapshot_hours of the same arguments), by day: the newest id
    per connector and UTC hour (native functions, index only), the newest of
    each local day picked here, then those snapshots (only `fields` of
    them, besides their connector and time, when given: their JSON counts
    and pools are not read)."""
    day_list, start = day_range(days=days, now=now)
    scope = FleetSnapshot.objects.filter(taken_at__gte=start)
    if connector_id:
        scope = scope.filter(connector_id=connector_id)
    if hours is not None:
        hours = [(local, r) for local, r in hours if local >= start]
    else:
        hours = local_hours(scope, ("connector_id",), {"last": Max("id")})
    if hours is None:
        wanted = (
            scope.annotate(day=TruncDate("taken_at"))
            .order_by()
            .values("connector_id", "day")
            .annotate(last=Max("id"))
            .values("last")
        )
    else:
        newest: dict[tuple[int, date], int] = {}
        for local, r in hours:
            key = (r["connector_id"], local.date())
            newest[key] = max(newest.get(key, 0), r["last"])
        wanted = list(newest.values())
    by_day: dict[date, list[FleetSnapshot]] = {d: [] for d in day_list}
    snapshots = FleetSnapshot.objects.filter(pk__in=wanted).order_by("taken_at")
    if fields is not None:
        snapshots = snapshots.only("connector_id", "taken_at", *fields)
    for snap in snapshots:
        by_day.setdefault(timezone.localdate(snap.taken_at), []).append(snap)
    return by_day


def parse_day(value: str | None) -> date | None:
    try:
        return date.fromisoformat((value or "").strip()[:10])
    except ValueError:
        return None


def transitions_page(*, params: Mapping[str, str]) -> tuple[Page, dict[str, str]]:
    """State changes, newest first, filtered by `day`, `to` (state) and
    `device` (id): the list behind a point of the health and usage charts."""
    queryset = StateTransition.objects.select_related("device", "connector").order_by("-at", "-id")
    applied = {}
    day = parse_day(params.get("day"))
    if day:
        start, end = day_bounds(day)
        queryset = queryset.filter(at__gte=start, at__lt=end)
        applied["day"] = day.isoformat()
    to_state = (params.get("to") or "").strip()[:32]
    if to_state:
        queryset = queryset.filter(to_state=to_state)
        applied["to"] = to_state
    device = (params.get("device") or "").strip()
    if device.isascii() and device.isdigit() and int(device) < 2**63:
        queryset = queryset.filter(device_id=int(device))
        applied["device"] = device
    per_page = page_size(params, PAGE_SIZE)
    paginator = CappedPaginator(queryset, per_page, page=params.get("page"))
    return paginator.get_page(params.get("page")), applied
