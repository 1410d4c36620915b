"""Two real Celery worker processes share the connectors; none overlaps."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from connectors.choices import RunStatus
from connectors.models import Run
from connectors.tasks import run_connector
from nexthink_admin.celery import app as celery_app
from tests.conftest import CUSTOMER_ACCOUNT
from tests.connectors.factories import make_connector

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]


def database_url() -> str:
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    host, port = db["HOST"] or "127.0.0.1", db["PORT"] or 5432
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{host}:{port}/{db['NAME']}"


@pytest.fixture
def two_workers(redis_url, aws_sim):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "nexthink_admin.settings.test",
        "DATABASE_URL": database_url(),
        "REDIS_URL": redis_url,
        "PYTHONUNBUFFERED": "1",
    }
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "nexthink_admin",
                "worker",
                "-P",
                "solo",
                "-c",
                "1",
                "-n",
                f"w{i}@%h",
                "--without-mingle",
                "--without-gossip",
                "--loglevel",
                "WARNING",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for i in (1, 2)
    ]
    celery_app.conf.update(task_always_eager=False, broker_url=redis_url)
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            replies = celery_app.control.ping(timeout=0.5) or []
            if len(replies) >= 2:
                break
        else:
            pytest.fail("the two workers did not come up")
        yield procs
    finally:
        celery_app.conf.update(task_always_eager=True)
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(20)


def test_connectors_are_spread_over_two_workers_and_never_overlap(aws_sim, two_workers):
    from credentials import services
    from tests.credentials.factories import make_credential

    aws_sim.seed(CUSTOMER_ACCOUNT, "eu-west-1", workspaces=50, bundles=3, images=2)
    aws_sim.configure(latency_ms=40)
    credential = make_credential("Shared", role_arn="")
    arn = aws_sim.create_customer_role(
        CUSTOMER_ACCOUNT, "NexthinkConnector-Test", external_id=credential.external_id
    )
    services.credential_update(credential=credential, name="Shared", role_arn=arn)
    connectors = [make_connector(f"Fleet {i}", credential=credential) for i in range(6)]
    for connector in connectors:  # every connector triggered twice at once
        run_connector.delay(connector_id=connector.pk)
        run_connector.delay(connector_id=connector.pk)
    deadline = time.monotonic() + 90
    while (
        time.monotonic() < deadline
        and Run.objects.filter(status__in=["queued", "running"]).count()
        + (12 - Run.objects.count())
        > 0
    ):
        time.sleep(0.3)
    runs = list(Run.objects.all())
    assert len(runs) == 12
    assert {r.status for r in runs} <= {RunStatus.SUCCEEDED, RunStatus.SKIPPED}
    workers = {r.worker.split("@")[0] for r in runs if r.status == RunStatus.SUCCEEDED}
    assert workers == {"w1", "w2"}, workers
    for connector in connectors:
        mine = sorted(
            (r for r in runs if r.connector_id == connector.pk and r.status == RunStatus.SUCCEEDED),
            key=lambda r: r.started_at,
        )
        assert mine, f"{connector} never ran"
        for earlier, later in zip(mine, mine[1:], strict=False):
            assert earlier.finished_at <= later.started_at, "two runs of one connector overlapped"
