"""Enriched device records and their history of field changes (drift)."""

from django.db import models
from django.db.models.functions import Lower, Upper
from django.urls import reverse

from ..choices import WORKSPACE_PROBLEM_STATES, PoolType

# UI label, NQL field name and model attribute of the ten virtualization fields.
VIRTUALIZATION_FIELDS: tuple[tuple[str, str, str], ...] = (
    ("Virtualization desktop pool name", "virtualization.desktop_pool", "desktop_pool"),
    ("Virtualization desktop pool type", "virtualization.type", "pool_type"),
    ("Virtualization hostname", "virtualization.hostname", "hostname"),
    ("Virtualization hypervisor name", "virtualization.hypervisor_name", "hypervisor_name"),
    ("Environment name", "virtualization.environment_name", "environment_name"),
    ("Desktop broker", "virtualization.desktop_broker", "desktop_broker"),
    ("Disk image", "virtualization.disk_image", "disk_image"),
    ("Instance size", "virtualization.instance_size", "instance_size"),
    ("Region", "virtualization.region", "region"),
    ("Last update", "virtualization.last_update", "last_update"),
)
# The fields whose changes are drift: the virtualization fields (last_update
# changes on every run) and the WorkSpace's own configuration. The bundle's
# current image (image_id, bundle_image) is not drift of the WorkSpace: AWS
# does not change a WorkSpace when its bundle's image changes (disk_image, the
# image the WorkSpace runs, changes when it is seen rebuilt or moved).
TRACKED_FIELDS = (
    *(attr for _, _, attr in VIRTUALIZATION_FIELDS if attr != "last_update"),
    "running_mode",
    "operating_system_name",
    "protocols",
    "root_volume_size_gib",
    "user_volume_size_gib",
)
SOURCE_FIELDS = (
    "workspace_id",
    "session_id",
    "pool_id",
    "bundle_id",
    "image_id",
    "directory_id",
    "user_name",
    "state",
    "ip_address",
    "running_mode",
)
# What else AWS tells about a WorkSpace, its bundle and its image (issue 19):
# stored, shown on the device page, some of them filters of the Devices page.
RECORD_DETAIL_FIELDS = (
    "workspace_name",
    "error_code",
    "error_message",
    "modification_states",
    "operating_system_name",
    "protocols",
    "root_volume_size_gib",
    "user_volume_size_gib",
    "auto_stop_timeout_minutes",
    "root_volume_encrypted",
    "user_volume_encrypted",
    "subnet_id",
    "standby_workspaces",
    "running_image_id",
    "bundle_image",
    "image_behind_bundle",
    "bundle_updated_at",
    "image_created_at",
    "image_owner_account_id",
    "image_update_available",
)

# Columns NQL filters most, indexed as UPPER(column) (nql/tables.py: upper_indexed).
NQL_UPPER_INDEXED = (
    "region",
    "instance_size",
    "environment_name",
    "disk_image",
    "desktop_pool",
    "desktop_broker",
    "state",
)


class Device(models.Model):
    connector = models.ForeignKey(
        "connectors.InboundConnector", on_delete=models.CASCADE, related_name="devices"
    )
    source_id = models.CharField(
        max_length=128,
        help_text="WorkspaceId for personal WorkSpaces, SessionId for pool sessions.",
    )
    name = models.CharField(
        max_length=255,
        help_text="device.name: the ComputerName, or the InstanceId of a pool session.",
    )

    desktop_pool = models.CharField("Virtualization desktop pool name", max_length=255, blank=True)
    pool_type = models.CharField(
        "Virtualization desktop pool type", max_length=16, choices=PoolType.choices
    )
    hostname = models.CharField("Virtualization hostname", max_length=64, default="AWS host")
    hypervisor_name = models.CharField(
        "Virtualization hypervisor name", max_length=64, default="AWS hypervisor"
    )
    environment_name = models.CharField("Environment name", max_length=100)
    desktop_broker = models.CharField("Desktop broker", max_length=64, default="aws_workspaces")
    disk_image = models.CharField("Disk image", max_length=255, blank=True)
    instance_size = models.CharField("Instance size", max_length=64, blank=True)
    region = models.CharField("Region", max_length=32)
    last_update = models.DateTimeField(
        "Last update", help_text="When a successful run last wrote or confirmed these values."
    )

    workspace_id = models.CharField(max_length=64, blank=True)
    session_id = models.CharField(max_length=64, blank=True)
    pool_id = models.CharField(max_length=64, blank=True)
    bundle_id = models.CharField(max_length=64, blank=True)
    image_id = models.CharField(max_length=64, blank=True)
    directory_id = models.CharField(max_length=64, blank=True)
    user_name = models.CharField(max_length=255, blank=True)
    state = models.CharField(max_length=32, blank=True)
    ip_address = models.CharField("IP address", max_length=64, blank=True)
    running_mode = models.CharField(max_length=32, blank=True)

    workspace_name = models.CharField(
        max_length=255, blank=True, help_text="WorkspaceName: the name given at creation, if any."
    )
    error_code = models.CharField(
        max_length=128, blank=True, help_text="ErrorCode of a WorkSpace in ERROR or a failed one."
    )
    error_message = models.TextField(blank=True, help_text="ErrorMessage beside the ErrorCode.")
    modification_states = models.CharField(
        max_length=255,
        blank=True,
        help_text="ModificationStates: resource and state of each modification under way,"
        " such as 'COMPUTE_TYPE UPDATE_IN_PROGRESS'.",
    )
    operating_system_name = models.CharField(
        "Operating system",
        max_length=32,
        blank=True,
        help_text="WorkspaceProperties.OperatingSystemName.",
    )
    protocols = models.CharField(
        max_length=64, blank=True, help_text="WorkspaceProperties.Protocols, comma-separated."
    )
    root_volume_size_gib = models.PositiveIntegerField("Root volume (GiB)", null=True, blank=True)
    user_volume_size_gib = models.PositiveIntegerField("User volume (GiB)", null=True, blank=True)
    auto_stop_timeout_minutes = models.PositiveIntegerField(
        "Auto stop after (minutes)",
        null=True,
        blank=True,
        help_text="WorkspaceProperties.RunningModeAutoStopTimeoutInMinutes.",
    )
    root_volume_encrypted = models.BooleanField("Root volume encrypted", null=True, blank=True)
    user_volume_encrypted = models.BooleanField("User volume encrypted", null=True, blank=True)
    subnet_id = models.CharField("Subnet ID", max_length=64, blank=True)
    standby_workspaces = models.CharField(
        "Related WorkSpaces",
        max_length=255,
        blank=True,
        help_text="RelatedWorkspaces (standby and primary), as 'id TYPE region STATE'.",
    )
    running_image_id = models.CharField(
        "Running image ID",
        max_length=64,
        blank=True,
        help_text="The image the WorkSpace was last known to run: its bundle's image when first"
        " seen, rebuilt or moved to another bundle. image_id is the bundle's current image.",
    )
    bundle_image = models.CharField(
        "Bundle's current image",
        max_length=255,
        blank=True,
        help_text="The name of the image the bundle points at now (its id where not visible).",
    )
    image_behind_bundle = models.BooleanField(
        "Runs an image older than its bundle's",
        default=False,
        help_text="The running image differs from the bundle's current image: rebuild to update.",
    )
    bundle_updated_at = models.DateTimeField(
        "Bundle last updated", null=True, blank=True, help_text="The bundle's LastUpdatedTime."
    )
    image_created_at = models.DateTimeField(
        "Image created", null=True, blank=True, help_text="Created, of the bundle's image."
    )
    image_owner_account_id = models.CharField(
        "Image owner account",
        max_length=32,
        blank=True,
        help_text="OwnerAccountId of the bundle's image ('AMAZON' for an AWS-owned bundle).",
    )
    image_update_available = models.BooleanField(
        "Image update available",
        null=True,
        blank=True,
        help_text="Updates.UpdateAvailable of the bundle's image.",
    )

    first_seen_at = models.DateTimeField(auto_now_add=True)
    last_seen_run = models.ForeignKey(
        "connectors.Run", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    removed_at = models.DateTimeField(
        null=True, blank=True, help_text="When a complete run stopped seeing the device."
    )

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["connector", "source_id"], name="device_unique_source_per_connector"
            )
        ]
        indexes = [
            models.Index(fields=["name", "id"]),
            # The default view (active devices by name) reads this in order, at any fleet size.
            models.Index(
                fields=["name", "id"],
                condition=models.Q(removed_at__isnull=True),
                name="device_active_by_name",
            ),
            models.Index(fields=["region", "name"]),
            models.Index(fields=["environment_name", "name"]),
            models.Index(fields=["pool_type", "name"]),
            models.Index(fields=["instance_size", "name"]),
            models.Index(fields=["disk_image", "name"]),
            models.Index(fields=["desktop_pool", "name"]),
            models.Index(fields=["state", "name"]),
            # The Health page's problem WorkSpaces (insight/health_selectors.py): a few
            # percent of a fleet, read without a scan. The query must repeat the
            # condition with literal values (SQLite ignores a partial index for `IN (?)`).
            # removed_at too, so that their counts per state read the index alone.
            models.Index(
                fields=["state", "workspace_id", "removed_at"],
                condition=models.Q(state__in=WORKSPACE_PROBLEM_STATES, removed_at__isnull=True),
                name="device_problem_state",
            ),
            models.Index(fields=["last_update"]),
            # The Drift page's bundles whose image changed (insight/drift_selectors.py)
            # read each change's bundle from this narrow index, not the device's wide row.
            models.Index(fields=["id", "bundle_id"], name="device_id_bundle"),
            # Likely unused (insight's usage_selectors.unused_page) counts up to 1,000
            # AUTO_STOP WorkSpaces from this narrow index, not from their wide rows.
            models.Index(
                fields=["id", "running_mode", "workspace_id", "removed_at"],
                name="device_id_running_mode",
            ),
            # WorkSpaces with a modification under way (insight's Health page).
            models.Index(
                fields=["modification_states"],
                condition=models.Q(removed_at__isnull=True),
                name="device_active_modification",
            ),
            # Stale devices per connector (insight's Health page), counted up to a cap.
            models.Index(
                fields=["connector", "last_update"],
                condition=models.Q(removed_at__isnull=True),
                name="device_active_connector_update",
            ),
            models.Index(fields=["removed_at"]),
            # The Devices page filters and sorts on every column (connectors/devices/selectors.py).
            # No index on user_name: it is only searched with icontains, which no B-tree serves.
            models.Index(fields=["connector", "name"]),
            models.Index(fields=["desktop_broker", "name"]),
            models.Index(fields=["hostname", "name"]),
            models.Index(fields=["hypervisor_name", "name"]),
            models.Index(fields=["error_code", "name"]),
            models.Index(fields=["operating_system_name", "name"]),
            models.Index(fields=["protocols", "name"]),
            models.Index(fields=["image_behind_bundle", "name"]),
            # Duplicate names (connectors/devices/exportable.py): hostnames compare without case.
            models.Index(Lower("name"), name="device_name_lower"),
            # NQL's `==` is case-insensitive: nql/compiler.py compiles it on these columns to
            # UPPER(col) = UPPER(value), which these serve in name order. Not partial: PostgreSQL
            # estimates from a partial index's expression statistics not at all (it then guessed
            # 0.5% for a value on 15% of devices and sorted them all instead of reading in order).
            *(
                models.Index(Upper(column), "name", "id", name=f"device_nql_upper_{column}"[:30])
                for column in NQL_UPPER_INDEXED
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("devices:detail", args=[self.pk])


class DeviceChange(models.Model):
    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="changes")
    run = models.ForeignKey(
        "connectors.Run", null=True, on_delete=models.SET_NULL, related_name="device_changes"
    )
    field = models.CharField(
        max_length=64, help_text="The model attribute of the virtualization field."
    )
    old_value = models.CharField(max_length=255, blank=True)
    new_value = models.CharField(max_length=255, blank=True)
    changed_at = models.DateTimeField()

    class Meta:
        ordering = ["-changed_at", "-id"]
        indexes = [
            models.Index(fields=["device", "-changed_at"]),
            # Fleet-wide changes, newest first (insight's Drift pages).
            models.Index(fields=["changed_at"], name="devicechange_changed_at"),
        ]

    def __str__(self) -> str:
        return f"{self.field}: {self.old_value} -> {self.new_value}"
