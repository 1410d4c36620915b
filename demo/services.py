"""The demo: a simulated AWS account wired to a credential and two connectors.

Used by `python manage.py aws_simulator --demo` (what `make demo` runs). Safe
to run at every start: the simulator's IAM state lives in its process, so the
role is recreated each time for the demo credential's External ID.
"""

from __future__ import annotations

from connectors.models import InboundConnector
from connectors.services import ConnectorData, connector_save
from credentials import services as credential_services
from credentials.models import Credential

DEMO_ACCOUNT = "111122223333"
DEMO_ROLE = "NexthinkConnector-Demo"
DEMO_CREDENTIAL = "Demo AWS account (simulated)"
DEMO_FLEETS = (
    # region, connector name, environment, workspaces, bundles, images, pools, sessions per pool
    ("eu-west-1", "Demo Europe", "Demo EU", 320, 8, 5, 3, 20),
    ("us-east-1", "Demo North America", "Demo US", 180, 5, 3, 2, 15),
)
DEMO_RECURRENCE_MINUTES = 5


def demo_setup(sim, *, trusted_account: str) -> list[InboundConnector]:
    """Seed the simulator, create (or find) the demo credential and
    connectors, and create the role with the credential's External ID."""
    for region, _, _, workspaces, bundles, images, pools, sessions in DEMO_FLEETS:
        sim.seed(
            DEMO_ACCOUNT,
            region,
            workspaces=workspaces,
            bundles=bundles,
            images=images,
            pools=pools,
            sessions_per_pool=sessions,
            rng_seed=f"demo-{region}",
        )
    credential = Credential.objects.filter(name=DEMO_CREDENTIAL).first()
    if credential is None:
        credential = credential_services.credential_create(name=DEMO_CREDENTIAL)
    role_arn = sim.create_customer_role(
        DEMO_ACCOUNT, DEMO_ROLE, external_id=credential.external_id, trusted_account=trusted_account
    )
    credential_services.credential_update(
        credential=credential, name=credential.name, role_arn=role_arn
    )
    connectors = []
    for region, name, environment, *_ in DEMO_FLEETS:
        connector = InboundConnector.objects.filter(name=name).first()
        if connector is None:
            connector = connector_save(
                data=ConnectorData(
                    name=name,
                    description=f"Simulated WorkSpaces in {region} (make demo).",
                    recurrence=DEMO_RECURRENCE_MINUTES,
                    credential_id=credential.pk,
                    connector_type="aws_workspaces",
                    parameters={"region": region},
                    environment_name=environment,
                )
            )
        connectors.append(connector)
    return connectors
