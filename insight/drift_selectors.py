"""Reads for the Drift page: what changed across the fleet, from the device
change history (DeviceChange) and the devices as they are. Constant queries."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from django.core.paginator import Page
from django.db.models import Count, Max, Min
from django.db.models.functions import TruncDate

from connectors.models import Device, DeviceChange
from nexthink_admin.paging import CappedPaginator, page_size

from . import hooks
from .history_selectors import day_bounds, day_range, local_hours, parse_day
from .models import FleetSnapshot
from .services import outdated_image_count as outdated_image_count_live

PAGE_SIZE = 50
# Fields of the change history the timeline shows, with their labels.
FIELD_LABELS = {
    "instance_size": "Compute type",
    "running_mode": "Running mode",
    "disk_image": "Image",
    "image_id": "Image ID",
    "desktop_pool": "Desktop pool",
    hooks.PROTOCOLS_FIELD: "Protocols",
    hooks.ROOT_VOLUME_FIELD: "Root volume",
    hooks.USER_VOLUME_FIELD: "User volume",
}
# Compute types from the smallest to the largest: a change is "up" or "down".
COMPUTE_ORDER = (
    "VALUE",
    "STANDARD",
    "PERFORMANCE",
    "POWER",
    "POWERPRO",
    "GENERALPURPOSE_4XLARGE",
    "GENERALPURPOSE_8XLARGE",
    "GRAPHICS_G4DN",
    "GRAPHICSPRO_G4DN",
    "GRAPHICS",
    "GRAPHICSPRO",
)


@dataclass
class DayChanges:
    day: date
    counts: dict[str, int]
    url: str = ""


def changes_by_day(*, days: int, now: datetime) -> tuple[list[DayChanges], list[str]]:
    """Changes per local day and field over the last `days` days (one GROUP BY)."""
    day_list, start = day_range(days=days, now=now)
    scope = DeviceChange.objects.filter(changed_at__gte=start, field__in=list(FIELD_LABELS))
    # Per UTC hour (native functions), placed in local days here; per local
    # day in the database only where the offset is not whole hours.
    hours = local_hours(scope, ("field",), {"n": Count("id")}, field="changed_at")
    if hours is None:
        rows = list(
            scope.annotate(day=TruncDate("changed_at"))
            .order_by()
            .values_list("day", "field")
            .annotate(n=Count("id"))
        )
    else:
        rows = [(local.date(), r["field"], r["n"]) for local, r in hours]
    by_day = {d: {} for d in day_list}
    seen = set()
    for day, name, n in rows:
        if day in by_day:
            by_day[day][name] = by_day[day].get(name, 0) + n
            seen.add(name)
    fields = [f for f in FIELD_LABELS if f in seen]
    return [DayChanges(d, c) for d, c in by_day.items()], fields


def changes_page(*, params: Mapping[str, str]) -> tuple[Page, dict[str, str]]:
    """The changes behind a point: filtered by `day`, `field`, `old`, `new`
    and `bundle`, newest first, with their device (one page query and a count)."""
    queryset = (
        DeviceChange.objects.select_related("device", "device__connector")
        .filter(field__in=list(FIELD_LABELS))
        .order_by("-changed_at", "-id")
    )
    applied = {}
    day = parse_day(params.get("day"))
    if day:
        start, end = day_bounds(day)
        queryset = queryset.filter(changed_at__gte=start, changed_at__lt=end)
        applied["day"] = day.isoformat()
    since = parse_day(params.get("since"))
    if since:
        queryset = queryset.filter(changed_at__gte=day_bounds(since)[0])
        applied["since"] = since.isoformat()
    for key, lookup in (
        ("field", "field"),
        ("old", "old_value"),
        ("new", "new_value"),
        ("bundle", "device__bundle_id"),
    ):
        value = (params.get(key) or "").replace("\x00", "").strip()[:255]
        if value:
            queryset = queryset.filter(**{lookup: value})
            applied[key] = value
    per_page = page_size(params, PAGE_SIZE)
    paginator = CappedPaginator(queryset, per_page, page=params.get("page"))
    return paginator.get_page(params.get("page")), applied


@dataclass
class ComputeChange:
    old: str
    new: str
    count: int
    direction: str  # up, down, or "" when either type is unknown


def compute_type_changes(*, since: datetime) -> list[ComputeChange]:
    """Compute-type changes since a time, by (old, new), up or down (one GROUP BY)."""
    rank = {name: i for i, name in enumerate(COMPUTE_ORDER)}
    rows = (
        DeviceChange.objects.filter(field="instance_size", changed_at__gte=since)
        .order_by()
        .values_list("old_value", "new_value")
        .annotate(n=Count("id"))
        .order_by("-n")
    )
    out = []
    for old, new, n in rows:
        direction = ""
        if old in rank and new in rank:
            direction = "up" if rank[new] > rank[old] else "down"
        out.append(ComputeChange(old, new, n, direction))
    return out


def bundle_image_changes(*, since: datetime, limit: int = 50) -> list[dict]:
    """Bundles whose image changed (seen through their WorkSpaces' image),
    when first and last seen, and how many WorkSpaces changed (one GROUP BY)."""
    return list(
        DeviceChange.objects.filter(field="disk_image", changed_at__gte=since)
        .exclude(device__bundle_id="")
        .order_by()
        .values("device__bundle_id", "old_value", "new_value")
        .annotate(first=Min("changed_at"), last=Max("changed_at"), n=Count("id"))
        .order_by("-last")[:limit]
    )


def pools_with_several_images(
    snapshots: list[FleetSnapshot] | None = None, *, limit: int = 50
) -> list[dict]:
    """Desktop pools (pooled) and bundles (personal) whose active devices run
    more than one image, from each connector's latest snapshot (`snapshots`,
    as of its last run: no read of the fleet); counted live (one GROUP BY over
    the fleet) while no snapshot carries the images per pool yet."""
    carried = [s for s in snapshots or [] if "images_by_pool" in (s.counts or {})]
    if not carried:
        return list(
            Device.objects.filter(removed_at__isnull=True)
            .exclude(disk_image="")
            .order_by()
            .values("pool_type", "desktop_pool")
            .annotate(images=Count("disk_image", distinct=True), devices=Count("id"))
            .filter(images__gt=1)
            .order_by("-images", "desktop_pool")[:limit]
        )
    merged: dict[str, Counter] = defaultdict(Counter)
    for snap in carried:
        for key, images in snap.counts["images_by_pool"].items():
            merged[key].update(images)
    rows = []
    for key, images in merged.items():
        pool_type, _, pool = key.partition("|")
        shown = {i: n for i, n in images.items() if n and i}
        if len(shown) > 1:
            rows.append(
                {
                    "pool_type": pool_type,
                    "desktop_pool": pool,
                    "images": len(shown),
                    "devices": sum(shown.values()),
                }
            )
    rows.sort(key=lambda r: (-r["images"], r["desktop_pool"]))
    return rows[:limit]


def outdated_image_count(snapshots: list[FleetSnapshot] | None = None) -> int | None:
    """WorkSpaces running an image other than their bundle's current image,
    or None while the two are not both collected (issue 19): the sum of each
    connector's latest snapshot, counted live while no snapshot carries it."""
    running, current = (
        hooks.device_attr(hooks.RUNNING_IMAGE_FIELD),
        hooks.device_attr(hooks.BUNDLE_IMAGE_FIELD),
    )
    if not running or not current or running == current:
        return None
    carried = [s for s in snapshots or [] if "outdated_image" in (s.counts or {})]
    if not carried:
        return outdated_image_count_live()
    return sum(s.counts["outdated_image"] for s in carried)
