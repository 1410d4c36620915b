"""The tables NQL can query. A table is one declaration: its model, its
fields by NQL name (ORM path and type), its time field and who may read it.

Adding a table is one `register(NqlTable(...))` here; the parser, compiler, field reference, API
scopes and OpenAPI description all read this registry.

Models are read through `connectors.models` only (the connectors app is
being reorganised; that import path is the stable one).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from difflib import get_close_matches

from django.db import models
from django.db.models import Q

STRING, ENUM, INT, FLOAT, DATETIME = "string", "enum", "int", "float", "datetime"
NUMERIC = (INT, FLOAT)


@dataclass(frozen=True)
class NqlField:
    name: str  # the NQL name, e.g. virtualization.region
    path: str  # the ORM lookup path, e.g. region or connector__nql_id
    type: str  # string, enum, int, float or datetime
    label: str
    help: str = ""
    enum: tuple[str, ...] = ()
    # True when the model has an index on UPPER(<column>) (connectors migration 0011): `==`
    # without wildcards then compiles to UPPER(col) = UPPER(value), which that index serves,
    # instead of iexact (LIKE on SQLite), which no index serves.
    upper_indexed: bool = False

    @property
    def groupable(self) -> bool:
        # The platform does not group by numbers or datetimes (use `by 1d` for time).
        return self.type in (STRING, ENUM)


@dataclass(frozen=True)
class NqlTable:
    name: str
    model: type[models.Model]
    fields: tuple[NqlField, ...]
    time_field: str  # NQL name of the datetime field that time selections filter
    permission: str  # the Django permission a console user needs to query it
    description: str
    default_list: tuple[str, ...]
    default_order: tuple[str, ...]  # ORM ordering of a list without sort (ends on a unique key)
    base_filter: Q = field(default_factory=Q)
    aliases: dict[str, str] = field(default_factory=dict)  # other accepted NQL names
    example: str = ""

    @property
    def scope(self) -> str:
        """The OAuth scope an API client needs to query this table."""
        return f"nql:{self.name}"

    def field(self, name: str) -> NqlField | None:
        name = self.aliases.get(name, name)
        return next((f for f in self.fields if f.name == name), None)

    def suggest(self, name: str) -> list[str]:
        return get_close_matches(name, [f.name for f in self.fields], n=3, cutoff=0.5)

    def queryset(self) -> models.QuerySet:
        return self.model._default_manager.filter(self.base_filter)


REGISTRY: dict[str, NqlTable] = {}


def register(table: NqlTable) -> NqlTable:
    if table.name in REGISTRY:
        raise ValueError(f"NQL table {table.name} is declared twice")
    if table.field(table.time_field) is None or table.field(table.time_field).type != DATETIME:
        raise ValueError(f"{table.name}: the time field must be a declared datetime field")
    REGISTRY[table.name] = table
    return table


def table_get(name: str) -> NqlTable | None:
    return tables().get(name.lower())


def table_suggest(name: str) -> list[str]:
    return get_close_matches(name.lower(), list(tables()), n=3, cutoff=0.4)


def _choices(model: type[models.Model], attr: str) -> tuple[str, ...]:
    return tuple(str(value) for value, _ in model._meta.get_field(attr).choices)


def _declare() -> None:
    from connectors.models import Device, Pool, PoolSession, Run

    string = STRING
    virtualization = (
        NqlField(
            "virtualization.desktop_pool",
            "desktop_pool",
            string,
            "Virtualization desktop pool name",
            "Pooled: the pool's name; personal: the bundle's name.",
            upper_indexed=True,
        ),
        NqlField(
            "virtualization.type",
            "pool_type",
            ENUM,
            "Virtualization desktop pool type",
            "Written bare: virtualization.type == pooled.",
            _choices(Device, "pool_type"),
        ),
        NqlField("virtualization.hostname", "hostname", string, "Virtualization hostname"),
        NqlField("virtualization.hypervisor_name", "hypervisor_name", string, "Hypervisor name"),
        NqlField(
            "virtualization.environment_name",
            "environment_name",
            string,
            "Environment name",
            "The connector's Environment name.",
            upper_indexed=True,
        ),
        NqlField(
            "virtualization.desktop_broker",
            "desktop_broker",
            string,
            "Desktop broker",
            upper_indexed=True,
        ),
        NqlField(
            "virtualization.disk_image", "disk_image", string, "Disk image", upper_indexed=True
        ),
        NqlField(
            "virtualization.instance_size",
            "instance_size",
            string,
            "Instance size",
            upper_indexed=True,
        ),
        NqlField("virtualization.region", "region", string, "Region", upper_indexed=True),
        NqlField(
            "virtualization.last_update",
            "last_update",
            DATETIME,
            "Last update",
            "When a successful run last wrote or confirmed the values.",
        ),
    )
    connector = (
        NqlField(
            "connector.nql_id",
            "connector__nql_id",
            string,
            "Connector NQL ID",
            "The NQL ID of the inbound connector that collected the record.",
        ),
        NqlField("connector.name", "connector__name", string, "Connector name"),
    )
    aws = (
        NqlField(
            "aws.source_id", "source_id", string, "Source ID", "WorkspaceId or pool SessionId."
        ),
        NqlField("aws.workspace_id", "workspace_id", string, "WorkSpace ID"),
        NqlField("aws.session_id", "session_id", string, "Pool session ID"),
        NqlField("aws.pool_id", "pool_id", string, "Pool ID"),
        NqlField("aws.bundle_id", "bundle_id", string, "Bundle ID"),
        NqlField("aws.image_id", "image_id", string, "Image ID"),
        NqlField("aws.directory_id", "directory_id", string, "Directory ID"),
        NqlField("aws.user_name", "user_name", string, "User"),
        NqlField(
            "aws.state",
            "state",
            string,
            "State",
            "AVAILABLE, STOPPED, ERROR...",
            upper_indexed=True,
        ),
        NqlField("aws.ip_address", "ip_address", string, "IP address"),
        NqlField("aws.running_mode", "running_mode", string, "Running mode"),
        NqlField(
            "aws.first_seen",
            "first_seen_at",
            DATETIME,
            "First seen",
            "When a run first stored the device.",
        ),
    )
    register(
        NqlTable(
            name="devices",
            model=Device,
            fields=(
                NqlField("name", "name", string, "Name", "The WorkSpace's ComputerName."),
                *virtualization,
                *connector,
                *aws,
            ),
            time_field="virtualization.last_update",
            permission="connectors.view_device",
            description=(
                "The enriched devices the connectors collected: one per personal WorkSpace (pool "
                "sessions are in pool.sessions). Removed devices are not in the table (as on the "
                "Devices page's default view). Time selections filter on "
                "virtualization.last_update."
            ),
            default_list=("name", *(f.name for f in virtualization)),
            default_order=("name", "id"),
            base_filter=Q(removed_at__isnull=True),
            aliases={"device.name": "name"},
            example='devices | where virtualization.region == "eu-west-1" | list name',
        )
    )
    run_int = (
        ("devices_seen", "seen", "Devices and pool sessions seen"),
        ("devices_created", "created", "Devices and pool sessions created"),
        ("devices_updated", "updated", "Devices updated (and pool sessions back)"),
        ("devices_unchanged", "unchanged", "Devices and pool sessions unchanged"),
        ("devices_removed", "removed", "Devices removed and pool sessions ended"),
        ("pages_fetched", "pages_fetched", "Pages fetched"),
        ("throttled", "throttled", "Throttled calls"),
    )
    register(
        NqlTable(
            name="connector.runs",
            model=Run,
            fields=(
                *connector,
                NqlField("time", "created_at", DATETIME, "Queued at", "When the run was queued."),
                NqlField("start_time", "started_at", DATETIME, "Started at"),
                NqlField("end_time", "finished_at", DATETIME, "Finished at"),
                NqlField("status", "status", ENUM, "Status", "", _choices(Run, "status")),
                NqlField("trigger", "trigger", ENUM, "Trigger", "", _choices(Run, "trigger")),
                *(NqlField(name, path, INT, label) for name, path, label in run_int),
                NqlField("error_code", "error_code", string, "Error code"),
                NqlField("error_message", "error_message", string, "Error message"),
                NqlField("worker", "worker", string, "Worker"),
            ),
            time_field="time",
            permission="connectors.view_inboundconnector",
            description=(
                "The inbound connectors' runs, selected by their connector's NQL ID. Time "
                "selections filter on time (when the run was queued)."
            ),
            default_list=(
                "connector.nql_id",
                "time",
                "status",
                "trigger",
                "devices_seen",
                "devices_created",
                "devices_updated",
                "devices_removed",
                "error_code",
            ),
            default_order=("-created_at", "-id"),
            example=(
                'connector.runs during past 7d | where connector.nql_id == "aws_prod_eu" '
                "| list time, status, devices_seen"
            ),
        )
    )
    from .pool_tables import declare_pools

    declare_pools(Pool, PoolSession, connector)


_declared = False


def tables() -> dict[str, NqlTable]:
    global _declared
    if not _declared:
        _declared = True
        _declare()
    return REGISTRY
