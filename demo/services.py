"""The demo: a simulated AWS account wired to a credential and two connectors.

Used by `python manage.py aws_simulator --demo` (what `make demo` runs). Safe
to run at every start: the simulator's IAM state lives in its process, so the
role is recreated each time for the demo credential's External ID.
"""

from __future__ import annotations

from datetime import datetime

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


# The simulated clock of `make demo`: every EVOLVE_SECONDS of real time is one
# simulated hour, so a simulated day passes in 24 minutes and each run of a
# demo connector (every 5 minutes) sees five simulated hours go by.
EVOLVE_SECONDS = 60.0
REIMAGE_EVERY_HOURS = 72


def demo_start_hour(now: datetime) -> int:
    """Hours since Monday 00:00 of `now`'s week: the simulated clock starts at the real time."""
    return now.weekday() * 24 + now.hour


def demo_evolve_step(sim, *, hour: int) -> dict[str, dict]:
    """Move every demo fleet to simulated `hour`: states, running modes and pool
    load (awssim/control.py's evolve), and every third simulated day a bundle's
    new image and a few resized WorkSpaces (the simulator's mutate)."""
    from awssim.control import evolve

    out = {}
    for region, name, *_ in DEMO_FLEETS:
        changes = evolve(sim, hour=hour, account_id=DEMO_ACCOUNT, region=region)
        if hour % REIMAGE_EVERY_HOURS == 0:
            drift = sim.mutate(DEMO_ACCOUNT, region, reimage=1, resize=2)
            changes["reimaged_bundles"] = len(drift.get("reimaged_bundles", []))
            changes["resized"] = len(drift.get("resized", []))
        out[name] = changes
    return out
