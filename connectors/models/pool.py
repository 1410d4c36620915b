"""WorkSpaces Pools and their sessions (issue 19, point 5).

A pool is the stable thing: its name, bundle, directory, running mode,
timeouts, errors and capacity (CapacityStatus), refreshed by every run. Its
sessions come and go: each one is a row of the pool's history, ended when a
complete run no longer sees it. Pool sessions are not devices: AWS gives them
no hostname (only an EC2 InstanceId), so the platform could never match them
(docs/DEVICE_FIELDS.md)."""

from django.db import models
from django.urls import reverse

# Capacity attributes, in the order CapacityStatus lists them (insight/hooks.py reads these names).
CAPACITY_FIELDS: tuple[tuple[str, str], ...] = (
    ("available_user_sessions", "Available user sessions"),
    ("desired_user_sessions", "Desired user sessions"),
    ("actual_user_sessions", "Actual user sessions"),
    ("active_user_sessions", "Active user sessions"),
)


class Pool(models.Model):
    connector = models.ForeignKey(
        "connectors.InboundConnector", on_delete=models.CASCADE, related_name="pools"
    )
    pool_id = models.CharField("Pool ID", max_length=64)
    name = models.CharField(max_length=255, help_text="PoolName.")
    description = models.CharField(max_length=1024, blank=True)
    state = models.CharField(max_length=32, blank=True, help_text="CREATING, RUNNING, STOPPED...")
    bundle_id = models.CharField("Bundle ID", max_length=64, blank=True)
    directory_id = models.CharField("Directory ID", max_length=64, blank=True)
    running_mode = models.CharField(max_length=32, blank=True)
    created_in_aws = models.DateTimeField("Created in AWS", null=True, blank=True)

    disconnect_timeout_seconds = models.PositiveIntegerField(
        "Disconnect timeout (s)", null=True, blank=True
    )
    idle_disconnect_timeout_seconds = models.PositiveIntegerField(
        "Idle disconnect timeout (s)", null=True, blank=True
    )
    max_user_duration_seconds = models.PositiveIntegerField(
        "Maximum user duration (s)", null=True, blank=True
    )
    errors = models.JSONField(
        default=list, blank=True, help_text='The pool\'s Errors: [{"code": ..., "message": ...}].'
    )

    available_user_sessions = models.PositiveIntegerField(default=0)
    desired_user_sessions = models.PositiveIntegerField(default=0)
    actual_user_sessions = models.PositiveIntegerField(default=0)
    active_user_sessions = models.PositiveIntegerField(default=0)

    # From the pool's bundle, fetched like the WorkSpaces' bundles (blank: not known).
    image_id = models.CharField("Image ID", max_length=64, blank=True)
    disk_image = models.CharField(
        max_length=255, blank=True, help_text="The bundle's image name (its id where not visible)."
    )
    instance_size = models.CharField(
        max_length=64, blank=True, help_text="The bundle's compute type."
    )
    # The connector's parameters when the pool was last seen (as on devices).
    environment_name = models.CharField(max_length=100, blank=True)
    region = models.CharField(max_length=32, blank=True)

    first_seen_at = models.DateTimeField(auto_now_add=True)
    last_seen_run = models.ForeignKey(
        "connectors.Run", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_update = models.DateTimeField(help_text="When a run last wrote or confirmed the pool.")
    removed_at = models.DateTimeField(
        null=True, blank=True, help_text="When a complete run stopped seeing the pool."
    )

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["connector", "pool_id"], name="pool_unique_per_connector"
            )
        ]
        indexes = [
            models.Index(fields=["name", "id"]),
            models.Index(fields=["state", "name"]),
            models.Index(fields=["connector", "name"]),
            # Retention deletes removed pools by age (insight/retention.py).
            models.Index(
                fields=["removed_at"],
                name="pool_removed_at",
                condition=models.Q(removed_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.name or self.pool_id

    def get_absolute_url(self) -> str:
        return reverse("pools:detail", args=[self.pk])

    def virtualization_values(self) -> dict[str, object]:
        """The ten virtualization fields as they apply to the pool (by Device
        attribute): what a device of this pool would carry, had AWS a hostname
        to name it by (docs/DEVICE_FIELDS.md). Hostname, hypervisor and broker
        are the values every device of the connector carries."""
        from .device import Device

        def default(attr: str) -> str:
            return Device._meta.get_field(attr).default

        return {
            "desktop_pool": self.name,
            "pool_type": "pooled",
            "hostname": default("hostname"),
            "hypervisor_name": default("hypervisor_name"),
            "environment_name": self.environment_name,
            "desktop_broker": default("desktop_broker"),
            "disk_image": self.disk_image,
            "instance_size": self.instance_size,
            "region": self.region,
            "last_update": self.last_update,
        }


class PoolSession(models.Model):
    pool = models.ForeignKey(Pool, on_delete=models.CASCADE, related_name="sessions")
    session_id = models.CharField("Session ID", max_length=64)
    user_id = models.CharField("User", max_length=255, blank=True)
    instance_id = models.CharField("Instance ID", max_length=64, blank=True)
    ip_address = models.CharField("IP address", max_length=64, blank=True)
    authentication_type = models.CharField(max_length=16, blank=True)
    connection_state = models.CharField(
        max_length=32, blank=True, help_text="CONNECTED or NOT_CONNECTED (not a WorkSpace state)."
    )
    session_start = models.DateTimeField(null=True, blank=True)
    expiration_time = models.DateTimeField(null=True, blank=True)

    first_seen_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()
    last_seen_run = models.ForeignKey(
        "connectors.Run", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ended_at = models.DateTimeField(
        null=True, blank=True, help_text="When a complete run stopped seeing the session."
    )

    class Meta:
        ordering = ["-session_start", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["pool", "session_id"], name="pool_session_unique_per_pool"
            )
        ]
        indexes = [
            models.Index(fields=["pool", "ended_at"]),
            models.Index(fields=["pool", "-session_start"]),
            # Retention deletes ended sessions by age across every pool (insight/retention.py).
            models.Index(
                fields=["ended_at"],
                name="poolsession_ended_at",
                condition=models.Q(ended_at__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return self.session_id
