"""/metrics: closed by default, opened by a token or an allow-list, and the
product's metrics after a real run through a real worker."""

import pytest
from django.urls import reverse
from prometheus_client.parser import text_string_to_metric_families

from connectors.choices import RunStatus
from connectors.models import Device, Run
from operations.models import BEAT
from operations.services import heartbeat_record
from tests.conftest import CUSTOMER_ACCOUNT, ROLE_NAME
from tests.operations.conftest import queue_run
from tests.waiting import wait_for

pytestmark = pytest.mark.django_db
TOKEN = "scrape-token-for-tests-0123456789"


def scrape(client, **headers):
    return client.get(reverse("operations:metrics"), **headers)


def samples(text: str) -> dict[tuple[str, tuple], float]:
    """(sample name, sorted labels) -> value."""
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def test_metrics_are_closed_when_neither_token_nor_allow_list_is_set(client, settings):
    settings.METRICS_TOKEN, settings.METRICS_ALLOWED_IPS = "", []
    response = scrape(client)
    assert response.status_code == 403
    assert b"nexthink" not in response.content
    assert scrape(client, HTTP_AUTHORIZATION="Bearer ").status_code == 403


def test_metrics_need_the_bearer_token_when_one_is_set(client, settings, broker_down):
    settings.METRICS_TOKEN, settings.METRICS_ALLOWED_IPS = TOKEN, []
    missing = scrape(client)
    assert missing.status_code == 401 and missing["WWW-Authenticate"].startswith("Bearer")
    assert scrape(client, HTTP_AUTHORIZATION="Bearer wrong").status_code == 401
    assert scrape(client, HTTP_AUTHORIZATION=f"Basic {TOKEN}").status_code == 401
    ok = scrape(client, HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert ok.status_code == 200 and ok["Content-Type"].startswith("text/plain")
    assert b"nexthink_runs_total" in ok.content


def test_metrics_follow_the_address_allow_list(client, settings, broker_down):
    settings.METRICS_TOKEN = ""
    settings.METRICS_ALLOWED_IPS = ["10.0.0.0/8", "not-an-address", "192.0.2.7"]
    assert scrape(client, REMOTE_ADDR="10.1.2.3").status_code == 200
    assert scrape(client, REMOTE_ADDR="192.0.2.7").status_code == 200
    assert scrape(client, REMOTE_ADDR="192.0.2.8").status_code == 403
    assert scrape(client, REMOTE_ADDR="127.0.0.1").status_code == 403


def test_with_both_set_the_address_and_the_token_must_match(client, settings, broker_down):
    settings.METRICS_TOKEN, settings.METRICS_ALLOWED_IPS = TOKEN, ["127.0.0.1"]
    assert scrape(client, REMOTE_ADDR="127.0.0.1").status_code == 401
    auth = {"HTTP_AUTHORIZATION": f"Bearer {TOKEN}"}
    assert scrape(client, REMOTE_ADDR="10.0.0.1", **auth).status_code == 403
    assert scrape(client, REMOTE_ADDR="127.0.0.1", **auth).status_code == 200


def test_no_worker_beat_silent_and_broker_down_show_in_the_metrics(client, settings, broker_up):
    settings.METRICS_TOKEN, settings.METRICS_ALLOWED_IPS = TOKEN, []
    auth = {"HTTP_AUTHORIZATION": f"Bearer {TOKEN}"}
    values = samples(scrape(client, **auth).content.decode())
    assert values[("nexthink_broker_up", ())] == 1
    assert values[("nexthink_celery_workers", ())] == 0
    assert values[("nexthink_beat_last_heartbeat_timestamp_seconds", ())] == 0
    assert ("nexthink_celery_queue_messages", ()) in values

    from tests.operations.conftest import DEAD_BROKER, use_broker

    use_broker(DEAD_BROKER)  # broker_up puts the real one back
    values = samples(scrape(client, **auth).content.decode())
    assert values[("nexthink_broker_up", ())] == 0
    assert values[("nexthink_celery_workers", ())] == 0
    assert ("nexthink_celery_queue_messages", ()) not in values


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_metrics_after_real_runs_through_a_real_worker(
    client, settings, aws_sim, aws_connector, threads_worker, no_backoff
):
    """One successful run (with throttling), then one failed run, both taken
    from the queue by a real worker; every product metric matches the rows."""
    settings.METRICS_TOKEN, settings.METRICS_ALLOWED_IPS = TOKEN, []
    aws_sim.seed(
        CUSTOMER_ACCOUNT,
        "eu-west-1",
        workspaces=60,
        bundles=3,
        images=2,
        pools=1,
        sessions_per_pool=5,
    )
    aws_sim.configure(throttle_fraction=0.3, throttle_seed=11)
    queue_run(threads_worker.conf.broker_url, connector_id=aws_connector.pk)
    assert wait_for(lambda: Run.objects.exclude(status=RunStatus.RUNNING).exists())
    aws_sim.configure(throttle_fraction=0.0)
    ok = Run.objects.get()
    assert ok.status == RunStatus.SUCCEEDED and ok.throttled > 0, ok.error_message
    aws_sim.create_customer_role(CUSTOMER_ACCOUNT, ROLE_NAME, external_id="another-one")
    queue_run(threads_worker.conf.broker_url, connector_id=aws_connector.pk)
    assert wait_for(lambda: Run.objects.filter(status=RunStatus.FAILED).exists())
    failed = Run.objects.get(status=RunStatus.FAILED)
    heartbeat_record(name=BEAT)

    response = scrape(client, HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200
    values = samples(response.content.decode())
    t = ("connector_type", "aws_workspaces")
    nql = ("connector", aws_connector.nql_id)

    assert values[("nexthink_runs_total", (t, ("status", "succeeded")))] == 1
    assert values[("nexthink_runs_total", (t, ("status", "failed")))] == 1
    assert values[("nexthink_runs_total", (t, ("status", "partial")))] == 0
    assert values[("nexthink_run_duration_seconds_count", (t,))] == 2
    durations = ok.duration_seconds + failed.duration_seconds
    assert values[("nexthink_run_duration_seconds_sum", (t,))] == pytest.approx(durations)
    assert values[("nexthink_run_duration_seconds_bucket", (t, ("le", "+Inf")))] == 2
    for le in (1.0, 5.0, 60.0):
        within = sum(1 for run in (ok, failed) if run.duration_seconds <= le)
        assert values[("nexthink_run_duration_seconds_bucket", (t, ("le", str(le))))] == within
    for action, calls in ok.api_calls.items():
        expected = calls + failed.api_calls.get(action, 0)
        assert values[("nexthink_api_calls_total", (("action", action), t))] == expected
    assert values[("nexthink_api_calls_total", (("action", "DescribeWorkspaces"), t))] >= 3
    assert values[("nexthink_throttled_retries_total", (t,))] == ok.throttled + failed.throttled
    devices = Device.objects.filter(connector=aws_connector, removed_at__isnull=True)
    assert devices.count() == 60  # the WorkSpaces: the 5 pool sessions are not devices
    for state in set(devices.values_list("state", flat=True)):
        assert (
            values[("nexthink_devices", (nql, ("state", state)))]
            == devices.filter(state=state).count()
        )
    assert values[("nexthink_connector_last_success_timestamp_seconds", (nql,))] == pytest.approx(
        ok.finished_at.timestamp()
    )
    assert values[("nexthink_connector_last_run_failed", (nql,))] == 1
    assert values[("nexthink_connector_enabled", (nql,))] == 1
    assert values[("nexthink_connector_recurrence_seconds", (nql,))] == 3600
    assert values[("nexthink_celery_workers", ())] == 1
    assert values[("nexthink_broker_up", ())] == 1
    assert values[("nexthink_beat_last_heartbeat_timestamp_seconds", ())] > 0
