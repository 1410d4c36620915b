"""The NQL tables of WorkSpaces Pools and their sessions (nql/tables.py
declares them through here: its registry stays one module to read)."""

from __future__ import annotations

from django.db.models import Q

from .tables import DATETIME, INT, STRING, NqlField, NqlTable, register


def declare_pools(Pool, PoolSession, connector: tuple[NqlField, ...]) -> None:
    """WorkSpaces Pools and their sessions (not devices: docs/DEVICE_FIELDS.md)."""
    string = STRING
    capacity = (
        ("available_user_sessions", "Available user sessions", "AvailableUserSessions"),
        ("desired_user_sessions", "Desired user sessions", "DesiredUserSessions"),
        ("actual_user_sessions", "Actual user sessions", "ActualUserSessions"),
        ("active_user_sessions", "Active user sessions", "ActiveUserSessions"),
    )
    register(
        NqlTable(
            name="pools",
            model=Pool,
            fields=(
                NqlField("name", "name", string, "Pool name", "PoolName."),
                NqlField("pool_id", "pool_id", string, "Pool ID"),
                NqlField("description", "description", string, "Description"),
                NqlField("state", "state", string, "State", "CREATING, RUNNING, STOPPED..."),
                NqlField("bundle_id", "bundle_id", string, "Bundle ID"),
                NqlField("image_id", "image_id", string, "Image ID", "The pool bundle's image."),
                NqlField(
                    "disk_image",
                    "disk_image",
                    string,
                    "Disk image",
                    "The pool bundle's image name (its id where the name is not visible).",
                ),
                NqlField(
                    "instance_size",
                    "instance_size",
                    string,
                    "Instance size",
                    "The pool bundle's compute type.",
                ),
                NqlField("directory_id", "directory_id", string, "Directory ID"),
                NqlField("running_mode", "running_mode", string, "Running mode"),
                *(
                    NqlField(name, name, INT, label, f"CapacityStatus.{aws}.")
                    for name, label, aws in capacity
                ),
                NqlField(
                    "disconnect_timeout",
                    "disconnect_timeout_seconds",
                    INT,
                    "Disconnect timeout (s)",
                    "TimeoutSettings.DisconnectTimeoutInSeconds.",
                ),
                NqlField(
                    "idle_disconnect_timeout",
                    "idle_disconnect_timeout_seconds",
                    INT,
                    "Idle disconnect timeout (s)",
                    "TimeoutSettings.IdleDisconnectTimeoutInSeconds.",
                ),
                NqlField(
                    "max_user_duration",
                    "max_user_duration_seconds",
                    INT,
                    "Maximum user duration (s)",
                    "TimeoutSettings.MaxUserDurationInSeconds.",
                ),
                NqlField("environment_name", "environment_name", string, "Environment name"),
                NqlField("region", "region", string, "Region"),
                NqlField("created", "created_in_aws", DATETIME, "Created in AWS"),
                NqlField("first_seen", "first_seen_at", DATETIME, "First seen"),
                NqlField(
                    "last_update",
                    "last_update",
                    DATETIME,
                    "Last update",
                    "When a run last wrote or confirmed the pool.",
                ),
                *connector,
            ),
            time_field="last_update",
            permission="connectors.view_device",
            description=(
                "The WorkSpaces Pools the connectors collected, with their capacity "
                "(CapacityStatus) as the last run read it. Removed pools are not in the table. "
                "Time selections filter on last_update."
            ),
            default_list=(
                "name",
                "state",
                "instance_size",
                "active_user_sessions",
                "available_user_sessions",
                "actual_user_sessions",
                "desired_user_sessions",
                "connector.nql_id",
            ),
            default_order=("name", "id"),
            base_filter=Q(removed_at__isnull=True),
            example="pools | where active_user_sessions > 0 | list name, active_user_sessions",
        )
    )
    pool_connector = tuple(
        NqlField(f.name, f"pool__{f.path}", f.type, f.label, f.help) for f in connector
    )
    register(
        NqlTable(
            name="pool.sessions",
            model=PoolSession,
            fields=(
                NqlField("pool.name", "pool__name", string, "Pool name"),
                NqlField("pool.pool_id", "pool__pool_id", string, "Pool ID"),
                NqlField("session_id", "session_id", string, "Session ID"),
                NqlField("user", "user_id", string, "User", "UserId."),
                NqlField(
                    "instance_id",
                    "instance_id",
                    string,
                    "Instance ID",
                    "The EC2 instance of the session (not a hostname).",
                ),
                NqlField("ip_address", "ip_address", string, "IP address"),
                NqlField(
                    "connection_state",
                    "connection_state",
                    string,
                    "Connection state",
                    "CONNECTED or NOT_CONNECTED (not a WorkSpace state).",
                ),
                NqlField("authentication_type", "authentication_type", string, "Authentication"),
                NqlField("start_time", "session_start", DATETIME, "Started", "StartTime."),
                NqlField(
                    "expiration_time", "expiration_time", DATETIME, "Expires", "ExpirationTime."
                ),
                NqlField("first_seen", "first_seen_at", DATETIME, "First seen"),
                NqlField("last_seen", "last_seen_at", DATETIME, "Last seen"),
                NqlField(
                    "end_time",
                    "ended_at",
                    DATETIME,
                    "Ended",
                    "When a complete run stopped seeing the session; null while current.",
                ),
                *pool_connector,
            ),
            time_field="start_time",
            permission="connectors.view_device",
            description=(
                "The pools' sessions: current ones (end_time == null) and their history. "
                "Time selections filter on start_time."
            ),
            default_list=(
                "pool.name",
                "user",
                "instance_id",
                "connection_state",
                "start_time",
                "expiration_time",
                "end_time",
            ),
            default_order=("-session_start", "-id"),
            aliases={"user_id": "user"},
            example="pool.sessions | where end_time == null | summarize n = count() by pool.name",
        )
    )
