"""Alerts: a connector failing N runs in a row and health thresholds reach
e-mail (Django's outbox) and webhooks (a real HTTP server on the loopback
address), once when they start and once when they end; a test can be sent
from the console; secrets never come back out."""

import hashlib
import hmac
import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from connectors.choices import RunStatus
from insight.models import AlertChannel, AlertDelivery, AlertKind, AlertRule
from nexthink_admin.models import AuditEvent
from tests.connectors.factories import make_connector
from tests.devices.factories import make_devices
from tests.insight.helpers import finish_run

pytestmark = pytest.mark.django_db


class Receiver:
    """A webhook endpoint: answers with the queued statuses (then 200) and records bodies."""

    def __init__(self):
        self.requests: list[tuple[str, dict, bytes]] = []
        self.statuses: list[int] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.requests.append((self.path, dict(self.headers), body))
                status = receiver.statuses.pop(0) if receiver.statuses else 200
                self.send_response(status)
                if 300 <= status < 400:
                    self.send_header("Location", "http://127.0.0.1:9/elsewhere")
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/token-abc123"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def bodies(self) -> list[dict]:
        return [json.loads(body) for _, _, body in self.requests]


@pytest.fixture
def receiver(settings):
    settings.INSIGHT_WEBHOOK_RETRY_DELAYS = (0, 0)
    r = Receiver()
    r.thread.start()
    yield r
    r.server.shutdown()
    r.server.server_close()


@pytest.fixture
def alert_admin(client, make_user):
    perms = [
        f"insight.{p}_{m}"
        for m in ("alertchannel", "alertrule")
        for p in ("view", "add", "change", "delete")
    ]
    client.force_login(make_user("alerter", *perms))
    return client


def rule(kind, threshold, *channels):
    r = AlertRule.objects.create(kind=kind, threshold=threshold)
    r.channels.set(channels)
    return r


def test_a_connector_failing_n_runs_in_a_row_alerts_once_by_email_and_once_when_it_recovers(
    django_capture_on_commit_callbacks,
):
    email = AlertChannel.objects.create(name="Ops", kind="email", recipients="ops@example.com")
    rule(AlertKind.CONNECTOR_FAILING, 3, email)
    connector = make_connector("EU production")
    make_devices(connector, 2)
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        for i in range(5):
            finish_run(connector, now + timedelta(minutes=i), status=RunStatus.FAILED)
    assert len(mail.outbox) == 1  # at the third failure, not again at the fourth and fifth
    message = mail.outbox[0]
    assert message.to == ["ops@example.com"]
    assert "EU production" in message.subject and "3 runs in a row" in message.subject

    with django_capture_on_commit_callbacks(execute=True):
        finish_run(connector, now + timedelta(minutes=10))
    assert len(mail.outbox) == 2
    assert mail.outbox[1].subject.startswith("[WorkSpaces Connector] Resolved:")
    assert list(AlertDelivery.objects.values_list("event", "status")) == [
        ("resolved", "sent"),
        ("firing", "sent"),
    ]


def test_unhealthy_workspaces_above_the_threshold_post_a_signed_json_webhook(
    receiver, django_capture_on_commit_callbacks
):
    hook = AlertChannel.objects.create(
        name="Pager", kind="webhook", url=receiver.url, secret="s3cret-value"
    )
    rule(AlertKind.UNHEALTHY_ABOVE, 1, hook)
    connector = make_connector()
    a, b, c = make_devices(connector, 3, state="AVAILABLE")
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        finish_run(connector, now, states={a.pk: "UNHEALTHY"})
        assert receiver.requests == []  # 1 is not above 1
        finish_run(connector, now + timedelta(minutes=5), states={b.pk: "ERROR"})
    (path, headers, body) = receiver.requests[0]
    assert path == "/hooks/token-abc123"
    payload = json.loads(body)
    assert payload["event"] == "firing" and payload["rule"] == "unhealthy_above"
    assert payload["details"] == {"count": 2}
    expected = hmac.new(b"s3cret-value", body, hashlib.sha256).hexdigest()
    assert headers["X-Signature-256"] == f"sha256={expected}"
    assert headers["Content-Type"] == "application/json"


def test_a_webhook_that_fails_is_retried_then_recorded_as_failed(
    receiver, django_capture_on_commit_callbacks
):
    from insight.alerts import alerts_evaluate

    hook = AlertChannel.objects.create(name="Flaky", kind="webhook", url=receiver.url)
    rule(AlertKind.UNHEALTHY_ABOVE, 0, hook)
    connector = make_connector()
    make_devices(connector, 1, state="ERROR")
    receiver.statuses = [503, 502]  # two failures, then 200
    with django_capture_on_commit_callbacks(execute=True):
        alerts_evaluate()
    delivery = AlertDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("sent", 3)

    receiver.statuses = [500, 500, 500]
    AlertDelivery.objects.all().delete()
    hook2 = AlertChannel.objects.create(name="Down", kind="webhook", url=receiver.url)
    rule(AlertKind.STUCK_ABOVE, 0, hook2)
    make_devices(connector, 1, start=50, state="PENDING")
    from insight.models import DeviceState

    DeviceState.objects.create(
        device=connector.devices.get(state="PENDING"), state="PENDING",
        since=timezone.now() - timedelta(days=1),
    )  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        alerts_evaluate()
    failed = AlertDelivery.objects.get(channel=hook2)
    assert (failed.status, failed.attempts) == ("failed", 3)
    assert failed.error == "The webhook answered HTTP 500."
    assert "token-abc123" not in failed.error


def test_a_webhook_redirect_is_not_followed(receiver, alert_admin):
    hook = AlertChannel.objects.create(name="Moved", kind="webhook", url=receiver.url)
    receiver.statuses = [302]
    response = alert_admin.post(reverse("insight:channel_test", args=[hook.pk]), follow=True)
    assert len(receiver.requests) == 1  # nothing reached the Location it named
    delivery = AlertDelivery.objects.get()
    assert delivery.status == "failed" and "redirect" in delivery.error
    assert "failed" in response.content.decode()


def test_send_a_test_from_the_console_reaches_the_webhook_and_the_history(receiver, alert_admin):
    hook = AlertChannel.objects.create(name="Chat", kind="webhook", url=receiver.url)
    response = alert_admin.post(reverse("insight:channel_test", args=[hook.pk]), follow=True)
    assert receiver.bodies()[0]["event"] == "test"
    page = response.content.decode()
    assert "Test alert sent to" in page
    assert "Test alert" in page and "Sent" in page  # the history
    assert "token-abc123" not in page  # the URL's path is never shown


def test_send_a_test_by_email_uses_the_outbox(alert_admin):
    channel = AlertChannel.objects.create(name="Mail", kind="email", recipients="a@example.com")
    alert_admin.post(reverse("insight:channel_test", args=[channel.pk]))
    assert [m.to for m in mail.outbox] == [["a@example.com"]]


@pytest.mark.parametrize(
    "url, message",
    [
        ("ftp://example.com/x", "must start with http:// or https://"),
        ("file:///etc/passwd", "must start with http:// or https://"),
        ("javascript:alert(1)", "must start with http:// or https://"),
        ("https://user:pw@example.com/x", "no user name or password"),
        ("http:///nohost", "needs a host name"),
        ("https://example.com:99999/", "Enter a valid URL"),
    ],
)
def test_a_webhook_url_that_is_not_plain_http_or_https_is_refused_at_its_field(
    alert_admin, url, message
):
    response = alert_admin.post(
        reverse("insight:channel_create"), {"name": "Bad", "kind": "webhook", "url": url}
    )
    assert response.status_code == 200
    assert message in " ".join(response.context["form"].errors["url"])
    assert not AlertChannel.objects.exists()


def test_bad_email_addresses_are_refused_at_their_field(alert_admin):
    response = alert_admin.post(
        reverse("insight:channel_create"),
        {"name": "Mail", "kind": "email", "recipients": "ops@example.com, not-an-address"},
    )
    assert (
        "“not-an-address” is not an e-mail address."
        in response.context["form"].errors["recipients"]
    )


def test_the_secret_and_the_url_path_are_never_echoed_and_blank_keeps_them(alert_admin):
    alert_admin.post(
        reverse("insight:channel_create"),
        {
            "name": "Hook",
            "kind": "webhook",
            "url": "https://hooks.example.com/T000/very-secret-path",
            "secret": "hunter2-signing",
            "enabled": "on",
        },
    )
    channel = AlertChannel.objects.get()
    edit = reverse("insight:channel_edit", args=[channel.pk])
    for url in (edit, reverse("insight:alerts")):
        page = alert_admin.get(url).content.decode()
        assert "hunter2-signing" not in page and "very-secret-path" not in page
        assert "https://hooks.example.com/" in page
    alert_admin.post(edit, {"name": "Hook renamed", "kind": "webhook", "enabled": "on"})
    channel.refresh_from_db()
    assert channel.name == "Hook renamed"
    assert channel.url.endswith("very-secret-path") and channel.secret == "hunter2-signing"
    trail = json.dumps(list(AuditEvent.objects.values("changes")))
    assert "hunter2" not in trail and "very-secret-path" not in trail


def test_a_rule_is_configured_in_the_console(alert_admin):
    channel = AlertChannel.objects.create(name="Ops", kind="email", recipients="o@example.com")
    url = reverse("insight:rule_edit", args=["connector_failing"])
    bad = alert_admin.post(url, {"threshold": "0", "enabled": "on"})
    assert "threshold" in bad.context["form"].errors
    alert_admin.post(url, {"threshold": "5", "enabled": "on", "channels": [channel.pk]})
    saved = AlertRule.objects.get(kind="connector_failing")
    assert saved.threshold == 5 and list(saved.channels.all()) == [channel]
    assert alert_admin.get(reverse("insight:rule_edit", args=["nonsense"])).status_code == 404


def test_deleting_a_channel_asks_first_and_keeps_the_history(alert_admin):
    channel = AlertChannel.objects.create(name="Old", kind="email", recipients="o@example.com")
    alert_admin.post(reverse("insight:channel_test", args=[channel.pk]))
    url = reverse("insight:channel_delete", args=[channel.pk])
    assert "cannot be undone" in alert_admin.get(url).content.decode()
    alert_admin.post(url)
    assert not AlertChannel.objects.exists()
    assert AlertDelivery.objects.get().channel_name == "Old"
