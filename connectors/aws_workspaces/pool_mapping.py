"""DescribeWorkspacesPools / DescribeWorkspacesPoolSessions records -> pool
and pool session records (connectors/models/pool.py).

Pools and their sessions are not devices: AWS names a session's desktop by
its EC2 InstanceId only, which the platform can never match to a device
(docs/DEVICE_FIELDS.md). The pool's bundle (its image and compute type) is
fetched like the WorkSpaces' bundles; a value of None means "not known in
this run" and storage keeps what the pool had."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from .mapping import image_label


@dataclass(slots=True)
class PoolRecord:
    pool_id: str
    name: str
    bundle_id: str = ""
    description: str = ""
    state: str = ""
    directory_id: str = ""
    running_mode: str = ""
    created_in_aws: datetime | None = None
    disconnect_timeout_seconds: int | None = None
    idle_disconnect_timeout_seconds: int | None = None
    max_user_duration_seconds: int | None = None
    errors: list = field(default_factory=list)
    available_user_sessions: int = 0
    desired_user_sessions: int = 0
    actual_user_sessions: int = 0
    active_user_sessions: int = 0
    image_id: str | None = None
    disk_image: str | None = None
    instance_size: str | None = None


@dataclass(slots=True)
class SessionRecord:
    pool_id: str
    session_id: str
    bundle_id: str = ""  # the pool's: a session waits behind its pool's record, never before
    user_id: str = ""
    instance_id: str = ""
    ip_address: str = ""
    authentication_type: str = ""
    connection_state: str = ""
    session_start: datetime | None = None
    expiration_time: datetime | None = None


def _time(value) -> datetime | None:
    """botocore parses timestamps into datetimes; a number is epoch seconds."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value, tz=UTC)
    return None


def pool_base(pool: dict) -> PoolRecord:
    """What the pool itself tells; the bundle's image and compute type come later."""
    capacity = pool.get("CapacityStatus") or {}
    timeouts = pool.get("TimeoutSettings") or {}
    return PoolRecord(
        pool_id=pool["PoolId"],
        name=pool.get("PoolName") or pool["PoolId"],
        bundle_id=pool.get("BundleId", ""),
        description=pool.get("Description", "") or "",
        state=pool.get("State", "") or "",
        directory_id=pool.get("DirectoryId", "") or "",
        running_mode=pool.get("RunningMode", "") or "",
        created_in_aws=_time(pool.get("CreatedAt")),
        disconnect_timeout_seconds=timeouts.get("DisconnectTimeoutInSeconds"),
        idle_disconnect_timeout_seconds=timeouts.get("IdleDisconnectTimeoutInSeconds"),
        max_user_duration_seconds=timeouts.get("MaxUserDurationInSeconds"),
        errors=[
            {"code": e.get("ErrorCode", ""), "message": e.get("ErrorMessage", "")}
            for e in pool.get("Errors") or []
        ],
        available_user_sessions=capacity.get("AvailableUserSessions", 0),
        desired_user_sessions=capacity.get("DesiredUserSessions", 0),
        actual_user_sessions=capacity.get("ActualUserSessions", 0),
        active_user_sessions=capacity.get("ActiveUserSessions", 0),
    )


def session_base(session: dict, pool: dict) -> SessionRecord:
    network = session.get("NetworkAccessConfiguration") or {}
    return SessionRecord(
        pool_id=pool["PoolId"],
        session_id=session["SessionId"],
        bundle_id=pool.get("BundleId", ""),
        user_id=session.get("UserId", "") or "",
        instance_id=session.get("InstanceId", "") or "",
        ip_address=network.get("EniPrivateIpAddress", "") or "",
        authentication_type=session.get("AuthenticationType", "") or "",
        connection_state=session.get("ConnectionState", "") or "",
        session_start=_time(session.get("StartTime")),
        expiration_time=_time(session.get("ExpirationTime")),
    )


def pool_complete(record: PoolRecord, bundle: dict | None, image: dict | None) -> PoolRecord:
    """The pool's image and compute type from its bundle; without the bundle
    they stay None (not known in this run: the stored values stay)."""
    if bundle is None:
        return record
    record.image_id = bundle.get("ImageId", "")
    record.disk_image = image_label(record.image_id, image, bundle) or ""
    record.instance_size = (bundle.get("ComputeType") or {}).get("Name") or ""
    return record
