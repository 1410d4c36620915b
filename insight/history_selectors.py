"""Reads of the fleet history shared by the pages: one snapshot per connector
per day, and the state changes behind a point. Constant queries."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from django.core.paginator import Page
from django.db import connection, connections
from django.db.models import Max, QuerySet
from django.db.models.functions import Substr, TruncDate, TruncHour
from django.utils import timezone

from nexthink_admin.paging import CappedPaginator, page_size

from .models import FleetSnapshot, SnapshotHour, StateTransition
from .services import utc_hour

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
    two local hours)."""
    names = (*group, "utc_hour", *aggregates)
    rows = (
        scope.annotate(utc_hour=_utc_hour(field))
        .order_by()
        .values(*group, "utc_hour")
        .annotate(**aggregates)
        .values_list(*names)
    )
    return _in_local_time(rows, names)


def _in_local_time(rows: QuerySet, names: tuple[str, ...]) -> list | None:
    """`rows` (a values_list of `names`, one of them "utc_hour") as the
    database returns them, each as (local start of its hour, row as a dict),
    each distinct hour placed once; None when a UTC hour does not start a
    local hour. Read without the ORM's per-value conversions: these rows
    grow with the days of history a page covers."""
    tz = timezone.get_current_timezone()
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
            if isinstance(hour, str):  # SQLite: "YYYY-MM-DD HH[:MM:SS]"
                hour_start = datetime.fromisoformat(hour[:13] + ":00").replace(tzinfo=UTC)
            elif hour.tzinfo is None:  # PostgreSQL's DATE_TRUNC of a UTC time
                hour_start = hour.replace(tzinfo=UTC)
            else:
                hour_start = hour
            local = hour_start.astimezone(tz)
            if local.minute:
                return None
            placed[hour] = local
        out.append((local, r))
    return out


def snapshot_hours(*, days: int, now: datetime, connector_id: int | None = None) -> list | None:
    """Everything the Usage page sums over its snapshots, per connector and
    UTC hour, over the last `days` days from the start of their first hour:
    each hour's newest snapshot, its pool sessions and AUTO_STOP samples,
    read from the hourly sums the snapshots add to (SnapshotHour: at most 24
    rows per connector and day, whatever the recurrence); see local_hours."""
    scope = SnapshotHour.objects.filter(hour__gte=utc_hour(now - timedelta(days=days)))
    if connector_id:
        scope = scope.filter(connector_id=connector_id)
    columns = {
        "connector_id": "connector_id",
        "utc_hour": "hour",
        "last": "last",
        "total": "sessions",
        "n": "snapshots",
        "a": "auto_stop_available",
        "s": "auto_stop_stopped",
        "o": "auto_stop_other",
    }
    return _in_local_time(scope.order_by().values_list(*columns.values()), tuple(columns))


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
    per connector and UTC hour (the hourly sums), the newest of each local
    day picked here, then those snapshots (only `fields` of
    them, besides their connector and time, when given: their JSON counts
    and pools are not read)."""
    day_list, start = day_range(days=days, now=now)
    scope = FleetSnapshot.objects.filter(taken_at__gte=start)
    if connector_id:
        scope = scope.filter(connector_id=connector_id)
    if hours is None:
        hours = snapshot_hours(days=days, now=now or timezone.now(), connector_id=connector_id)
    if hours is not None:
        hours = [(local, r) for local, r in hours if local >= start]
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
