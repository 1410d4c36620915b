"""Reads for the Operations page and the metrics: runs and devices from the
database (connectors' models), settings that exist."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db.models import Count
from django.utils import timezone

from connectors.choices import RunStatus
from connectors.models import InboundConnector, Run

from .models import Heartbeat

RUN_WINDOW_HOURS = 24
# The retention clean-up (issue 15) records its last pass as this heartbeat.
RETENTION_HEARTBEAT = "retention"


def runs_per_status(*, hours: int = RUN_WINDOW_HOURS) -> list[tuple[str, str, int]]:
    """(status, label, runs created in the last `hours`) for every status, zeros included."""
    since = timezone.now() - timedelta(hours=hours)
    counts = dict(
        Run.objects.filter(created_at__gte=since)
        .values_list("status")
        .annotate(n=Count("id"))
        .values_list("status", "n")
    )
    return [(value, label, counts.get(value, 0)) for value, label in RunStatus.choices]


def connector_names(ids) -> dict[int, str]:
    return dict(InboundConnector.objects.filter(pk__in=set(ids)).values_list("pk", "name"))


@dataclass
class RetentionSetting:
    name: str
    value: object


def retention_settings() -> list[RetentionSetting]:
    """The RETENTION_* settings this deployment has, as they are: none, when
    retention is not part of it."""
    return [
        RetentionSetting(name=name, value=getattr(settings, name))
        for name in sorted(dir(settings))
        if name.startswith("RETENTION_")
        and isinstance(getattr(settings, name), int | float | timedelta)
    ]


def last_cleanup():
    return Heartbeat.objects.filter(name=RETENTION_HEARTBEAT).values_list("at", flat=True).first()
