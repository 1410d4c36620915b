"""Alerts: rules evaluated after each run, sent by e-mail (Django's e-mail
settings) and by webhook (a JSON body POSTed to the URL the administrator
typed, retried, never redirected), each send recorded as an AlertDelivery.

A rule tells its channels when its condition starts ("firing") and when it
ends ("resolved"), not on every run in between (AlertState)."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
import urllib.error
import urllib.request
from datetime import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from connectors.models import InboundConnector

from .models import (
    AlertChannel,
    AlertDelivery,
    AlertKind,
    AlertRule,
    AlertState,
    ChannelKind,
    ConnectorHealth,
)

log = logging.getLogger(__name__)
FLEET = "fleet"
USER_AGENT = "WorkSpaces-Connector-Alerts/1"


# --- webhook URLs: only what the administrator typed -------------------------


def webhook_url_problem(url: str) -> str | None:
    """Why this URL cannot be a webhook, or None."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  (raises ValueError on a bad port)
    except ValueError:
        return "Enter a valid URL."
    if parts.scheme not in ("http", "https"):
        return "The webhook URL must start with http:// or https://."
    if not parts.hostname:
        return "The webhook URL needs a host name."
    if parts.username or parts.password:
        return "Put no user name or password in the URL; use the signing secret instead."
    return None


def url_display(url: str) -> str:
    """Scheme, host and port only: a webhook's path often holds a token."""
    parts = urlsplit(url)
    if not parts.hostname:
        return ""
    return f"{parts.scheme}://{parts.netloc.rsplit('@', 1)[-1]}/…"


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None  # a 3xx is an answer, never a second destination


_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect())


def _post_webhook(channel: AlertChannel, body: bytes) -> str | None:
    """One POST; None on a 2xx, else what went wrong (without the URL)."""
    problem = webhook_url_problem(channel.url)
    if problem:
        return problem
    headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT}
    if channel.secret:
        digest = hmac.new(channel.secret.encode(), body, hashlib.sha256).hexdigest()
        headers["X-Signature-256"] = f"sha256={digest}"
    request = urllib.request.Request(channel.url, data=body, headers=headers, method="POST")
    try:
        with _OPENER.open(request, timeout=settings.INSIGHT_WEBHOOK_TIMEOUT) as response:
            status = response.status
    except urllib.error.HTTPError as exc:
        status = exc.code
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        return f"Could not reach the webhook: {reason}"[:500]
    if 200 <= status < 300:
        return None
    if 300 <= status < 400:
        return f"The webhook answered HTTP {status} (a redirect, which is not followed)."
    return f"The webhook answered HTTP {status}."


# --- sending ------------------------------------------------------------------


def _send_once(channel: AlertChannel, delivery: AlertDelivery) -> str | None:
    if channel.kind == ChannelKind.EMAIL:
        recipients = [
            r.strip() for r in channel.recipients.replace(",", "\n").splitlines() if r.strip()
        ]
        try:
            send_mail(
                subject=f"[WorkSpaces Connector] {delivery.subject}",
                message=json.dumps(delivery.payload, indent=2),
                from_email=settings.DEFAULT_FROM_EMAIL,
                recipient_list=recipients,
            )
        except Exception as exc:  # SMTP errors of every kind end in the history
            return f"Could not send the e-mail: {type(exc).__name__}: {exc}"[:500]
        return None
    body = json.dumps(delivery.payload).encode()
    return _post_webhook(channel, body)


def delivery_send(*, delivery_id: int, retry: bool = True) -> AlertDelivery:
    """Send one delivery, retrying a webhook after the configured delays."""
    delivery = AlertDelivery.objects.select_related("channel").get(pk=delivery_id)
    channel = delivery.channel
    if channel is None:
        delivery.status, delivery.error = AlertDelivery.Status.FAILED, "The channel was deleted."
        delivery.save(update_fields=["status", "error"])
        return delivery
    delays = list(settings.INSIGHT_WEBHOOK_RETRY_DELAYS) if retry else []
    if channel.kind == ChannelKind.EMAIL:
        delays = []  # the mail server queues and retries by itself
    while True:
        delivery.attempts += 1
        error = _send_once(channel, delivery)
        if error is None or not delays:
            break
        time.sleep(delays.pop(0))
    delivery.status = AlertDelivery.Status.FAILED if error else AlertDelivery.Status.SENT
    delivery.error = error or ""
    delivery.sent_at = None if error else timezone.now()
    delivery.save(update_fields=["status", "error", "attempts", "sent_at"])
    if error:
        log.warning("alert %s to channel %s failed: %s", delivery.pk, channel.pk, error)
    return delivery


def _queue(channel: AlertChannel, *, kind: str, event: str, subject: str, payload: dict, now):
    delivery = AlertDelivery.objects.create(
        created_at=now,
        channel=channel,
        channel_name=channel.name,
        rule_kind=kind,
        event=event,
        subject=subject[:255],
        payload=payload,
    )
    from .tasks import deliver_alert

    transaction.on_commit(lambda: deliver_alert.delay(delivery.pk))
    return delivery


def channel_send_test(*, channel: AlertChannel) -> AlertDelivery:
    """The "Send a test" button: one attempt, now, recorded in the history."""
    now = timezone.now()
    payload = {
        "event": "test",
        "rule": "",
        "summary": "A test alert from the WorkSpaces Connector console.",
        "at": now.isoformat(),
        "details": {"channel": channel.name},
    }
    delivery = AlertDelivery.objects.create(
        created_at=now,
        channel=channel,
        channel_name=channel.name,
        event="test",
        subject="Test alert",
        payload=payload,
    )
    return delivery_send(delivery_id=delivery.pk, retry=False)


# --- evaluation ---------------------------------------------------------------


def _transition(rule: AlertRule, *, subject: str, firing: bool, summary: str, details: dict, now):
    """Record the rule's state for the subject; tell its channels on a change."""
    with transaction.atomic():
        state, created = AlertState.objects.select_for_update().get_or_create(
            rule=rule, subject=subject, defaults={"firing": firing, "since": now}
        )
        if not created and state.firing == firing:
            return []
        if created and not firing:
            return []
        state.firing, state.since = firing, now
        state.save(update_fields=["firing", "since"])
        event = "firing" if firing else "resolved"
        title = summary if firing else f"Resolved: {summary}"
        payload = {
            "event": event,
            "rule": rule.kind,
            "threshold": rule.threshold,
            "summary": title,
            "subject": subject,
            "at": now.isoformat(),
            "details": details,
        }
        return [
            _queue(channel, kind=rule.kind, event=event, subject=title, payload=payload, now=now)
            for channel in rule.channels.all()
            if channel.enabled
        ]


def alerts_evaluate(*, connector_id: int | None = None, now: datetime | None = None) -> list:
    """Check every enabled rule (after a run of `connector_id`)."""
    from .health_selectors import stuck_count, unhealthy_count

    now = now or timezone.now()
    rules = {r.kind: r for r in AlertRule.objects.filter(enabled=True).prefetch_related("channels")}
    sent = []
    rule = rules.get(AlertKind.CONNECTOR_FAILING)
    if rule and connector_id is not None:
        health = ConnectorHealth.objects.filter(connector_id=connector_id).first()
        connector = InboundConnector.objects.filter(pk=connector_id).first()
        if health and connector:
            n = health.consecutive_failures
            sent += _transition(
                rule,
                subject=f"connector:{connector_id}",
                firing=n >= rule.threshold,
                summary=f"Connector '{connector.name}' failed or ended partial {n} runs in a row",
                details={
                    "connector": connector.name,
                    "nql_id": connector.nql_id,
                    "runs_in_a_row": n,
                    "last_status": health.last_status,
                    "last_error": health.last_error,
                    "last_success_at": health.last_success_at.isoformat()
                    if health.last_success_at
                    else None,
                },
                now=now,
            )
    rule = rules.get(AlertKind.CONNECTOR_SILENT)
    if rule and connector_id is not None:
        sent += _silent_evaluate(rule, now=now, connector_id=connector_id)
    for kind, count, what in (
        (AlertKind.UNHEALTHY_ABOVE, unhealthy_count, "unhealthy or in error"),
        (AlertKind.STUCK_ABOVE, lambda: stuck_count(now=now), "stuck in a transitional state"),
    ):
        rule = rules.get(kind)
        if rule:
            n = count()
            sent += _transition(
                rule,
                subject=FLEET,
                firing=n > rule.threshold,
                summary=f"{n} WorkSpaces are {what} (threshold {rule.threshold})",
                details={"count": n},
                now=now,
            )
    return sent


def _silent_evaluate(rule: AlertRule, *, now: datetime, connector_id: int | None = None) -> list:
    """Connectors that stopped running fire; those whose rule state is firing
    and that run again (or were disabled) resolve."""
    from .health_selectors import silent_connectors

    silent = {
        c.pk: c
        for c in silent_connectors(
            now=now, recurrences=max(rule.threshold, 1), connector_id=connector_id
        )
    }
    firing = AlertState.objects.filter(rule=rule, firing=True, subject__startswith="connector:")
    if connector_id is not None:
        firing = firing.filter(subject=f"connector:{connector_id}")
    was_firing = {int(s.split(":", 1)[1]) for s in firing.values_list("subject", flat=True)}
    names = dict(
        InboundConnector.objects.filter(pk__in=was_firing - set(silent)).values_list("pk", "name")
    )
    sent = []
    for pk in sorted(set(silent) | was_firing):
        connector = silent.get(pk)
        name = connector.name if connector else names.get(pk, f"#{pk}")
        details = {"connector": name}
        if connector:
            details.update(
                nql_id=connector.nql_id,
                recurrence_minutes=connector.recurrence,
                last_run_started_at=(
                    connector.last_started.isoformat() if connector.last_started else None
                ),
                silent_minutes=int(connector.silence.total_seconds() // 60),
            )
        last = (
            f"its last run started {connector.last_started:%Y-%m-%d %H:%M} UTC"
            if connector and connector.last_started
            else "it has not run since it was enabled"
        )
        sent += _transition(
            rule,
            subject=f"connector:{pk}",
            firing=connector is not None,
            summary=(
                f"Connector '{name}' has stopped running: {last} (beat or the workers may be down)"
                if connector
                else f"Connector '{name}' has stopped running"
            ),
            details=details,
            now=now,
        )
    return sent


def alerts_check_schedules(*, now: datetime | None = None) -> list:
    """The periodic check on beat: enabled connectors that stopped running."""
    now = now or timezone.now()
    rule = (
        AlertRule.objects.filter(kind=AlertKind.CONNECTOR_SILENT, enabled=True)
        .prefetch_related("channels")
        .first()
    )
    return _silent_evaluate(rule, now=now) if rule else []
