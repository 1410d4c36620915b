"""Reads of the fleet history shared by the pages: one snapshot per connector
per day, and the state changes behind a point. Constant queries."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.core.paginator import Page
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone

from connectors.models import InboundConnector
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


def daily_snapshots(
    *, days: int, now: datetime | None = None, connector_id: int | None = None
) -> dict[date, list[FleetSnapshot]]:
    """Each connector's last snapshot of each day (one query), by day.

    One index probe on (connector, -taken_at) per connector and day, so the
    cost does not grow with the number of runs a day (nor with the fleet)."""
    day_list, _ = day_range(days=days, now=now)
    connectors = InboundConnector.objects.order_by()
    if connector_id:
        connectors = connectors.filter(pk=connector_id)
    wanted = Q()
    for day in day_list:
        start, end = day_bounds(day)
        last = FleetSnapshot.objects.filter(
            connector=OuterRef("pk"), taken_at__gte=start, taken_at__lt=end
        ).order_by("-taken_at", "-id")
        wanted |= Q(pk__in=connectors.annotate(last=Subquery(last.values("id")[:1])).values("last"))
    by_day: dict[date, list[FleetSnapshot]] = {d: [] for d in day_list}
    for snap in FleetSnapshot.objects.filter(wanted).order_by("taken_at"):
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
