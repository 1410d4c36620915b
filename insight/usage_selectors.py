"""Reads for the Usage page. Every figure comes from what runs sampled (the
WorkSpace's state at each run), so on-hours are estimates at the connector's
recurrence: a session shorter than the gap between two runs is not seen."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.core.paginator import Page
from django.db.models import Avg, Count, F, QuerySet, Sum
from django.db.models.fields.json import KT
from django.db.models.functions import ExtractHour, ExtractIsoWeekDay, TruncDate
from django.utils import timezone

from connectors.models import Device
from nexthink_admin.paging import CappedPaginator

from .health_selectors import latest_snapshot_ids
from .history_selectors import daily_snapshots, day_range, local_hours
from .models import FleetSnapshot, StateTransition
from .services import AUTO_STOP, RUNNING_STATE, STOPPED_STATE, untracked_auto_stop_count

PAGE_SIZE = 25
UNUSED_DAYS = (7, 14, 30, 60)
DEFAULT_UNUSED_DAYS = 14
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass
class DayMix:
    day: date
    counts: dict[str, int]
    url: str = ""


MIX_BY = {"compute_type": "running_mode_by_compute_type", "bundle": "running_mode_by_bundle"}


def running_mode_mix(
    *,
    days: int,
    now: datetime,
    connector_id: int | None = None,
    by: str = "",
    value: str = "",
    by_day: dict[date, list[FleetSnapshot]] | None = None,
) -> tuple[list[DayMix], list[str]]:
    """Running modes per day (each connector's last snapshot of the day), of
    the whole fleet or of one compute type or bundle (`by`, `value`); `by_day`:
    the daily_snapshots of the same arguments, when the caller has them."""
    if by_day is None:
        by_day = daily_snapshots(days=days, now=now, connector_id=connector_id)
    out, modes = [], Counter()
    for day, snaps in by_day.items():
        counts = Counter()
        for snap in snaps:
            if by in MIX_BY:
                counts.update(snap.counts.get(MIX_BY[by], {}).get(value, {}))
            else:
                counts.update(snap.counts.get("running_mode", {}))
        modes.update(counts)
        out.append(DayMix(day, dict(counts)))
    return out, [m for m, _ in modes.most_common()]


def mode_breakdown(snapshots: list[FleetSnapshot], key: str) -> list[tuple[str, dict[str, int]]]:
    """The current running-mode mix per compute type or bundle (from the latest snapshots)."""
    total: dict[str, Counter] = defaultdict(Counter)
    for snap in snapshots:
        for value, modes in snap.counts.get(key, {}).items():
            total[value].update(modes)
    return sorted(((k, dict(v)) for k, v in total.items()), key=lambda kv: -sum(kv[1].values()))


@dataclass
class Share:
    available: int
    stopped: int
    other: int

    @property
    def samples(self) -> int:
        return self.available + self.stopped + self.other

    @property
    def available_pct(self) -> float | None:
        seen = self.available + self.stopped
        return 100 * self.available / seen if seen else None


def auto_stop_share(
    *, days: int, now: datetime, connector_id: int | None = None, hours: list | None = None
) -> Share:
    """Fleet-wide share of AUTO_STOP samples seen AVAILABLE vs STOPPED (one
    aggregate; none with `hours`, the snapshot_hours of the same arguments,
    whose rows already hold the samples' sums)."""
    if hours is not None:
        return Share(
            sum(r["a"] or 0 for _, r in hours),
            sum(r["s"] or 0 for _, r in hours),
            sum(r["o"] or 0 for _, r in hours),
        )
    scope = FleetSnapshot.objects.filter(taken_at__gte=now - timedelta(days=days))
    if connector_id:
        scope = scope.filter(connector_id=connector_id)
    sums = scope.aggregate(
        a=Sum("auto_stop_available"), s=Sum("auto_stop_stopped"), o=Sum("auto_stop_other")
    )
    return Share(sums["a"] or 0, sums["s"] or 0, sums["o"] or 0)


def auto_stop_share_by_day(
    *, days: int, now: datetime, connector_id: int | None = None, hours: list | None = None
) -> list[tuple[date, Share]]:
    """The same share per day, over every sample of the day (one GROUP BY,
    none with `hours`, the snapshot_hours of the same arguments)."""
    day_list, start = day_range(days=days, now=now)
    scope = FleetSnapshot.objects.filter(taken_at__gte=start)
    if connector_id:
        scope = scope.filter(connector_id=connector_id)
    sums = {
        "a": Sum("auto_stop_available"),
        "s": Sum("auto_stop_stopped"),
        "o": Sum("auto_stop_other"),
    }
    if hours is not None:
        hours = [(local, r) for local, r in hours if local >= start]
    else:
        hours = local_hours(scope, (), sums)
    by_day: dict[date, Share] = defaultdict(lambda: Share(0, 0, 0))
    if hours is None:
        rows = scope.annotate(day=TruncDate("taken_at")).order_by().values("day").annotate(**sums)
        hours = [(r["day"], r) for r in rows]
    for local, r in hours:
        day = local.date() if isinstance(local, datetime) else local
        share = by_day[day]
        share.available += r["a"] or 0
        share.stopped += r["s"] or 0
        share.other += r["o"] or 0
    return [(d, by_day.get(d, Share(0, 0, 0))) for d in day_list]


def _auto_stop_workspaces(connector_id: int | None) -> QuerySet:
    scope = Device.objects.filter(removed_at__isnull=True, running_mode=AUTO_STOP).exclude(
        workspace_id=""
    )
    return scope.filter(connector_id=connector_id) if connector_id else scope


def workspace_shares(
    *, now: datetime, page: str | None, connector_id: int | None = None, per_page: int = PAGE_SIZE
) -> tuple[Page, dict[int, tuple[float | None, float | None]]]:
    """A page of AUTO_STOP WorkSpaces and, for each, the share of the last 7
    and 30 days it was seen AVAILABLE, from its state changes (two queries
    for the page, whatever the fleet)."""
    queryset = (
        _auto_stop_workspaces(connector_id)
        .select_related("connector", "insight_state")
        .only(
            "id",
            "name",
            "workspace_id",
            "user_name",
            "state",
            "first_seen_at",
            "connector__name",
            "insight_state__state",
            "insight_state__since",
        )
        .order_by("name", "id")
    )
    page_obj = CappedPaginator(queryset, per_page, page=page).get_page(page)
    devices = list(page_obj.object_list)
    start30 = now - timedelta(days=30)
    changes = defaultdict(list)
    for t in (
        StateTransition.objects.filter(device__in=[d.pk for d in devices], at__gte=start30)
        .order_by("-at", "-id")
        .values_list("device_id", "from_state", "to_state", "at")
    ):
        changes[t[0]].append(t[1:])
    shares = {}
    for d in devices:
        current = getattr(d, "insight_state", None)
        state = current.state if current else d.state
        shares[d.pk] = tuple(
            _share_available(
                state, changes[d.pk], max(now - timedelta(days=n), d.first_seen_at), now
            )
            for n in (7, 30)
        )
    return page_obj, shares


def _share_available(state: str, changes: list, start: datetime, end: datetime) -> float | None:
    """Walk back from `end` in `state` through the changes (newest first):
    the percentage of [start, end] spent AVAILABLE."""
    if end <= start:
        return None
    running, cursor = 0.0, end
    for from_state, to_state, at in changes:
        if at <= start:
            break
        if to_state == RUNNING_STATE:
            running += (cursor - max(at, start)).total_seconds()
        cursor, state = at, from_state
    if state == RUNNING_STATE and cursor > start:
        running += (cursor - start).total_seconds()
    return 100 * running / (end - start).total_seconds()


def unused_page(
    *,
    days: int,
    now: datetime,
    page: str | None,
    connector_id: int | None = None,
    per_page: int = PAGE_SIZE * 2,
) -> Page:
    """AUTO_STOP WorkSpaces every run has seen STOPPED for `days` days or more:
    the likely unused ones, the longest first, equal times in the order they
    were first tracked (one capped count and one page query, whether or not
    any qualify). The order is the DeviceState (state, since) index's (its
    row id breaks ties), so both stop after the rows they need instead of
    reading and sorting every qualifying WorkSpace. The count reads only
    that index and Device (id, running_mode, workspace_id, removed_at); the
    page's rows carry their state's since and connector's name as values."""
    queryset = (
        _auto_stop_workspaces(connector_id)
        .filter(
            insight_state__state=STOPPED_STATE,
            insight_state__since__lte=now - timedelta(days=days),
        )
        .order_by("insight_state__since", "insight_state__id")
    )
    paginator = CappedPaginator(queryset, per_page, page=page)
    page_obj = paginator.get_page(page)
    # Django skips the page query when the count is 0; read it anyway so the
    # page answers with the same statements at any size.
    start = (page_obj.number - 1) * paginator.per_page
    rows = queryset.only(
        "id", "name", "workspace_id", "user_name", "instance_size", "bundle_id"
    ).annotate(  # values, not a state and a connector object per row
        stopped_at=F("insight_state__since"),
        since_first_seen=F("insight_state__since_first_seen"),
        connector_name=F("connector__name"),
    )
    page_obj.object_list = list(rows[start : start + paginator.per_page])
    for device in page_obj.object_list:  # whole days, as the page's periods are counted
        device.stopped_days = (now - device.stopped_at).days
    return page_obj


def untracked_auto_stop(connector_id: int | None = None) -> int:
    """AUTO_STOP WorkSpaces no run has tracked yet (outside the unused list):
    as each connector's latest snapshot counted them at the end of its run
    (only runs create devices and track them, so it holds until the next run),
    counted live while no snapshot carries the figure. One query reads that
    one key of each snapshot's counts (which grow with the fleet's bundles and
    images), not the whole of them."""
    latest = FleetSnapshot.objects.filter(pk__in=latest_snapshot_ids())
    if connector_id:
        latest = latest.filter(connector_id=connector_id)
    carried = list(
        latest.annotate(untracked=KT("counts__untracked_auto_stop")).values_list(
            "untracked", flat=True
        )
    )
    if not carried or None in carried:
        return untracked_auto_stop_count(connector_id=connector_id)
    return sum(int(n) for n in carried)


def sessions_heat_map(
    *, days: int, now: datetime, connector_id: int | None = None, hours: list | None = None
) -> dict[tuple[int, int], float]:
    """Average pool sessions seen per (ISO weekday, hour), summed over
    connectors (one GROUP BY, per connector and hour, placed in local time
    here; none with `hours`, the snapshot_hours of the same arguments)."""
    scope = FleetSnapshot.objects.filter(taken_at__gte=now - timedelta(days=days))
    if connector_id:
        scope = scope.filter(connector_id=connector_id)
    if hours is None:
        hours = local_hours(scope, ("connector_id",), {"total": Sum("sessions"), "n": Count("id")})
    if hours is None:
        return _sessions_heat_map_local(scope, timezone.get_current_timezone())
    sums: dict[tuple[int, int, int], list[float]] = defaultdict(lambda: [0.0, 0])
    for local, r in hours:
        acc = sums[(r["connector_id"], local.isoweekday(), local.hour)]
        acc[0] += r["total"] or 0
        acc[1] += r["n"]
    grid: dict[tuple[int, int], float] = defaultdict(float)
    for (_, dow, h), (total, n) in sums.items():
        grid[(dow, h)] += total / n
    return grid


def _sessions_heat_map_local(scope: QuerySet, tz) -> dict[tuple[int, int], float]:
    rows = (
        scope.annotate(
            dow=ExtractIsoWeekDay("taken_at", tzinfo=tz), hour=ExtractHour("taken_at", tzinfo=tz)
        )
        .order_by()
        .values("connector_id", "dow", "hour")
        .annotate(avg=Avg("sessions"), n=Count("id"))
    )
    grid: dict[tuple[int, int], float] = defaultdict(float)
    for r in rows:
        grid[(r["dow"], r["hour"])] += float(r["avg"] or 0)
    return grid


def pool_utilisation_by_day(
    *,
    days: int,
    now: datetime,
    connector_id: int | None = None,
    by_day: dict[date, list[FleetSnapshot]] | None = None,
) -> list[tuple[date, float | None]]:
    """Active over actual sessions per day, from the pools' capacity in each
    connector's last snapshot of the day (empty until pools are collected)."""
    if by_day is None:
        by_day = daily_snapshots(days=days, now=now, connector_id=connector_id)
    out = []
    for day, snaps in by_day.items():
        active = sum(p.get("active", 0) for s in snaps for p in (s.pools or {}).values())
        actual = sum(p.get("actual", 0) for s in snaps for p in (s.pools or {}).values())
        out.append((day, 100 * active / actual if actual else None))
    return out
