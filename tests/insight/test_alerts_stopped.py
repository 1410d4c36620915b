"""Alerts when runs stop entirely: an enabled connector that starts no run for
N of its recurrences (beat stopped, workers down) is reported by the check on
beat, by e-mail (Django's outbox) and webhook (a real loopback HTTP server),
once, and resolved when it runs again; the Health page shows it too."""

import json
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from connectors.models import InboundConnector, Run
from insight import schedules
from insight.models import AlertChannel, AlertDelivery, AlertKind, AlertRule
from insight.tasks import connectors_watch
from nexthink_admin.celery import app as celery_app
from tests.connectors.factories import make_connector
from tests.insight.helpers import finish_run
from tests.insight.test_alerts import receiver  # noqa: F401  (the loopback webhook fixture)

pytestmark = pytest.mark.django_db


def stopped_rule(*channels, threshold=3):
    rule = AlertRule.objects.create(kind=AlertKind.CONNECTOR_SILENT, threshold=threshold)
    rule.channels.set(channels)
    return rule


def enabled_long_ago(connector, when):
    InboundConnector.objects.filter(pk=connector.pk).update(updated_at=when)


def test_a_connector_whose_runs_stopped_alerts_by_email_and_webhook_once_then_resolves(
    receiver,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    email = AlertChannel.objects.create(name="Ops", kind="email", recipients="ops@example.com")
    hook = AlertChannel.objects.create(name="Pager", kind="webhook", url=receiver.url)
    stopped_rule(email, hook)
    now = timezone.now()
    connector = make_connector("EU production", recurrence=60)  # hourly
    enabled_long_ago(connector, now - timedelta(days=2))
    finish_run(connector, now - timedelta(hours=2, minutes=50))
    healthy = make_connector("US production", recurrence=60)
    enabled_long_ago(healthy, now - timedelta(days=2))
    finish_run(healthy, now - timedelta(minutes=20))

    with django_capture_on_commit_callbacks(execute=True):
        connectors_watch()  # 2 h 50 min: not yet three recurrences
    assert mail.outbox == [] and receiver.requests == []

    later = now + timedelta(minutes=15)
    from insight.alerts import alerts_check_schedules

    with django_capture_on_commit_callbacks(execute=True):
        alerts_check_schedules(now=later)  # 3 h 05 min without a run: fires
        alerts_check_schedules(now=later + timedelta(minutes=15))  # still silent: no repeat
    assert len(mail.outbox) == 1
    assert "EU production" in mail.outbox[0].subject
    assert "stopped running" in mail.outbox[0].subject
    (body,) = receiver.bodies()
    assert body["event"] == "firing" and body["rule"] == "connector_silent"
    assert body["details"]["connector"] == "EU production"
    assert body["details"]["silent_minutes"] == 185
    assert "US production" not in json.dumps(body)

    # Runs resume: the run's own evaluation resolves it at once.
    with django_capture_on_commit_callbacks(execute=True):
        finish_run(connector, later + timedelta(minutes=20))
    assert len(mail.outbox) == 2
    assert mail.outbox[1].subject.startswith("[WorkSpaces Connector] Resolved:")
    assert receiver.bodies()[-1]["event"] == "resolved"
    assert list(
        AlertDelivery.objects.order_by("id").values_list("channel_name", "event", "status")
    ) == [
        ("Ops", "firing", "sent"),
        ("Pager", "firing", "sent"),
        ("Ops", "resolved", "sent"),
        ("Pager", "resolved", "sent"),
    ]


def test_a_connector_enabled_long_ago_that_never_ran_alerts_and_a_disabled_one_does_not(
    django_capture_on_commit_callbacks,
):
    email = AlertChannel.objects.create(name="Ops", kind="email", recipients="ops@example.com")
    stopped_rule(email)
    now = timezone.now()
    never = make_connector("Never ran", recurrence=15)
    enabled_long_ago(never, now - timedelta(hours=1))
    fresh = make_connector("Just enabled", recurrence=15)  # saved now: not silent yet
    off = make_connector("Switched off", recurrence=15, enabled=False)
    enabled_long_ago(off, now - timedelta(days=3))
    from insight.alerts import alerts_check_schedules

    with django_capture_on_commit_callbacks(execute=True):
        alerts_check_schedules(now=now)
    assert [m.subject for m in mail.outbox] == [
        "[WorkSpaces Connector] Connector 'Never ran' has stopped running: it has not run "
        "since it was enabled (beat or the workers may be down)"
    ]
    assert fresh.pk and off.pk  # neither was told about

    # Disabling the silent connector ends the alert.
    InboundConnector.objects.filter(pk=never.pk).update(enabled=False)
    with django_capture_on_commit_callbacks(execute=True):
        alerts_check_schedules(now=now + timedelta(minutes=15))
    assert mail.outbox[-1].subject.startswith("[WorkSpaces Connector] Resolved: Connector")


def test_a_run_in_progress_is_not_a_stopped_connector(django_capture_on_commit_callbacks):
    email = AlertChannel.objects.create(name="Ops", kind="email", recipients="ops@example.com")
    stopped_rule(email)
    now = timezone.now()
    connector = make_connector("Big fleet", recurrence=15)
    enabled_long_ago(connector, now - timedelta(days=1))
    Run.objects.create(connector=connector, status="running", started_at=now - timedelta(hours=2))
    from insight.alerts import alerts_check_schedules

    with django_capture_on_commit_callbacks(execute=True):
        alerts_check_schedules(now=now)
    assert mail.outbox == []


def test_the_check_is_registered_on_beat_and_known_to_the_worker():
    task = PeriodicTask.objects.get(name=schedules.WATCH_SCHEDULE)
    assert task.enabled and task.task == schedules.WATCH_TASK
    assert task.interval.every == schedules.WATCH_EVERY_MINUTES
    assert celery_app.tasks[schedules.WATCH_TASK].name == connectors_watch.name
    schedules.schedules_ensure()  # every migrate does: never a duplicate
    assert PeriodicTask.objects.filter(task=schedules.WATCH_TASK).count() == 1


def test_the_health_page_shows_a_connector_that_stopped_running(viewer):
    now = timezone.now()
    connector = make_connector("EU production", recurrence=60)
    enabled_long_ago(connector, now - timedelta(days=2))
    finish_run(connector, now - timedelta(hours=5))
    running_fine = make_connector("US production", recurrence=60)
    finish_run(running_fine, now - timedelta(minutes=10))

    response = viewer.get(reverse("insight:health"))
    assert [c.name for c in response.context["silent"]] == ["EU production"]
    page = response.content.decode()
    assert "Connectors that stopped running" in page
    assert page.count("Stopped running</span>") == 1
    assert "it runs every 60 min" in page


def test_the_stopped_running_rule_is_listed_on_the_alerts_page(client, make_user):
    client.force_login(make_user("alerter", "insight.view_alertchannel", "insight.view_alertrule"))
    page = client.get(reverse("insight:alerts")).content.decode()
    assert "An enabled connector has not started a run for N of its recurrences" in page
