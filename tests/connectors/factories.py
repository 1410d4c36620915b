from connectors.models import InboundConnector
from connectors.services import ConnectorData, connector_save
from tests.credentials.factories import make_credential


def make_connector(name: str = "AWS Prod EU", *, credential=None, **overrides) -> InboundConnector:
    if credential is None:
        credential = make_credential(f"cred for {name}")
    values = dict(
        name=name,
        nql_id="",
        description="",
        recurrence=60,
        credential_id=credential.pk,
        environment_name="Production EU",
        connector_type="aws_workspaces",
        parameters={"region": overrides.pop("region", "eu-west-1")},
    )
    values.update(overrides)
    return connector_save(data=ConnectorData(**values))


def form_data(credential, **overrides) -> dict:
    data = {
        "name": "AWS Prod EU",
        "nql_id": "",
        "description": "EU desktops",
        "recurrence": "60",
        "credential": str(credential.pk),
        "region": "eu-west-1",
        "environment_name": "Production EU",
    }
    data.update(overrides)
    return data
