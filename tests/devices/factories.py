from datetime import UTC, datetime

from connectors.models import Device, InboundConnector

LAST_UPDATE = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def device_values(connector: InboundConnector, i: int, **overrides) -> dict:
    values = dict(
        connector=connector,
        source_id=f"ws-{connector.pk}-{i:06d}",
        name=f"WSAMZN-{i:06d}",
        desktop_pool="Standard Windows 10",
        pool_type="personal",
        environment_name=connector.environment_name,
        disk_image="win10-golden",
        instance_size="STANDARD",
        region=connector.parameters["region"],
        last_update=LAST_UPDATE,
        workspace_id=f"ws-{connector.pk}-{i:06d}",
        bundle_id="wsb-abc123",
        image_id="wsi-abc123",
        directory_id="d-1234567890",
        user_name=f"user{i}",
        state="AVAILABLE",
        ip_address="10.0.0.1",
        running_mode="AUTO_STOP",
    )
    values.update(overrides)
    return values


def make_device(connector: InboundConnector, i: int = 1, **overrides) -> Device:
    return Device.objects.create(**device_values(connector, i, **overrides))


def make_devices(
    connector: InboundConnector, n: int, *, start: int = 1, **overrides
) -> list[Device]:
    return Device.objects.bulk_create(
        [Device(**device_values(connector, i, **overrides)) for i in range(start, start + n)],
        batch_size=2000,
    )
