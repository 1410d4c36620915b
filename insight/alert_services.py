"""Writes of the alert configuration (channels and rules), audited. A
channel's secret and its webhook URL (whose path often holds a token) are
never written to the audit trail."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from nexthink_admin.audit import audit_diff, audit_record, audit_snapshot

from .alerts import url_display
from .models import AlertChannel, AlertKind, AlertRule

AUDITED = ("name", "kind", "recipients", "enabled")


@dataclass
class ChannelData:
    name: str
    kind: str
    recipients: str = ""
    url: str | None = None  # None: keep the saved URL
    secret: str | None = None  # None: keep; "": clear
    enabled: bool = True


def _audit_values(channel: AlertChannel) -> dict:
    values = audit_snapshot(channel, AUDITED)
    values["url"] = url_display(channel.url)
    values["signed"] = bool(channel.secret)
    return values


def channel_save(*, data: ChannelData, channel: AlertChannel | None = None, user=None):
    with transaction.atomic():
        before = _audit_values(channel) if channel else {}
        channel = channel or AlertChannel()
        channel.name, channel.kind = data.name, data.kind
        channel.recipients, channel.enabled = data.recipients, data.enabled
        if data.url is not None:
            channel.url = data.url
        if data.secret is not None:
            channel.secret = data.secret
        if channel.kind != "webhook":
            channel.url, channel.secret = "", ""
        created = channel.pk is None
        channel.save()
        audit_record(
            actor=user,
            action="created" if created else "updated",
            obj=channel,
            object_type="alert channel",
            changes=audit_diff(before, _audit_values(channel)),
        )
    return channel


def channel_delete(*, channel: AlertChannel, user=None) -> None:
    with transaction.atomic():
        audit_record(actor=user, action="deleted", obj=channel, object_type="alert channel")
        channel.delete()


def rule_save(
    *, kind: str, threshold: int, enabled: bool, channels: list[AlertChannel], user=None
) -> AlertRule:
    if kind not in AlertKind.values:
        raise ValueError(f"unknown alert kind {kind!r}")
    with transaction.atomic():
        rule, created = AlertRule.objects.get_or_create(
            kind=kind, defaults={"threshold": threshold}
        )
        before = {} if created else {"threshold": rule.threshold, "enabled": rule.enabled}
        rule.threshold, rule.enabled = threshold, enabled
        rule.save()
        rule.channels.set(channels)
        audit_record(
            actor=user,
            action="created" if created else "updated",
            obj=rule,
            object_type="alert rule",
            changes={
                **audit_diff(before, {"threshold": threshold, "enabled": enabled}),
                "channels": [None, ", ".join(c.name for c in channels)],
            },
        )
    return rule
