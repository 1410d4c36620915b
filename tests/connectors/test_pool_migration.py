"""The pools migration replaces the pooled devices of earlier versions."""

import pytest
from django.utils import timezone


@pytest.mark.django_db(transaction=True)
def test_the_pools_migration_deletes_the_pooled_devices_and_keeps_the_personal_ones():
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    before = [("connectors", "0008_device_aws_record_fields")]
    after = [("connectors", "0009_pools_and_pool_sessions")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    apps = executor.loader.project_state(before).apps
    credential = apps.get_model("credentials", "Credential").objects.create(
        name="c", external_id="x" * 32, role_arn="arn:aws:iam::123456789012:role/R"
    )
    connector = apps.get_model("connectors", "InboundConnector").objects.create(
        name="EU", nql_id="eu", credential=credential, parameters={"region": "eu-west-1"}
    )
    Device = apps.get_model("connectors", "Device")
    now = timezone.now()
    for source_id, name, pool_type in (
        ("ws-1", "WSAMZN-1", "personal"),
        ("sess-1", "i-0abc", "pooled"),
        ("sess-2", "i-0def", "pooled"),
    ):
        device = Device.objects.create(
            connector=connector,
            source_id=source_id,
            name=name,
            pool_type=pool_type,
            environment_name="E",
            region="eu-west-1",
            last_update=now,
        )
        apps.get_model("connectors", "DeviceChange").objects.create(
            device=device, field="disk_image", old_value="a", new_value="b", changed_at=now
        )
    executor = MigrationExecutor(connection)
    executor.migrate(after)
    apps = executor.loader.project_state(after).apps
    Device = apps.get_model("connectors", "Device")
    assert list(Device.objects.values_list("name", flat=True)) == ["WSAMZN-1"]
    assert apps.get_model("connectors", "DeviceChange").objects.count() == 1
    assert apps.get_model("connectors", "Pool").objects.count() == 0
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
