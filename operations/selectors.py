"""Reads for the Operations page and the metrics: runs and devices from the
database (connectors' models), settings that exist."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Count
from django.utils import timezone

from connectors.choices import RunStatus
from connectors.models import InboundConnector, Run

RUN_WINDOW_HOURS = 24


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


def device_rollup():
    """The last recount of NQL's devices rollup (connectors/devices/rollup.py), or None."""
    from connectors.models import DeviceRollupBuild

    return DeviceRollupBuild.objects.filter(built_at__isnull=False).first()


def retention():
    """The retention periods and the last clean-up, as insight/ keeps and enforces them."""
    from insight.retention import retention_overview

    return retention_overview()
