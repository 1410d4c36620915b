"""Deterministic devices for the browsing benchmark, bulk-created (Django set up).

Four connectors in four regions; devices shaped like a collected fleet
(90% personal WorkSpaces over 40 bundles and 20 images, 8 compute types, 3%
removed); one change of a tracked field for every 20th device, and 40 for the
first device (the one whose page is measured). The other 10% are pool
sessions: like the collector, they are PoolSession rows of 20 Pools (five per
connector), not Device rows (pooled devices no longer exist).
"""

from __future__ import annotations

import random
from datetime import timedelta

from django.utils import timezone

from connectors.choices import RunStatus, RunTrigger
from connectors.models import Device, DeviceChange, InboundConnector, Pool, PoolSession, Run
from connectors.services import ConnectorData, connector_save
from credentials import services as credential_services

REGIONS = ("eu-west-1", "us-east-1", "ap-southeast-2", "eu-central-1")
COMPUTE = (
    "VALUE",
    "STANDARD",
    "PERFORMANCE",
    "POWER",
    "POWERPRO",
    "GRAPHICS_G4DN",
    "GRAPHICSPRO_G4DN",
    "GENERALPURPOSE_4XLARGE",
)
WEIGHTS = (10, 35, 25, 15, 7, 4, 2, 2)
STATES = ("AVAILABLE", "STOPPED", "ERROR", "UNHEALTHY", "REBOOTING")
STATE_WEIGHTS = (88, 7, 2, 1, 2)
FIRST = (
    "anna",
    "ben",
    "chloe",
    "david",
    "emma",
    "felix",
    "grace",
    "hugo",
    "ines",
    "jack",
    "karin",
    "liam",
    "maria",
    "noah",
    "olga",
    "paul",
    "quinn",
    "rosa",
    "sam",
    "tara",
)
LAST = (
    "smith",
    "muller",
    "martin",
    "rossi",
    "garcia",
    "novak",
    "kowalski",
    "silva",
    "jansen",
    "dubois",
)
BATCH = 2000


class Data:
    search_term = "maria.rossi"  # a user name part: about 0.5% of the devices

    def __init__(self) -> None:
        self.rng = random.Random(0)
        self.count = 0
        self.active = 0
        self.first_pk = 0
        self.connectors: list[InboundConnector] = []
        self.bundles = [f"Dept{i % 10}-{c.title()}-Win11" for i, c in enumerate(COMPUTE * 5)]
        self.images = [f"Dept{i}-Windows11-{i:03d}" for i in range(20)]
        self.runs: dict[int, Run] = {}
        self.pools: list[Pool] = []
        self.sessions = 0
        self.devices = 0  # Device rows created (the ids are consecutive)

    def _setup(self) -> None:
        now = timezone.now()
        for i, region in enumerate(REGIONS):
            cred = credential_services.credential_create(name=f"Bench account {i}")
            credential_services.credential_update(
                credential=cred,
                name=cred.name,
                role_arn=f"arn:aws:iam::11112222333{i}:role/NexthinkConnector-B{i}",
            )
            connector = connector_save(
                data=ConnectorData(
                    name=f"Bench {region}",
                    description="",
                    recurrence=60,
                    credential_id=cred.pk,
                    connector_type="aws_workspaces",
                    parameters={"region": region},
                    environment_name=f"Env {i % 2}",
                )
            )
            self.connectors.append(connector)
            runs = [
                Run(
                    connector=connector,
                    status=RunStatus.SUCCEEDED,
                    trigger=RunTrigger.SCHEDULE,
                    started_at=now - timedelta(hours=h),
                    finished_at=now - timedelta(hours=h, seconds=-30),
                    seen=1000,
                    unchanged=1000,
                    api_calls={"DescribeWorkspaces": 40},
                )
                for h in range(48, 0, -1)
            ]
            Run.objects.bulk_create(runs)
            self.runs[connector.pk] = (
                Run.objects.filter(connector=connector).order_by("-id").first()
            )
        for p in range(20):
            connector = self.connectors[p % len(self.connectors)]
            self.pools.append(
                Pool.objects.create(
                    connector=connector, pool_id=f"wspool-{p:03d}", name=f"Pool-{p}",
                    state="RUNNING", bundle_id=f"wsb-{p % 40:03d}", running_mode="AUTO_STOP",
                    image_id=f"wsi-{p % 20:03d}", disk_image=self.images[p % 20],
                    instance_size=COMPUTE[p % 8], region=connector.parameters["region"],
                    environment_name=connector.environment_name, last_update=now,
                    last_seen_run=self.runs[connector.pk],
                )
            )  # fmt: skip

    def _session(self, n: int, now, user: str, removed: bool) -> PoolSession:
        pool = self.pools[n % len(self.pools)]
        return PoolSession(
            pool=pool, session_id=f"sess-{n:09d}", user_id=user, instance_id=f"i-0{n:016x}",
            ip_address=f"10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}",
            authentication_type="SAML", connection_state="CONNECTED",
            session_start=now - timedelta(minutes=n % 600), first_seen_at=now - timedelta(hours=1),
            last_seen_at=now, last_seen_run=self.runs[pool.connector_id],
            ended_at=(now - timedelta(days=1)) if removed else None,
        )  # fmt: skip

    def _device(self, n: int, now) -> Device | PoolSession:
        rng = self.rng
        connector = self.connectors[n % len(self.connectors)]
        pooled = rng.random() < 0.1
        user = f"{rng.choice(FIRST)}.{rng.choice(LAST)}{rng.randrange(1, 50)}"
        removed = rng.random() < 0.03
        if pooled:
            return self._session(n, now, user, removed)
        return Device(
            connector=connector,
            source_id=f"ws-{n:09d}",
            name=f"WSAMZN-{n:08X}",
            desktop_pool=rng.choice(self.bundles),
            pool_type="personal",
            environment_name=connector.environment_name,
            disk_image=rng.choice(self.images),
            instance_size=rng.choices(COMPUTE, WEIGHTS)[0],
            region=connector.parameters["region"],
            last_update=now - timedelta(minutes=rng.randrange(0, 600)),
            workspace_id=f"ws-{n:09d}",
            session_id="",
            pool_id="",
            bundle_id=f"wsb-{n % 40:03d}",
            image_id=f"wsi-{n % 20:03d}",
            directory_id="d-1234567890",
            user_name=user,
            state=rng.choices(STATES, STATE_WEIGHTS)[0],
            ip_address=f"10.{n >> 16 & 255}.{n >> 8 & 255}.{n & 255}",
            running_mode=rng.choice(("AUTO_STOP", "ALWAYS_ON")),
            last_seen_run=self.runs[connector.pk],
            removed_at=(now - timedelta(days=1)) if removed else None,
        )

    def grow(self, total: int) -> None:
        """Bulk-create devices (and their changes) until there are `total`."""
        if not self.connectors:
            self._setup()
        now = timezone.now()
        while self.count < total:
            size = min(BATCH, total - self.count)
            rows = [self._device(self.count + i, now) for i in range(size)]
            devices = [d for d in rows if isinstance(d, Device)]
            sessions = [d for d in rows if isinstance(d, PoolSession)]
            Device.objects.bulk_create(devices)
            PoolSession.objects.bulk_create(sessions)
            self.sessions += len(sessions)
            self.active += sum(1 for d in devices if d.removed_at is None)
            if not self.first_pk:
                self.first_pk = Device.objects.order_by("id").values_list("id", flat=True).first()
                first = Device.objects.get(pk=self.first_pk)
                DeviceChange.objects.bulk_create(
                    DeviceChange(
                        device=first,
                        run=self.runs[first.connector_id],
                        field="instance_size",
                        old_value=COMPUTE[i % 8],
                        new_value=COMPUTE[(i + 1) % 8],
                        changed_at=now - timedelta(hours=i),
                    )
                    for i in range(40)
                )
            ids = (
                Device.objects.filter(id__gte=self.first_pk + self.devices)
                .order_by("id")
                .values_list("id", "connector_id")[::20]
            )
            DeviceChange.objects.bulk_create(
                DeviceChange(
                    device_id=pk,
                    run=self.runs[cid],
                    field="disk_image",
                    old_value="old-image",
                    new_value="new-image",
                    changed_at=now,
                )
                for pk, cid in ids
            )
            self.count += size
            self.devices += len(devices)
        # What the run that wrote these devices would do after storing them.
        from connectors.devices.services import devices_refresh_statistics

        devices_refresh_statistics(created=total, removed=0)
