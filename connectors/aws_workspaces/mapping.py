"""AWS WorkSpaces API records -> device records (the ten virtualization fields
of connectors/models/device.py).

A personal WorkSpace is one device named by its ComputerName. Pools and their
sessions are not devices (pool_mapping.py, docs/DEVICE_FIELDS.md). A value of
None means "not known in this run" (an auxiliary call failed): storage keeps
what the device had.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

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


def image_label(image_id: str | None, image: dict | None) -> str | None:
    """The image's name, or its id where the name is not visible (AWS-owned
    images are not returned to the customer's account)."""
    if image:
        return image.get("Name") or image_id
    return image_id or None


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
    )


def complete(record: DeviceRecord, bundle: dict | None, image: dict | None) -> DeviceRecord:
    """Fill what comes from the bundle and its image. Without the bundle they
    stay None: not known in this run."""
    if bundle is None:
        record.image_id = None  # the bundle tells the image: unknown too, keep the stored one
        return record
    record.image_id = bundle.get("ImageId", "")
    record.disk_image = image_label(record.image_id, image)
    if record.pool_type == "personal":
        record.desktop_pool = bundle.get("Name") or record.bundle_id
    if not record.instance_size:
        record.instance_size = (bundle.get("ComputeType") or {}).get("Name")
    return record


def personal_record(ws: dict, bundle: dict | None, image: dict | None) -> DeviceRecord:
    return complete(personal_base(ws), bundle, image)
