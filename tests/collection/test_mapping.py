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
