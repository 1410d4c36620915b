from connectors.aws_workspaces.mapping import personal_base, personal_record
from connectors.aws_workspaces.pool_mapping import pool_base, pool_complete, session_base

WS = {
    "WorkspaceId": "ws-abc123",
    "DirectoryId": "d-1",
    "UserName": "jdoe",
    "IpAddress": "10.0.0.5",
    "State": "AVAILABLE",
    "BundleId": "wsb-1",
    "ComputerName": "WSAMZN-ABCD1234",
    "WorkspaceProperties": {"RunningMode": "AUTO_STOP", "ComputeTypeName": "PERFORMANCE"},
}
BUNDLE = {
    "BundleId": "wsb-1",
    "Name": "Standard Windows 10",
    "ImageId": "wsi-1",
    "ComputeType": {"Name": "STANDARD"},
}
IMAGE = {"ImageId": "wsi-1", "Name": "Win10 Golden 2026-10"}
POOL = {
    "PoolId": "wspool-1",
    "PoolName": "Call center",
    "BundleId": "wsb-1",
    "DirectoryId": "d-2",
    "RunningMode": "AUTO_STOP",
}
SESSION = {
    "SessionId": "0f1e-uuid",
    "InstanceId": "i-0123456789abcdef0",
    "PoolId": "wspool-1",
    "UserId": "agent7",
    "ConnectionState": "CONNECTED",
    "NetworkAccessConfiguration": {"EniPrivateIpAddress": "10.1.2.3"},
}


def test_personal_workspace_maps_to_the_design_table():
    r = personal_record(WS, BUNDLE, IMAGE)
    assert (r.source_id, r.name, r.pool_type) == ("ws-abc123", "WSAMZN-ABCD1234", "personal")
    assert r.desktop_pool == "Standard Windows 10"  # personal: the bundle's name
    assert r.disk_image == "Win10 Golden 2026-10"
    assert (
        r.instance_size == "PERFORMANCE"
    )  # WorkspaceProperties.ComputeTypeName wins over the bundle
    assert (r.workspace_id, r.bundle_id, r.image_id, r.directory_id) == (
        "ws-abc123",
        "wsb-1",
        "wsi-1",
        "d-1",
    )
    assert (r.user_name, r.state, r.ip_address, r.running_mode) == (
        "jdoe",
        "AVAILABLE",
        "10.0.0.5",
        "AUTO_STOP",
    )


def test_pool_maps_to_a_pool_record_with_its_bundle_image_and_compute_type():
    pool = {
        **POOL,
        "State": "RUNNING",
        "Description": "Agents",
        "CapacityStatus": {
            "AvailableUserSessions": 2,
            "DesiredUserSessions": 10,
            "ActualUserSessions": 9,
            "ActiveUserSessions": 7,
        },
        "TimeoutSettings": {
            "DisconnectTimeoutInSeconds": 900,
            "IdleDisconnectTimeoutInSeconds": 600,
            "MaxUserDurationInSeconds": 57600,
        },
        "Errors": [{"ErrorCode": "IamServiceRoleIsMissing", "ErrorMessage": "No role"}],
    }
    r = pool_complete(pool_base(pool), BUNDLE, IMAGE)  # as the collector does
    assert (r.pool_id, r.name, r.state, r.running_mode) == (
        "wspool-1",
        "Call center",
        "RUNNING",
        "AUTO_STOP",
    )
    assert (r.instance_size, r.disk_image, r.image_id) == (
        "STANDARD",
        "Win10 Golden 2026-10",
        "wsi-1",
    )
    assert (
        r.available_user_sessions,
        r.desired_user_sessions,
        r.actual_user_sessions,
        r.active_user_sessions,
    ) == (2, 10, 9, 7)
    assert (r.disconnect_timeout_seconds, r.idle_disconnect_timeout_seconds) == (900, 600)
    assert r.max_user_duration_seconds == 57600
    assert r.errors == [{"code": "IamServiceRoleIsMissing", "message": "No role"}]


def test_pool_session_maps_to_a_session_record_not_a_device():
    r = session_base(SESSION, POOL)
    assert not hasattr(r, "name") and not hasattr(r, "pool_type")
    assert (r.session_id, r.pool_id, r.user_id, r.instance_id) == (
        "0f1e-uuid",
        "wspool-1",
        "agent7",
        "i-0123456789abcdef0",
    )
    assert (r.connection_state, r.ip_address) == ("CONNECTED", "10.1.2.3")


def test_a_pool_without_its_bundle_keeps_its_image_and_size_unknown():
    r = pool_complete(pool_base(POOL), None, None)
    assert r.disk_image is None and r.instance_size is None


def test_image_id_stands_in_where_the_image_name_is_not_visible():
    assert personal_record(WS, BUNDLE, None).disk_image == "wsi-1"


def test_unknown_bundle_leaves_bundle_fields_unknown_not_empty():
    r = personal_record(WS, None, None)
    assert r.desktop_pool is None and r.disk_image is None
    assert r.instance_size == "PERFORMANCE"


def test_missing_computer_name_falls_back_to_the_workspace_id():
    ws = {k: v for k, v in WS.items() if k != "ComputerName"}
    assert personal_base(ws).name == "ws-abc123"


def test_instance_size_falls_back_to_the_bundle_compute_type():
    ws = {**WS, "WorkspaceProperties": {"RunningMode": "ALWAYS_ON"}}
    assert personal_record(ws, BUNDLE, IMAGE).instance_size == "STANDARD"


# -- the whole record (issue 19) ---------------------------------------------
FULL_WS = {
    **WS,
    "State": "ERROR",
    "ErrorCode": "ResourceLimitExceeded.Subnet",
    "ErrorMessage": "The subnet has no free IP addresses.",
    "SubnetId": "subnet-0abc",
    "WorkspaceName": "jdoe-desktop",
    "RootVolumeEncryptionEnabled": True,
    "UserVolumeEncryptionEnabled": False,
    "ModificationStates": [
        {"Resource": "COMPUTE_TYPE", "State": "UPDATE_IN_PROGRESS"},
        {"Resource": "ROOT_VOLUME", "State": "UPDATE_INITIATED"},
    ],
    "RelatedWorkspaces": [
        {
            "WorkspaceId": "ws-standby1",
            "Region": "eu-central-1",
            "State": "STOPPED",
            "Type": "STANDBY",
        }
    ],
    "WorkspaceProperties": {
        "RunningMode": "AUTO_STOP",
        "RunningModeAutoStopTimeoutInMinutes": 60,
        "RootVolumeSizeGib": 175,
        "UserVolumeSizeGib": 100,
        "ComputeTypeName": "POWER",
        "Protocols": ["WSP", "PCOIP"],
        "OperatingSystemName": "WINDOWS_SERVER_2022",
    },
}


def test_every_field_of_the_workspace_record_is_kept():
    r = personal_base(FULL_WS)
    assert (r.error_code, r.error_message) == (
        "ResourceLimitExceeded.Subnet",
        "The subnet has no free IP addresses.",
    )
    assert r.modification_states == "COMPUTE_TYPE UPDATE_IN_PROGRESS, ROOT_VOLUME UPDATE_INITIATED"
    assert (r.operating_system_name, r.protocols) == ("WINDOWS_SERVER_2022", "PCOIP, WSP")
    assert (r.root_volume_size_gib, r.user_volume_size_gib, r.auto_stop_timeout_minutes) == (
        175,
        100,
        60,
    )
    assert (r.root_volume_encrypted, r.user_volume_encrypted) == (True, False)
    assert (r.workspace_name, r.subnet_id) == ("jdoe-desktop", "subnet-0abc")
    assert r.standby_workspaces == "ws-standby1 STANDBY eu-central-1 STOPPED"


def test_a_workspace_that_says_nothing_clears_errors_and_leaves_sizes_unknown():
    r = personal_base({"WorkspaceId": "ws-moto", "State": "AVAILABLE", "BundleId": "wsb-1"})
    assert (r.error_code, r.error_message, r.modification_states, r.protocols) == ("", "", "", "")
    assert r.root_volume_size_gib is None and r.root_volume_encrypted is None


def test_bundle_and_image_dates_owner_and_update_come_from_the_bundles_image():
    from datetime import UTC, datetime

    created, updated = datetime(2026, 1, 2, tzinfo=UTC), datetime(2026, 3, 4, tzinfo=UTC)
    bundle = {**BUNDLE, "LastUpdatedTime": updated, "Owner": "111122223333"}
    image = {
        **IMAGE,
        "Created": created,
        "OwnerAccountId": "444455556666",
        "Updates": {"UpdateAvailable": True},
    }
    r = personal_record(WS, bundle, image)
    assert (r.bundle_updated_at, r.image_created_at) == (updated, created)
    assert (r.image_owner_account_id, r.image_update_available) == ("444455556666", True)
    assert (r.image_id, r.bundle_image) == ("wsi-1", "Win10 Golden 2026-10")


def test_an_aws_owned_bundles_image_reads_as_the_bundles_name_with_its_id_beside_it():
    bundle = {**BUNDLE, "Owner": "Amazon", "Name": "Standard with Windows 11"}
    r = personal_record(WS, bundle, None)
    assert r.bundle_image == r.disk_image == "Standard with Windows 11 (AWS image)"
    assert r.image_id == "wsi-1" and r.image_owner_account_id == "AMAZON"


class Stored:
    """A device as stored, for reconcile()."""

    def __init__(self, **kw):
        self.running_image_id = kw.get("running_image_id", "wsi-1")
        self.image_id = kw.get("image_id", "wsi-1")
        self.bundle_id = kw.get("bundle_id", "wsb-1")
        self.desktop_pool = kw.get("desktop_pool", "Standard Windows 10")


def _values(ws=WS, bundle=BUNDLE, image=IMAGE) -> dict:
    from connectors.aws_workspaces.mapping import stored_values

    return stored_values(personal_record(ws, bundle, image), environment_name="e", region="r")


def test_a_new_workspace_runs_its_bundles_image_at_first_sight():
    from connectors.aws_workspaces.mapping import reconcile

    v = reconcile(_values(), None)
    assert (v["running_image_id"], v["disk_image"], v["image_behind_bundle"]) == (
        "wsi-1",
        "Win10 Golden 2026-10",
        False,
    )


def test_a_bundle_image_update_keeps_the_running_image_and_shows_the_gap():
    from connectors.aws_workspaces.mapping import reconcile

    updated = {**BUNDLE, "ImageId": "wsi-2"}
    v = reconcile(
        _values(bundle=updated, image={"ImageId": "wsi-2", "Name": "Win10 2026-11"}), Stored()
    )
    assert v["running_image_id"] is None and v["disk_image"] is None  # kept as stored
    assert (v["image_id"], v["bundle_image"], v["image_behind_bundle"]) == (
        "wsi-2",
        "Win10 2026-11",
        True,
    )


def test_a_rebuilding_or_rebundled_workspace_takes_the_bundles_current_image():
    from connectors.aws_workspaces.mapping import reconcile

    updated = {**BUNDLE, "ImageId": "wsi-2"}
    new_image = {"ImageId": "wsi-2", "Name": "Win10 2026-11"}
    rebuilding = reconcile(_values({**WS, "State": "REBUILDING"}, updated, new_image), Stored())
    assert (rebuilding["running_image_id"], rebuilding["disk_image"]) == ("wsi-2", "Win10 2026-11")
    assert rebuilding["image_behind_bundle"] is False
    moved = reconcile(
        _values({**WS, "BundleId": "wsb-9"}, {**updated, "BundleId": "wsb-9"}, new_image), Stored()
    )
    assert moved["running_image_id"] == "wsi-2" and moved["image_behind_bundle"] is False


def test_a_bundle_aws_no_longer_returns_names_a_new_devices_pool_by_its_id():
    from connectors.aws_workspaces.mapping import reconcile

    new = reconcile(_values(bundle=None, image=None), None)
    assert new["desktop_pool"] == "wsb-1"  # never blank for ever
    kept = reconcile(_values(bundle=None, image=None), Stored())
    assert kept["desktop_pool"] is None and kept["disk_image"] is None  # like a failed call
    assert kept["image_behind_bundle"] is False
