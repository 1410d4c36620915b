"""The Operations page: beat, workers, queue, runs, retention; problems with what to do."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from connectors.choices import RunStatus
from connectors.models import Run
from nexthink_admin.celery import app as celery_app
from operations.beat import HeartbeatScheduler
from operations.models import BEAT, Heartbeat
from operations.services import heartbeat_record
from tests.conftest import CUSTOMER_ACCOUNT
from tests.connectors.factories import make_connector
from tests.credentials.factories import make_credential
from tests.operations.conftest import queue_run
from tests.waiting import wait_for

pytestmark = pytest.mark.django_db
PAGE = "operations:page"


def page(client, user) -> str:
    client.force_login(user)
    response = client.get(reverse(PAGE))
    assert response.status_code == 200
    return response.content.decode()


def test_administrators_see_the_page_and_its_link_others_do_not(client, make_user):
    from django.contrib.auth.models import Group

    administrator = make_user("administrator")
    administrator.groups.add(Group.objects.get(name="Administrators"))
    html = page(client, administrator)
    assert f'href="{reverse(PAGE)}"' in html and "<h1>Operations</h1>" in html
    viewer = make_user("viewer", "connectors.view_run", "connectors.view_device")
    client.force_login(viewer)
    assert client.get(reverse(PAGE)).status_code == 403
    assert f'href="{reverse(PAGE)}"' not in client.get(reverse("home")).content.decode()


@pytest.mark.django_db(transaction=True)  # beat closes stale connections on every pass
def test_beat_scheduler_records_a_heartbeat_the_page_shows_as_alive(client, operator, broker_up):
    scheduler = HeartbeatScheduler(app=celery_app, lazy=True)
    scheduler.setup_schedule()
    assert not Heartbeat.objects.filter(name=BEAT).exists()
    scheduler.tick()  # one pass of beat's loop
    beat = Heartbeat.objects.get(name=BEAT)
    assert (timezone.now() - beat.at).total_seconds() < 60
    html = page(client, operator)
    assert "Alive" in html and "Beat has" not in html


def test_a_silent_beat_is_a_problem_with_what_to_do(client, operator, broker_up):
    heartbeat_record(name=BEAT, at=timezone.now() - timedelta(minutes=5))
    html = page(client, operator)
    assert "Silent" in html
    assert "Beat has not beaten for 30" in html  # 300 seconds
    assert "Start exactly one beat" in html and "celery -A nexthink_admin beat" in html


def test_a_beat_that_never_beat_is_a_problem(client, operator, broker_up):
    html = page(client, operator)
    assert "Beat has never recorded a heartbeat" in html and "Never" in html


def test_no_worker_is_a_problem_with_what_to_do(client, operator, broker_up):
    html = page(client, operator)
    assert "No worker answered within 1 s" in html
    assert "Start a worker: `celery -A nexthink_admin worker`" in html
    assert "No worker answered.</p>" in html


def test_broker_down_is_a_problem_and_workers_cannot_be_asked(client, operator, broker_down):
    html = page(client, operator)
    assert "The broker (Redis) does not answer" in html and "check REDIS_URL" in html
    assert "Workers cannot be asked while the broker does not answer." in html
    assert "Unknown (the broker does not answer)" in html
    assert "No worker answered within" not in html  # one cause, one problem


def test_runs_per_status_over_the_last_day(client, operator, broker_down):
    connector = make_connector("Counted", credential=make_credential("Counted account"))
    for status in ("succeeded", "succeeded", "failed", "skipped"):
        Run.objects.create(connector=connector, status=status)
    old = Run.objects.create(connector=connector, status="failed")
    Run.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(hours=25))
    client.force_login(operator)
    runs = {value: n for value, _, n in client.get(reverse(PAGE)).context["runs"]}
    assert runs == {
        "queued": 0,
        "running": 0,
        "succeeded": 2,
        "partial": 0,
        "failed": 1,
        "skipped": 1,
    }
    assert '<span class="badge err">1</span>' in page(client, operator)


def test_retention_section_shows_the_periods_insight_enforces_and_its_last_clean_up(
    client, operator, settings
):
    from insight.models import CleanupRecord

    settings.INSIGHT_RETENTION_DAYS = {**settings.INSIGHT_RETENTION_DAYS, "runs": 45}
    html = page(client, operator)
    assert "<h2>Retention</h2>" in html and "45 days" in html and "never yet" in html
    CleanupRecord.objects.create(started_at=timezone.now(), finished_at=timezone.now())
    html = page(client, operator)
    assert "never yet" not in html and "Last clean-up" in html


def test_the_nql_summaries_section_says_when_the_rollup_was_last_recounted(
    client, operator, broker_down
):
    from connectors.devices.rollup import device_rollup_rebuild
    from tests.devices.factories import make_devices

    html = page(client, operator)
    assert "<h2>NQL summaries</h2>" in html and "not yet: summaries read the devices" in html
    make_devices(make_connector(), 3)
    device_rollup_rebuild()
    html = page(client, operator)
    assert "not yet: summaries read the devices" not in html
    assert "3 in " in html and "Last recount" in html


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_is_listed_with_its_concurrency_and_the_run_it_runs(
    client, operator, aws_sim, aws_connector, threads_worker
):
    heartbeat_record(name=BEAT)
    html = page(client, operator)
    assert "Everything answers: database, broker, beat and 1 worker." in html
    context = client.get(reverse(PAGE)).context
    (worker,) = context["workers"].workers
    assert worker.concurrency == 2 and worker.active == []
    assert "Idle" in html

    # A slow AWS keeps the run going while the page looks at the worker.
    aws_sim.seed(CUSTOMER_ACCOUNT, "eu-west-1", workspaces=100)
    aws_sim.configure(latency_ms=400)
    queue_run(threads_worker.conf.broker_url, connector_id=aws_connector.pk)
    link = (
        f'Run of <a href="{reverse("connectors:detail", args=[aws_connector.pk])}">Simulated EU</a>'
    )
    assert wait_for(lambda: link in client.get(reverse(PAGE)).content.decode(), timeout=60)
    aws_sim.configure(latency_ms=0)
    assert wait_for(
        lambda: Run.objects.filter(status__in=[RunStatus.SUCCEEDED, RunStatus.FAILED]).exists()
    )
