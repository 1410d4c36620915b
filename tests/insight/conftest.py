from datetime import timedelta

import pytest
from django.utils import timezone

from connectors.choices import RunStatus
from connectors.models import DeviceChange
from tests.connectors.factories import make_connector
from tests.devices.factories import make_devices
from tests.insight.helpers import finish_run
from tests.pools.factories import make_pool, make_session


@pytest.fixture(autouse=True)
def _no_producer_pool_left_behind():
    """An eager `.delay()` (the alert tasks) makes Celery create its producer
    pool for the broker configured now; a later test that points the app at
    another broker (tests/conftest.py's real_worker) must not inherit it."""
    yield
    from nexthink_admin.celery import app

    app._pool = None
    if "amqp" in app.__dict__:
        app.amqp._producer_pool = None


@pytest.fixture
def viewer(client, make_user):
    client.force_login(
        make_user(
            "viewer",
            "connectors.view_device",
            "connectors.view_inboundconnector",
            "insight.view_cleanuprecord",
            "insight.view_alertchannel",
        )
    )
    return client


def build_fleet(*, connectors: int = 1, workspaces: int = 20, days: int = 3, tag: str = "A"):
    """`connectors` connectors of `workspaces` AUTO_STOP WorkSpaces and a few
    pool sessions, run every 6 hours for `days` days: WorkSpaces start in the
    day and stop at night, one goes to ERROR, one is resized each day, one
    connector fails its last two runs."""
    now = timezone.now()
    start = now - timedelta(days=days)
    made = []
    for k in range(connectors):
        connector = make_connector(f"{tag} connector {k}", nql_id=f"{tag.lower()}_conn_{k}")
        devices = make_devices(connector, workspaces, state="STOPPED")
        pool = make_pool(connector, 1, name="Pool A")
        for s in range(3):
            make_session(pool, s)
        for run_no in range(days * 4):
            at = start + timedelta(hours=6 * run_no)
            day_time = run_no % 4 in (1, 2)
            states = {d.pk: "AVAILABLE" if day_time else "STOPPED" for d in devices[:10]}
            if run_no == days * 4 - 3:
                states[devices[-1].pk] = "ERROR"
            finish_run(connector, at, states=states)
            if run_no % 4 == 1:
                DeviceChange.objects.create(
                    device=devices[12], field="instance_size", old_value="STANDARD",
                    new_value="POWER", changed_at=at,
                )  # fmt: skip
        if k == 0:
            for late in (2, 1):
                finish_run(connector, now - timedelta(minutes=30 * late), status=RunStatus.FAILED)
        made.append((connector, devices))
    return made
