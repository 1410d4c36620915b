"""Which devices the Enrichment export sends, and why it leaves the others out.

The platform identifies a device by `device/device/name`, its hostname. A
device is exported when the platform can match it and no other device claims
its name; everything here is computed from the stored data (no stored flag),
so it is right as soon as a run has written the devices:

- **no_hostname**: a pool session, named by its EC2 instance id (AWS gives no
  hostname for it through the five Describe actions). Such rows should no
  longer exist once pools are records of their own; old data is left out.
- **no_computer_name**: a WorkSpace with no ComputerName yet (PENDING, or a
  failed create), stored under its WorkSpace id (or no name at all).
- **removed**: AWS no longer returns the WorkSpace; its values are stale.
- **duplicate_name**: another active device has the same name (compared
  without case, as hostnames are) and is exported instead. The rule, one
  value per name whatever the view: the most recently updated device wins
  (`last_update`, when a successful run last wrote or confirmed it); a tie
  goes to the oldest connector (lowest id), then to the oldest device row.

One reason per device, in that order. Duplicates are looked for among the
devices that could be exported (active, with a matchable name), across
connectors and within one connector.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC

from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    Count,
    F,
    Func,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.functions import Lower, RowNumber

from ..models.device import Device

NO_HOSTNAME = "no_hostname"
NO_COMPUTER_NAME = "no_computer_name"
REMOVED = "removed"
DUPLICATE_NAME = "duplicate_name"

# reason -> (short label for badges and filters, the full reason)
REASONS: dict[str, tuple[str, str]] = {
    NO_HOSTNAME: (
        "No hostname",
        "A pool session is named by its EC2 instance id: AWS gives no hostname for it, "
        "so the platform cannot match it.",
    ),
    NO_COMPUTER_NAME: (
        "No ComputerName",
        "The WorkSpace has no ComputerName yet (pending, or a failed create): it is named "
        "by its WorkSpace id, which the platform cannot match.",
    ),
    REMOVED: (
        "Removed",
        "AWS no longer returns this WorkSpace: its values are stale.",
    ),
    DUPLICATE_NAME: (
        "Duplicate name",
        "Another active device has this name and is exported instead: the most recently "
        "updated one; a tie goes to the oldest connector, then to the oldest device.",
    ),
}
RANKING = ("-last_update", "connector_id", "id")  # the first device of a name is exported
DEDUPLICATION_RULE = REASONS[DUPLICATE_NAME][1].split(": ", 1)[1]


def unmatchable_q() -> Q:
    """Devices whose name the platform can never match (a pool session, or a
    WorkSpace named by its WorkSpace id or by nothing)."""
    return Q(pool_type="pooled") | _no_computer_name_q()


def _no_computer_name_q() -> Q:
    return Q(name="") | (Q(name=F("workspace_id")) & ~Q(workspace_id=""))


def candidates(devices: QuerySet[Device] | None = None) -> QuerySet[Device]:
    """The devices (all of them by default) that could be exported: active,
    with a matchable name. Duplicates are looked for among these."""
    devices = Device.objects.all() if devices is None else devices
    return devices.filter(removed_at__isnull=True).exclude(unmatchable_q())


def _per_name(expression, *, ordered: bool) -> QuerySet[Device]:
    """The exportable devices with `expression` computed over the exportable
    devices of their name (names compared without case), in RANKING order."""
    window = Window(
        expression,
        partition_by=Lower("name"),
        order_by=[F("last_update").desc(), F("connector_id").asc(), F("id").asc()]
        if ordered
        else None,
    )
    return candidates().annotate(in_name=window).filter(in_name__gt=1).values("pk")


class _InArray(Func):
    """PostgreSQL: `pk = ANY(ARRAY(subquery))`. The subquery runs once (an
    InitPlan), whatever the planner's row estimates: planned as `pk IN
    (subquery)`, a table not yet analyzed made PostgreSQL re-run the window
    once per device (minutes at 10,000 devices)."""

    arg_joiner = " = ANY(ARRAY"
    template = "%(expressions)s)"
    output_field = BooleanField()


def _pk_in(ids: QuerySet[Device]):
    """A condition: the device's id is one of `ids` (an uncorrelated subquery,
    computed once per query; SQLite plans `IN (subquery)` so by itself)."""
    if connection.vendor == "postgresql":
        return _InArray(F("pk"), Subquery(ids))
    return Q(pk__in=ids)


def duplicate_q():
    """An exportable device whose name another exportable device has."""
    return _pk_in(_per_name(Count("id"), ordered=False))


def outranked_q():
    """An exportable device that another of the same name wins over (RANKING)."""
    return _pk_in(_per_name(RowNumber(), ordered=True))


def exclusion_case() -> Case:
    """The reason a device is left out of the export, or "" when it is exported."""
    return Case(
        When(pool_type="pooled", then=Value(NO_HOSTNAME)),
        When(_no_computer_name_q(), then=Value(NO_COMPUTER_NAME)),
        When(removed_at__isnull=False, then=Value(REMOVED)),
        When(outranked_q(), then=Value(DUPLICATE_NAME)),
        default=Value(""),
    )


def with_export_status(devices: QuerySet[Device]) -> QuerySet[Device]:
    """The devices with `export_exclusion` (a key of REASONS, or "") and
    `has_duplicate_name` (another exportable device has the same name)."""
    return devices.annotate(
        export_exclusion=exclusion_case(),
        has_duplicate_name=Case(When(duplicate_q(), then=Value(True)), default=Value(False)),
    )


def exported(devices: QuerySet[Device]) -> QuerySet[Device]:
    """The devices of a view that the Enrichment export sends."""
    return candidates(devices).exclude(outranked_q())


def not_exported(devices: QuerySet[Device]) -> QuerySet[Device]:
    return devices.filter(Q(removed_at__isnull=False) | unmatchable_q() | Q(outranked_q()))


def device_export_status(*, device: Device) -> dict:
    """For the device page: why it is not exported (if it is not), and the
    other exportable devices with its name, the one exported first."""
    exclusion = getattr(device, "export_exclusion", None)
    if exclusion is None:
        exclusion = (
            Device.objects.filter(pk=device.pk)
            .annotate(export_exclusion=exclusion_case())
            .values_list("export_exclusion", flat=True)[0]
        )
    others = []
    if exclusion not in (NO_HOSTNAME, NO_COMPUTER_NAME):
        others = list(
            candidates()
            .annotate(name_key=Lower("name"), export_exclusion=exclusion_case())
            .filter(name_key=Lower(Value(device.name)))
            .exclude(pk=device.pk)
            .select_related("connector")
            .order_by(*RANKING)
        )
    return {
        "exclusion": exclusion,
        "label": REASONS[exclusion][0] if exclusion else "",
        "reason": REASONS[exclusion][1] if exclusion else "",
        "duplicates": others,
    }


@dataclass
class ExportSummary:
    """What an Enrichment export of a view holds and what it leaves out."""

    devices: int  # in the view
    exported: int
    excluded: dict[str, int]  # reason -> devices of the view left out for it (non-zero only)
    duplicate_names: int  # names of the view that more than one exportable device has
    deduplicated: list[dict] = field(default_factory=list)  # filled by export_summary(names=True)

    @property
    def excluded_total(self) -> int:
        return sum(self.excluded.values())

    def as_json(self) -> dict:
        return {
            "devices": self.devices,
            "exported": self.exported,
            "excluded": {
                "total": self.excluded_total,
                "reasons": [
                    {"reason": key, "label": REASONS[key][0], "why": REASONS[key][1], "count": n}
                    for key, n in self.excluded.items()
                ],
            },
            "duplicate_names": {
                "count": self.duplicate_names,
                "rule": DEDUPLICATION_RULE,
                "names": self.deduplicated,
            },
        }


_SUMMARY_FIELDS = (
    "id",
    "name",
    "source_id",
    "connector__nql_id",
    "environment_name",
    "last_update",
)


def export_summary(*, devices: QuerySet[Device], names: bool = False) -> ExportSummary:
    """Counts for the view `devices` (the export's headers); with `names`, each
    duplicate name of the view with the device chosen for it and the ones left out."""
    rows = (
        devices.order_by()
        .annotate(export_exclusion=exclusion_case())
        .values("export_exclusion")
        .annotate(n=Count("id"))
    )
    counts = {row["export_exclusion"]: row["n"] for row in rows}
    keys = (
        candidates(devices)
        .filter(duplicate_q())
        .annotate(name_key=Lower("name"))
        .values_list("name_key", flat=True)
        .distinct()
    )
    summary = ExportSummary(
        devices=sum(counts.values()),
        exported=counts.pop("", 0),
        excluded={key: counts[key] for key in REASONS if counts.get(key)},
        duplicate_names=0,
    )
    if not names:
        summary.duplicate_names = keys.order_by().count()
        return summary
    in_view = set(candidates(devices).values_list("id", flat=True).order_by())
    groups: dict[str, list[dict]] = {}
    members = (
        candidates()
        .annotate(name_key=Lower("name"))
        .filter(name_key__in=list(keys.order_by("name_key")))
        .order_by("name_key", *RANKING)
        .values("name_key", *_SUMMARY_FIELDS)
    )
    for member in members:
        groups.setdefault(member.pop("name_key"), []).append(_described(member, in_view))
    summary.deduplicated = [
        {"name": chosen["name"], "exported": chosen, "left_out": others, "why": DEDUPLICATION_RULE}
        for chosen, *others in groups.values()
    ]
    summary.duplicate_names = len(summary.deduplicated)
    return summary


def _described(member: dict, in_view: set[int]) -> dict:
    return {
        "name": member["name"],
        "device": member["id"],
        "source_id": member["source_id"],
        "connector": member["connector__nql_id"],
        "environment_name": member["environment_name"],
        "last_update": member["last_update"].astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "in_this_view": member["id"] in in_view,
    }
