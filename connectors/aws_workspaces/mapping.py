"""AWS WorkSpaces API records -> device records (the ten virtualization fields
of connectors/models/device.py).

A personal WorkSpace is one device named by its ComputerName. Pools and their
sessions are not devices (pool_mapping.py, docs/DEVICE_FIELDS.md). A value of
None means "not known in this run" (an auxiliary call failed): storage keeps
what the device had.

The image a WorkSpace runs is not in any response: AWS does not change a
WorkSpace when its bundle's image changes, it keeps its image until rebuilt.
So the collector records the bundle's current image (image_id, bundle_image)
and `reconcile` (called by storage with the stored device) keeps the image the
WorkSpace was last known to run (running_image_id, and disk_image, its name):
the bundle's image when the WorkSpace is first seen, seen REBUILDING or moved
to another bundle; unchanged otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime

HOSTNAME = "AWS host"
HYPERVISOR = "AWS hypervisor"
BROKER = "aws_workspaces"


@dataclass(slots=True)
class DeviceRecord:
    source_id: str
    name: str
    pool_type: str
    desktop_pool: str | None
    disk_image: str | None
    instance_size: str | None
    workspace_id: str = ""
    session_id: str = ""
    pool_id: str = ""
    bundle_id: str = ""
    image_id: str | None = ""
    directory_id: str = ""
    user_name: str = ""
    state: str = ""
    ip_address: str = ""
    running_mode: str = ""
    # The WorkSpace's own record (issue 19); "" / None when AWS does not say.
    workspace_name: str = ""
    error_code: str = ""
    error_message: str = ""
    modification_states: str = ""
    operating_system_name: str = ""
    protocols: str = ""
    root_volume_size_gib: int | None = None
    user_volume_size_gib: int | None = None
    auto_stop_timeout_minutes: int | None = None
    root_volume_encrypted: bool | None = None
    user_volume_encrypted: bool | None = None
    subnet_id: str = ""
    standby_workspaces: str = ""
    # The bundle and its current image (None: not known in this run).
    bundle_image: str | None = None
    bundle_updated_at: datetime | None = None
    image_created_at: datetime | None = None
    image_owner_account_id: str | None = None
    image_update_available: bool | None = None
    # The image the WorkSpace runs: set here only when it is seen rebuilding;
    # otherwise `reconcile` decides from the stored device.
    running_image_id: str | None = None
    image_behind_bundle: bool | None = None


RECORD_FIELDS = tuple(f.name for f in fields(DeviceRecord) if f.name != "source_id")


def stored_values(record: DeviceRecord, *, environment_name: str, region: str) -> dict:
    """A record as the device row stores it: its own fields plus the ones
    every AWS WorkSpaces device shares and the connector's parameters."""
    values = {name: getattr(record, name) for name in RECORD_FIELDS}
    values.update(
        environment_name=environment_name,
        region=region,
        hostname=HOSTNAME,
        hypervisor_name=HYPERVISOR,
        desktop_broker=BROKER,
    )
    return values


def image_label(image_id: str | None, image: dict | None, bundle: dict | None = None) -> str | None:
    """The image's name. An AWS-owned bundle's image is never visible to the
    customer's account: the bundle's name says what it is (its operating
    system), and the id stays beside it in image_id. Any other image that is
    not visible: its id."""
    if image:
        return image.get("Name") or image_id
    if bundle and is_aws_owned(bundle) and bundle.get("Name"):
        return f"{bundle['Name']} (AWS image)"
    return image_id or None


def is_aws_owned(bundle: dict) -> bool:
    return str(bundle.get("Owner", "")).upper() == "AMAZON"


def _modifications(ws: dict) -> str:
    return ", ".join(
        f"{m.get('Resource', '?')} {m.get('State', '?')}"
        for m in ws.get("ModificationStates") or ()
    )


def _related(ws: dict) -> str:
    return ", ".join(
        " ".join(
            v for v in (r.get("WorkspaceId"), r.get("Type"), r.get("Region"), r.get("State")) if v
        )
        for r in ws.get("RelatedWorkspaces") or ()
    )


def _int(value) -> int | None:
    return int(value) if isinstance(value, int | float) and value >= 0 else None


def _bool(value) -> bool | None:
    return value if isinstance(value, bool) else None


def personal_base(ws: dict) -> DeviceRecord:
    """What the WorkSpace itself tells; the bundle and image come later."""
    props = ws.get("WorkspaceProperties", {})
    return DeviceRecord(
        source_id=ws["WorkspaceId"],
        name=ws.get("ComputerName") or ws["WorkspaceId"],
        pool_type="personal",
        desktop_pool=None,
        disk_image=None,
        instance_size=props.get("ComputeTypeName") or None,
        workspace_id=ws["WorkspaceId"],
        bundle_id=ws.get("BundleId", ""),
        directory_id=ws.get("DirectoryId", ""),
        user_name=ws.get("UserName", ""),
        state=ws.get("State", ""),
        ip_address=ws.get("IpAddress", ""),
        running_mode=props.get("RunningMode", ""),
        workspace_name=ws.get("WorkspaceName", "") or "",
        error_code=ws.get("ErrorCode", "") or "",
        error_message=ws.get("ErrorMessage", "") or "",
        modification_states=_modifications(ws),
        operating_system_name=props.get("OperatingSystemName", "") or "",
        protocols=", ".join(sorted(props.get("Protocols") or ())),
        root_volume_size_gib=_int(props.get("RootVolumeSizeGib")),
        user_volume_size_gib=_int(props.get("UserVolumeSizeGib")),
        auto_stop_timeout_minutes=_int(props.get("RunningModeAutoStopTimeoutInMinutes")),
        root_volume_encrypted=_bool(ws.get("RootVolumeEncryptionEnabled")),
        user_volume_encrypted=_bool(ws.get("UserVolumeEncryptionEnabled")),
        subnet_id=ws.get("SubnetId", "") or "",
        standby_workspaces=_related(ws),
    )


def complete(record: DeviceRecord, bundle: dict | None, image: dict | None) -> DeviceRecord:
    """Fill what comes from the bundle and its image. Without the bundle (its
    call failed, or AWS no longer returns it) they stay None: not known in
    this run; `reconcile` falls back to the bundle's id for a new device."""
    if bundle is None:
        record.image_id = None  # the bundle tells the image: unknown too, keep the stored one
        return record
    record.image_id = bundle.get("ImageId", "")
    record.bundle_image = image_label(record.image_id, image, bundle) or ""
    record.disk_image = record.bundle_image  # what a new WorkSpace runs; see reconcile
    record.bundle_updated_at = bundle.get("LastUpdatedTime")
    if image:
        record.image_created_at = image.get("Created")
        record.image_owner_account_id = image.get("OwnerAccountId", "")
        record.image_update_available = _bool((image.get("Updates") or {}).get("UpdateAvailable"))
    elif is_aws_owned(bundle):
        record.image_owner_account_id = "AMAZON"
    if record.pool_type == "personal":
        record.desktop_pool = bundle.get("Name") or record.bundle_id
    if not record.instance_size:
        record.instance_size = (bundle.get("ComputeType") or {}).get("Name")
    if record.state == "REBUILDING":
        # Rebuilt from its bundle: from now on it runs the bundle's current image.
        record.running_image_id = record.image_id
    return record


def reconcile(values: dict, device) -> dict:
    """The stored values of one record, given the device as stored (None for
    a new one): the image the WorkSpace runs, and fallbacks for a new device.

    - running_image_id / disk_image: the bundle's current image when the
      device is first seen (or its running image was never known), when it is
      seen REBUILDING, or when its bundle changed (migrated, rebundled);
      otherwise what was stored (a bundle image update does not touch it).
    - A bundle not known in this run (its call failed, or AWS no longer
      returns it): a new device's pool is the bundle's id, never blank.
    """
    current_id, current_label = values.get("image_id"), values.get("bundle_image")
    stored_running = device.running_image_id if device is not None else ""
    moved = (
        device is not None
        and bool(values.get("bundle_id"))
        and (values["bundle_id"] != device.bundle_id)
    )
    rebuilt = values.get("running_image_id") is not None
    if current_id is not None and (not stored_running or moved or rebuilt):
        values["running_image_id"], values["disk_image"] = current_id, current_label
    elif current_id is not None and stored_running == current_id:
        values["running_image_id"], values["disk_image"] = None, current_label  # a renamed image
    else:
        values["running_image_id"], values["disk_image"] = None, None  # keep the stored ones
    running = values["running_image_id"] or stored_running
    current = current_id if current_id is not None else (device.image_id if device else "")
    values["image_behind_bundle"] = bool(running and current and running != current)
    if values.get("desktop_pool") is None and not (device and device.desktop_pool):
        values["desktop_pool"] = values.get("bundle_id") or None
    return values


def personal_record(ws: dict, bundle: dict | None, image: dict | None) -> DeviceRecord:
    return complete(personal_base(ws), bundle, image)
