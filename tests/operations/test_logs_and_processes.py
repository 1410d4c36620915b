"""LOG_FORMAT=json: one JSON event per line, with the run id and the
connector's NQL ID as fields, never a secret; real beat and worker processes."""

import io
import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from connectors.aws_workspaces import aws
from connectors.choices import RunStatus
from connectors.models import Run
from connectors.tasks import run_connector
from nexthink_admin.celery import _json_lines_when_asked
from nexthink_admin.celery import app as celery_app
from operations.logs import JsonLinesFormatter
from operations.models import BEAT, Heartbeat
from tests.conftest import CUSTOMER_ACCOUNT, ROLE_NAME
from tests.operations.conftest import queue_run
from tests.waiting import wait_for

ROOT = Path(__file__).resolve().parents[2]


def database_url() -> str:
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    host, port = db["HOST"] or "127.0.0.1", db["PORT"] or 5432
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{host}:{port}/{db['NAME']}"


@pytest.fixture
def issued_keys(monkeypatch) -> list[str]:
    """The keys of every role session the app assumes (in this process)."""
    keys: list[str] = []
    real = aws.assume_role_session

    def recording(**kwargs):
        session = real(**kwargs)
        frozen = session.get_credentials().get_frozen_credentials()
        keys.extend([frozen.access_key, frozen.secret_key, frozen.token])
        return session

    monkeypatch.setattr(aws, "assume_role_session", recording)
    return keys


@pytest.fixture
def json_log():
    """Every record of the process, as the JSON-lines handler writes it."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonLinesFormatter())
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield stream
    root.removeHandler(handler)
    root.setLevel(level)


def events(text: str) -> list[dict]:
    # Celery prints its shutdown notice ("worker: Warm shutdown (MainProcess)")
    # straight to the terminal, outside logging: the one line that is not JSON.
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith("worker: ")]
    return [json.loads(line) for line in lines]  # fails on any line that is not one JSON object


@pytest.mark.django_db
def test_run_records_carry_run_id_and_nql_id_and_no_secret(
    aws_sim, aws_connector, issued_keys, json_log
):
    aws_sim.seed(CUSTOMER_ACCOUNT, "eu-west-1", workspaces=20)
    run_connector.delay(connector_id=aws_connector.pk)  # eager: the task and its signals
    scheduled = Run.objects.get()
    queued = Run.objects.create(connector=aws_connector, trigger="manual")
    aws_sim.create_customer_role(CUSTOMER_ACCOUNT, ROLE_NAME, external_id="another-one")
    run_connector.delay(connector_id=aws_connector.pk, run_id=queued.pk)
    logging.getLogger("connectors.runs").info("outside any run")

    text = json_log.getvalue()
    assert len(issued_keys) == 3
    for secret in [aws_connector.credential.external_id, *issued_keys]:
        assert secret not in text
    assert aws_connector.credential.role_arn not in text
    found = events(text)
    runs = [e for e in found if e["logger"] == "connectors.runs" and "run_id" in e]
    assert {e["run_id"] for e in runs} == {scheduled.pk, queued.pk}
    assert all(e["connector_nql_id"] == aws_connector.nql_id for e in runs)
    assert any(
        e["message"].endswith("succeeded: 20 seen, 20 created, 0 updated, 0 removed") for e in runs
    )
    outside = [e for e in found if e["message"] == "outside any run"]
    assert outside and "run_id" not in outside[0] and "connector_nql_id" not in outside[0]
    assert set(found[0]) >= {"time", "level", "logger", "message"}


def test_an_exception_stays_on_one_line_and_only_listed_fields_are_written():
    try:
        raise ValueError("boom\nsecond line")
    except ValueError:
        record = logging.LogRecord(
            "x", logging.ERROR, __file__, 1, "failed %s", ("here",), sys.exc_info()
        )
    record.password = "never-written"
    record.run_id = 7
    line = JsonLinesFormatter().format(record)
    assert "\n" not in line and "never-written" not in line
    event = json.loads(line)
    assert event["message"] == "failed here" and event["run_id"] == 7
    assert "ValueError: boom\nsecond line" in event["exception"]


def test_celery_logging_switches_to_json_only_when_asked(settings):
    logger = logging.getLogger("tests.operations.celery-like")
    handler = logging.StreamHandler(io.StringIO())
    logger.addHandler(handler)
    try:
        settings.LOG_FORMAT = "plain"
        _json_lines_when_asked(logger=logger)
        assert not isinstance(handler.formatter, JsonLinesFormatter)
        settings.LOG_FORMAT = "json"
        _json_lines_when_asked(logger=logger)
        assert isinstance(handler.formatter, JsonLinesFormatter)
    finally:
        logger.removeHandler(handler)


def test_settings_log_json_lines_when_log_format_is_json():
    code = (
        "import django, logging; django.setup();"
        " logging.getLogger('connectors').warning('hello %s', 'there')"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "nexthink_admin.settings.test",
        "LOG_FORMAT": "json",
    }
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    (event,) = events(done.stderr)
    assert event["message"] == "hello there" and event["logger"] == "connectors"
    env["LOG_FORMAT"] = "plain"
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert done.stderr.strip().endswith("WARNING connectors: hello there")


def spawn(args, redis_url, log: Path, **extra_env):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "nexthink_admin.settings.test",
        "DATABASE_URL": database_url(),
        "REDIS_URL": redis_url,
        "LOG_FORMAT": "json",
        # The suite runs as root: Celery's "running as superuser" warning is
        # printed before logging is set up. Workers in production are not root.
        "PYTHONWARNINGS": "ignore::UserWarning",
        **extra_env,
    }
    with log.open("w") as out:
        return subprocess.Popen(
            # --quiet: no start-up banner (printed, not logged), as docs/deploy.md says
            [sys.executable, "-m", "celery", "-A", "nexthink_admin", "--quiet", *args],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def stop(proc) -> None:
    if proc.poll() is None:
        proc.terminate()
    try:
        proc.wait(20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(5)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_real_beat_process_records_its_heartbeat_and_logs_json_lines(redis_url, tmp_path):
    log = tmp_path / "beat.log"
    beat = spawn(["beat", "--loglevel", "INFO"], redis_url, log)
    try:
        assert wait_for(lambda: Heartbeat.objects.filter(name=BEAT).exists(), timeout=60), (
            log.read_text()
        )
    finally:
        stop(beat)
    found = events(log.read_text())
    assert any("beat" in e["message"].lower() for e in found)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_process_logs_json_lines_with_run_fields_and_no_secret(
    aws_sim, aws_connector, redis_url, tmp_path
):
    aws_sim.seed(CUSTOMER_ACCOUNT, "eu-west-1", workspaces=30)
    log = tmp_path / "worker.log"
    worker = spawn(
        ["worker", "-P", "solo", "-c", "1", "--without-mingle", "--without-gossip", "-l", "INFO"],
        redis_url,
        log,
    )
    celery_app.conf.update(task_always_eager=False, broker_url=redis_url)
    try:
        queue_run(redis_url, connector_id=aws_connector.pk)
        assert wait_for(lambda: Run.objects.filter(status=RunStatus.SUCCEEDED).exists(), timeout=60)
        assert wait_for(lambda: "succeeded: 30 seen" in log.read_text(), timeout=30)
    finally:
        celery_app.conf.update(task_always_eager=True)
        stop(worker)
    text = log.read_text()
    assert aws_connector.credential.external_id not in text
    assert aws_connector.credential.role_arn not in text
    run = Run.objects.get()
    found = events(text)
    finished = [e for e in found if "succeeded: 30 seen" in e["message"]]
    assert finished and finished[0]["run_id"] == run.pk
    assert finished[0]["connector_nql_id"] == aws_connector.nql_id
