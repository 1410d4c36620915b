"""The seams to data other work adds to the connectors app (issue 19: error
codes, modification states, operating system, protocols, volume sizes, the
bundle's current image, pools with capacity). Every view reads those facts
through these functions only: where the field or model does not exist yet,
they say so (None / empty) and the page shows "not collected yet" instead.

To wire a new fact: name its Device attribute (or Pool model and attributes)
below; nothing else in insight/ changes."""

from __future__ import annotations

from functools import cache

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Count, Q

# Device attributes issue 19 adds (None: not on the Device model yet).
ERROR_CODE_FIELD = "error_code"
ERROR_MESSAGE_FIELD = "error_message"
MODIFICATION_STATE_FIELD = "modification_states"
OPERATING_SYSTEM_FIELD = "operating_system_name"
PROTOCOLS_FIELD = "protocols"
ROOT_VOLUME_FIELD = "root_volume_size_gib"
USER_VOLUME_FIELD = "user_volume_size_gib"
# The image a WorkSpace runs, and the image its bundle points at now. Today
# `image_id` is the bundle's image (DescribeWorkspaceBundles); the Drift page
# counts WorkSpaces whose running image differs once both fields exist.
RUNNING_IMAGE_FIELD = "running_image_id"
BUNDLE_IMAGE_FIELD = "image_id"
# Pools as a model in the connectors app, and the names of their capacity attributes.
POOL_MODEL = "Pool"
POOL_CAPACITY_ATTRS = {
    "available": "available_user_sessions",
    "desired": "desired_user_sessions",
    "actual": "actual_user_sessions",
    "active": "active_user_sessions",
}
POOL_NAME_ATTR = "name"
POOL_STATE_ATTR = "state"
POOL_REMOVED_ATTR = "removed_at"  # a pool a complete run no longer saw
POOL_ERRORS_ATTR = "errors"  # the pool's Errors (AWS has no ERROR state for pools)
POOL_IMAGE_ATTR = "disk_image"  # the image the pool's bundle runs
# The pool's sessions (a reverse relation) and the attribute set when one ended.
POOL_SESSIONS_RELATION = "sessions"
POOL_SESSION_ENDED_ATTR = "ended_at"

# Snapshot dimension -> Device attribute. Dimensions whose attribute does not
# exist on Device are left out of snapshots until it does.
SNAPSHOT_DIMENSIONS = {
    "state": "state",
    "compute_type": "instance_size",
    "running_mode": "running_mode",
    "image": "disk_image",
    "bundle": "bundle_id",
    "pool_type": "pool_type",
    "operating_system": OPERATING_SYSTEM_FIELD,
    "protocol": PROTOCOLS_FIELD,
}
# DeviceChange fields the drift timeline shows (those not tracked yet are skipped).
DRIFT_FIELDS = (
    "instance_size",
    "running_mode",
    "disk_image",
    "image_id",
    PROTOCOLS_FIELD,
    ROOT_VOLUME_FIELD,
    USER_VOLUME_FIELD,
)


@cache
def device_has(attr: str | None) -> bool:
    """Whether the Device model has this attribute (a concrete field)."""
    if not attr:
        return False
    try:
        apps.get_model("connectors", "Device")._meta.get_field(attr)
    except FieldDoesNotExist:
        return False
    return True


def device_attr(attr: str | None) -> str | None:
    """The attribute when it exists on Device, else None."""
    return attr if device_has(attr) else None


def snapshot_dimensions() -> dict[str, str]:
    return {dim: attr for dim, attr in SNAPSHOT_DIMENSIONS.items() if device_has(attr)}


def pool_model():
    """The connectors app's Pool model once it exists, else None."""
    try:
        return apps.get_model("connectors", POOL_MODEL)
    except LookupError:
        return None


def pools_capacity(*, connector_id: int) -> dict[str, dict[str, int]]:
    """Each current pool of the connector with its capacity and its current
    sessions (`sessions`), for the snapshot (one query), or {} while pools
    are not collected as their own model."""
    model = pool_model()
    if model is None:
        return {}
    names = [f.name for f in model._meta.get_fields()]
    wanted = [a for a in POOL_CAPACITY_ATTRS.values() if a in names]
    if "connector" not in names or not wanted:
        return {}
    extra = [a for a in (POOL_NAME_ATTR, POOL_STATE_ATTR, POOL_ERRORS_ATTR) if a in names]
    pools = model.objects.filter(connector_id=connector_id)
    if POOL_REMOVED_ATTR in names:
        pools = pools.filter(**{f"{POOL_REMOVED_ATTR}__isnull": True})
    annotations = {}
    if POOL_SESSIONS_RELATION in names:
        ended = f"{POOL_SESSIONS_RELATION}__{POOL_SESSION_ENDED_ATTR}__isnull"
        annotations["open_sessions"] = Count(POOL_SESSIONS_RELATION, filter=Q(**{ended: True}))
    out = {}
    for row in pools.order_by().annotate(**annotations).values("pk", *extra, *wanted, *annotations):
        label = str(row.get(POOL_NAME_ATTR) or row["pk"])
        out[label] = {
            key: int(row.get(attr) or 0) for key, attr in POOL_CAPACITY_ATTRS.items() if attr in row
        }
        if "open_sessions" in row:
            out[label]["sessions"] = row["open_sessions"]
        if POOL_STATE_ATTR in row:
            out[label]["state"] = row[POOL_STATE_ATTR] or ""
        if row.get(POOL_ERRORS_ATTR):
            out[label]["errors"] = len(row[POOL_ERRORS_ATTR])
    return out


def pool_images(*, connector_id: int) -> dict[str, str]:
    """Each current pool of the connector with the image it runs (one query),
    or {} while pools and their image are not collected."""
    model = pool_model()
    if model is None:
        return {}
    names = [f.name for f in model._meta.get_fields()]
    if not {"connector", POOL_NAME_ATTR, POOL_IMAGE_ATTR} <= set(names):
        return {}
    pools = model.objects.filter(connector_id=connector_id)
    if POOL_REMOVED_ATTR in names:
        pools = pools.filter(**{f"{POOL_REMOVED_ATTR}__isnull": True})
    return dict(pools.order_by().values_list(POOL_NAME_ATTR, POOL_IMAGE_ATTR))
