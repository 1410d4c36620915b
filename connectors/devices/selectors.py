"""Reads of devices for the Devices page, its exports and the device page.

The whole view lives in the query string (bookmarkable): `q`, one parameter
per facet, `status` (active by default) and `sort`. Parsing never fails: an
unknown sort falls back to the default, an unknown filter value simply
matches nothing. Every read is a constant number of queries, whatever the
number of devices: one GROUP BY per facet, one page of rows with its
connector joined, and no separate COUNT (the facets already give it).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, QuerySet

from ..models.device import VIRTUALIZATION_FIELDS, Device, DeviceChange
from . import exportable
from .cache import cached_counts

PAGE_SIZE = 50
HISTORY_PAGE_SIZE = 25
MAX_QUERY_LENGTH = 200
FACET_LIMIT = 100  # values listed per facet, the most frequent first
MAX_ID = 2**63 - 1
EMPTY_VALUE = "__none__"  # the URL value that selects devices where a facet's field is blank
DEFAULT_STATUS = "active"
STATUSES = (("active", "Active"), ("removed", "Removed"), ("all", "All"))
SEARCH_FIELDS = ("name", "user_name", "desktop_pool", "disk_image", "source_id")


@dataclass(frozen=True)
class Facet:
    key: str  # the query-string parameter
    label: str
    attr: str  # the Device attribute it filters on
    yes_no: tuple[str, str] | None = None  # a boolean attribute: the labels of True and False


YES, NO = "yes", "no"


FACETS: tuple[Facet, ...] = (
    Facet("connector", "Connector", "connector_id"),
    Facet("environment", "Environment name", "environment_name"),
    Facet("region", "Region", "region"),
    Facet("pool_type", "Desktop pool type", "pool_type"),
    Facet("instance_size", "Instance size", "instance_size"),
    Facet("disk_image", "Disk image", "disk_image"),
    Facet("broker", "Desktop broker", "desktop_broker"),
    Facet("state", "State", "state"),
    Facet("error_code", "Error code", "error_code"),
    Facet("os", "Operating system", "operating_system_name"),
    Facet("protocol", "Protocol", "protocols"),
    Facet(
        "image_behind",
        "Image vs bundle",
        "image_behind_bundle",
        yes_no=("Runs an image older than its bundle's", "Runs its bundle's image"),
    ),
)
FACET_KEYS = tuple(f.key for f in FACETS)
# Computed filters (connectors/devices/exportable.py): what the Enrichment export
# does with a device, and the names more than one device has.
EXPORT_KEY, NAMES_KEY = "export", "names"
EXPORTED, NOT_EXPORTED, DUPLICATE = "exported", "not_exported", "duplicate"

# sort key -> ordering columns; every ordering ends on the name and the id,
# so pages never overlap or skip rows, and matches a (field, name) index.
_VIRTUALIZATION_SORTS = {attr: (attr, "name", "id") for _, _, attr in VIRTUALIZATION_FIELDS}
SORTS: dict[str, tuple[str, ...]] = {
    "name": ("name", "id"),
    **_VIRTUALIZATION_SORTS,
    "connector": ("connector__name", "name", "id"),
    "state": ("state", "name", "id"),
}
DEFAULT_SORT = "name"


def _clean(value: str | None) -> str:
    # NUL cannot reach PostgreSQL; long values are no real filter.
    return (value or "").replace("\x00", "").strip()[:MAX_QUERY_LENGTH]


@dataclass(frozen=True)
class DeviceQuery:
    q: str = ""
    filters: dict[str, str] = field(default_factory=dict)  # facet key -> value, only the ones set
    status: str = DEFAULT_STATUS
    sort: str = DEFAULT_SORT  # a key of SORTS, with "-" in front when descending

    @property
    def is_filtered(self) -> bool:
        return bool(self.q or self.filters or self.status != DEFAULT_STATUS)

    def params(self, **overrides: str | None) -> dict[str, str]:
        """The query-string parameters of this view (defaults left out)."""
        params = {"q": self.q, **self.filters, "status": self.status, "sort": self.sort}
        params.update(overrides)
        if params.get("status") == DEFAULT_STATUS:
            params.pop("status")
        if params.get("sort") == DEFAULT_SORT:
            params.pop("sort")
        return {k: v for k, v in params.items() if v}


def device_query_parse(*, params: Mapping[str, str]) -> DeviceQuery:
    sort = _clean(params.get("sort"))
    if sort.removeprefix("-") not in SORTS:
        sort = DEFAULT_SORT
    filters = {key: _clean(params.get(key)) for key in (*FACET_KEYS, EXPORT_KEY, NAMES_KEY)}
    return DeviceQuery(
        q=_clean(params.get("q")),
        filters={k: v for k, v in filters.items() if v},
        status=_clean(params.get("status")) or DEFAULT_STATUS,
        sort=sort,
    )


def _facet_q(facet: Facet, value: str) -> Q:
    if facet.key == "connector":
        # An id that is not an ASCII number (str.isdigit() also accepts "²",
        # which int() refuses) or is past a 64-bit integer is no connector.
        is_id = value.isascii() and value.isdigit() and int(value) <= MAX_ID
        return Q(connector_id=int(value)) if is_id else Q(pk__in=[])
    if facet.yes_no:
        return Q(**{facet.attr: value == YES}) if value in (YES, NO) else Q(pk__in=[])
    return Q(**{facet.attr: "" if value == EMPTY_VALUE else value})


def _status_q(status: str) -> Q:
    return {
        "active": Q(removed_at__isnull=True),
        "removed": Q(removed_at__isnull=False),
        "all": Q(),
    }.get(status, Q(pk__in=[]))


def _search_q(q: str) -> Q:
    query = Q()
    for name in SEARCH_FIELDS:
        query |= Q(**{f"{name}__icontains": q})
    return query


def _filtered(query: DeviceQuery, *, skip: str | None = None) -> QuerySet[Device]:
    """Devices matching the view, leaving out one facet's own filter (for its counts)."""
    qs = Device.objects.all()
    if query.q:
        qs = qs.filter(_search_q(query.q))
    for facet in FACETS:
        if facet.key != skip and facet.key in query.filters:
            qs = qs.filter(_facet_q(facet, query.filters[facet.key]))
    if skip != "status":
        qs = qs.filter(_status_q(query.status))
    if skip != EXPORT_KEY and EXPORT_KEY in query.filters:
        qs = _export_filtered(qs, query.filters[EXPORT_KEY])
    if skip != NAMES_KEY and NAMES_KEY in query.filters:
        if query.filters[NAMES_KEY] == DUPLICATE:
            qs = exportable.candidates(qs).filter(exportable.duplicate_q())
        else:
            qs = qs.none()
    return qs


def _export_filtered(qs: QuerySet[Device], value: str) -> QuerySet[Device]:
    if value == EXPORTED:
        return exportable.exported(qs)
    if value == NOT_EXPORTED:
        return exportable.not_exported(qs)
    if value in exportable.REASONS:
        return qs.alias(export_exclusion=exportable.exclusion_case()).filter(export_exclusion=value)
    return qs.none()  # an unknown value matches nothing, as for the facets


def device_list(*, query: DeviceQuery) -> QuerySet[Device]:
    """The devices of the view, sorted, with their connector joined."""
    descending = query.sort.startswith("-")
    ordering = SORTS[query.sort.removeprefix("-")]
    if descending:
        ordering = tuple(f"-{column}" for column in ordering)
    return _filtered(query).select_related("connector").order_by(*ordering)


@dataclass
class FacetOption:
    value: str
    label: str
    count: int
    selected: bool


@dataclass
class FacetCounts:
    key: str
    label: str
    options: list[FacetOption]
    selected: str = ""


def _facet_counts(query: DeviceQuery, facet: Facet) -> FacetCounts:
    columns = ("connector_id", "connector__name") if facet.key == "connector" else (facet.attr,)
    rows = (
        _filtered(query, skip=facet.key)
        .order_by()
        .values(*columns)
        .annotate(n=Count("id"))
        .order_by("-n", *columns)[:FACET_LIMIT]
    )
    selected = query.filters.get(facet.key, "")
    options = []
    for row in rows:
        raw = row[columns[0]]
        value = str(raw) if raw != "" else EMPTY_VALUE
        label = row[columns[-1]] if raw != "" else "(blank)"
        if facet.yes_no:
            value, label = (YES, facet.yes_no[0]) if raw else (NO, facet.yes_no[1])
        options.append(FacetOption(value, label, row["n"], value == selected))
    if selected and not any(o.selected for o in options):
        # A value from an old bookmark, or one past the listed values: still shown, with its count.
        count = _filtered(query).count() if len(options) >= FACET_LIMIT else 0
        options.append(FacetOption(selected, selected, count, True))
    return FacetCounts(facet.key, facet.label, options, selected)


def _export_counts(query: DeviceQuery) -> list[FacetCounts]:
    """The Enrichment export facet (exported, not exported, and each reason)
    and the duplicate-names facet, each on the view without its own filter."""
    rows = (
        _filtered(query, skip=EXPORT_KEY)
        .order_by()
        .annotate(export_exclusion=exportable.exclusion_case())
        .values("export_exclusion")
        .annotate(n=Count("id"))
    )
    counts = {row["export_exclusion"]: row["n"] for row in rows}
    exported = counts.pop("", 0)
    selected = query.filters.get(EXPORT_KEY, "")
    options = [
        (EXPORTED, "Exported", exported),
        (NOT_EXPORTED, "Not exported", sum(counts.values())),
    ] + [
        (key, f"Not exported: {label}", counts.get(key, 0))
        for key, (label, _) in exportable.REASONS.items()
    ]
    duplicates = (
        exportable.candidates(_filtered(query, skip=NAMES_KEY))
        .filter(exportable.duplicate_q())
        .count()
    )
    names_selected = query.filters.get(NAMES_KEY, "")
    return [
        FacetCounts(
            EXPORT_KEY,
            "Enrichment export",
            [FacetOption(v, label, n, v == selected) for v, label, n in options],
            selected,
        ),
        FacetCounts(
            NAMES_KEY,
            "Names",
            [FacetOption(DUPLICATE, "Duplicate names", duplicates, names_selected == DUPLICATE)],
            names_selected,
        ),
    ]


def _status_counts(query: DeviceQuery) -> FacetCounts:
    counts = _filtered(query, skip="status").aggregate(
        active=Count("id", filter=Q(removed_at__isnull=True)),
        removed=Count("id", filter=Q(removed_at__isnull=False)),
    )
    counts["all"] = counts["active"] + counts["removed"]
    options = [
        FacetOption(value, label, counts[value], value == query.status) for value, label in STATUSES
    ]
    return FacetCounts("status", "Status", options, query.status)


@dataclass
class DeviceFacets:
    facets: list[FacetCounts]
    status: FacetCounts
    total: int  # devices matching the whole view


def device_facets(*, query: DeviceQuery) -> DeviceFacets:
    """Each facet's counts, on the view without that facet's own filter.
    The status counts also give the view's total, so no COUNT is needed.
    Cached until the devices change (connectors/devices/cache.py)."""

    def compute() -> DeviceFacets:
        facets = [_facet_counts(query, facet) for facet in FACETS] + _export_counts(query)
        status = _status_counts(query)
        total = next((o.count for o in status.options if o.selected), 0)
        return DeviceFacets(facets=facets, status=status, total=total)

    key = "&".join(f"{k}={v}" for k, v in sorted(query.params(sort=None).items()))
    return cached_counts("facets", key, compute)


class _CountedPaginator(Paginator):
    """A paginator told its count, so it never runs a COUNT of its own."""

    def __init__(self, object_list, per_page: int, *, count: int) -> None:
        super().__init__(object_list, per_page)
        self.count = count  # overrides the cached property


def device_page(
    *, query: DeviceQuery, page: str | None, total: int, per_page: int = PAGE_SIZE
) -> Page:
    """One page of the view. A page number that is not one gives the first
    page, one past the end the last page. Each device says whether the
    Enrichment export leaves it out, and whether another device has its name."""
    devices = exportable.with_export_status(device_list(query=query))
    paginator = _CountedPaginator(devices, per_page, count=total)
    return paginator.get_page(page)


def device_any_exists() -> bool:
    return Device.objects.exists()


def device_detail(*, pk: int) -> Device:
    """The device, with `export_exclusion` (why the Enrichment export leaves it out, or "")."""
    return (
        Device.objects.select_related("connector", "last_seen_run")
        .annotate(export_exclusion=exportable.exclusion_case())
        .get(pk=pk)
    )


def device_history(*, device: Device, page: str | None, per_page: int = HISTORY_PAGE_SIZE) -> Page:
    changes = (
        DeviceChange.objects.filter(device=device)
        .select_related("run")
        .order_by("-changed_at", "-id")
    )
    return Paginator(changes, per_page).get_page(page)
