"""A connector's type-specific settings move to `parameters` (declared by its
type, connectors/registry.py): the AWS region leaves the generic table.
Reversible: the region comes back from parameters["region"]."""

from django.db import migrations, models


def region_to_parameters(apps, schema_editor):
    InboundConnector = apps.get_model("connectors", "InboundConnector")
    for connector in InboundConnector.objects.all().only("pk", "region", "parameters"):
        connector.parameters = {**(connector.parameters or {}), "region": connector.region}
        connector.save(update_fields=["parameters"])


def parameters_to_region(apps, schema_editor):
    InboundConnector = apps.get_model("connectors", "InboundConnector")
    for connector in InboundConnector.objects.all().only("pk", "region", "parameters"):
        parameters = dict(connector.parameters or {})
        connector.region = str(parameters.pop("region", ""))[:32]
        connector.parameters = parameters
        connector.save(update_fields=["region", "parameters"])


class Migration(migrations.Migration):
    dependencies = [("connectors", "0005_active_devices_by_name_index")]

    operations = [
        migrations.AddField(
            model_name="inboundconnector",
            name="parameters",
            field=models.JSONField(
                blank=True,
                default=dict,
                help_text="The settings of the connector's type, as its parameter fields declare them.",
            ),
        ),
        migrations.RunPython(region_to_parameters, parameters_to_region),
        migrations.RemoveIndex(model_name="inboundconnector", name="connectors__region_627d7a_idx"),
        # A default, so that reversing the removal can add the column back to a
        # table with rows before parameters_to_region fills it.
        migrations.AlterField(
            model_name="inboundconnector",
            name="region",
            field=models.CharField(
                default="",
                help_text="The AWS region where the WorkSpaces are, such as us-east-1.",
                max_length=32,
            ),
        ),
        migrations.RemoveField(model_name="inboundconnector", name="region"),
        migrations.AlterField(
            model_name="inboundconnector",
            name="connector_type",
            field=models.CharField(
                editable=False, help_text="A type of connectors/registry.py.", max_length=32
            ),
        ),
    ]
