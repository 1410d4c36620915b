"""The devices rollup: counts of active devices per value of the fields NQL
groups and filters by, kept like an OLAP aggregate table (built and read by
connectors/devices/rollup.py and nql/rollup.py; why it exists: docs/NQL.md).

It lives beside Device, not in the nql app, because the connectors app
rebuilds it (a task of its own on beat, connectors/tasks.py): the app that
writes devices must not import the app that reads them, and the rows cascade
with their connector like the devices they count.
"""

from django.db import models

# The rollup's dimensions: Device attributes of bounded cardinality (strings and
# enums with few values in a fleet; not names, ids of single devices, addresses
# or datetimes). Each is a column of DeviceRollup with the same name, so that
# the Q objects and expressions NQL compiles for Device apply to it unchanged.
ROLLUP_DIMENSIONS: tuple[str, ...] = (
    "connector",
    "region",
    "instance_size",
    "pool_type",
    "environment_name",
    "desktop_broker",
    "desktop_pool",
    "disk_image",
    "hostname",
    "hypervisor_name",
    "state",
    "running_mode",
    "bundle_id",
    "image_id",
    "directory_id",
    "pool_id",
)
CUBE = "*"  # the grouping key of the full cube (every dimension)


def grouping_key(dimensions) -> str:
    """The key of a grouping set: its dimensions in ROLLUP_DIMENSIONS order."""
    wanted = set(dimensions)
    if wanted == set(ROLLUP_DIMENSIONS):
        return CUBE
    return ",".join(d for d in ROLLUP_DIMENSIONS if d in wanted)


def _dim(max_length: int) -> models.CharField:
    # NULL: the dimension is not in the row's grouping set (a device's own value is never NULL).
    return models.CharField(max_length=max_length, null=True)


class DeviceRollup(models.Model):
    """One row: how many active devices (n) share these values of the dimensions
    in `grouping`; the other dimensions are NULL. Rows with n = 0 are not stored."""

    grouping = models.CharField(max_length=64)
    connector = models.ForeignKey(
        "connectors.InboundConnector", on_delete=models.CASCADE, null=True, related_name="+"
    )
    region = _dim(32)
    instance_size = _dim(64)
    pool_type = _dim(16)
    environment_name = _dim(100)
    desktop_broker = _dim(64)
    desktop_pool = _dim(255)
    disk_image = _dim(255)
    hostname = _dim(64)
    hypervisor_name = _dim(64)
    state = _dim(32)
    running_mode = _dim(32)
    bundle_id = _dim(64)
    image_id = _dim(64)
    directory_id = _dim(64)
    pool_id = _dim(64)
    n = models.IntegerField()

    class Meta:
        indexes = [models.Index(fields=["grouping"], name="device_rollup_grouping")]

    def __str__(self) -> str:
        return f"{self.grouping}: {self.n}"


class DeviceRollupBuild(models.Model):
    """The one row saying which devices the rollup counts: the devices' version
    (connectors/devices/cache.py) read before the build's GROUP BY. Its row lock
    also serializes rebuilds."""

    version = models.CharField(max_length=255, blank=True)
    built_at = models.DateTimeField(null=True)
    devices = models.IntegerField(default=0)
    rows = models.IntegerField(default=0)
    seconds = models.FloatField(default=0)
    # False when the full cube was not stored (too large to help): queries touching
    # three dimensions or more then scan the devices.
    has_cube = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"rollup of {self.devices} devices at {self.built_at}"
