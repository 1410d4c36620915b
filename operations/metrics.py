"""Prometheus metrics, computed from the database (and a bounded look at the
broker) at scrape time by one custom collector. Nothing is counted in process
memory, so every gunicorn process answers the same, whatever served the runs.

Labels carry connector types, statuses, API actions, WorkSpace states and
connector NQL IDs: never a name typed by a person, a host, an account, an ARN
or an External ID."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

from django.db.models import (
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    Max,
    OuterRef,
    Q,
    Subquery,
    Sum,
)
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily

from connectors.choices import RunStatus
from connectors.models import Device, InboundConnector, Run
from connectors.registry import connector_types

from . import probes


def _type_names() -> list[str]:
    return [connector_type.name for connector_type in connector_types()]


DURATION_BUCKETS = (1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600)
FINISHED = (RunStatus.SUCCEEDED, RunStatus.PARTIAL, RunStatus.FAILED)
REMOVED = "REMOVED"


def _runs():
    family = CounterMetricFamily(
        "nexthink_runs",
        "Runs recorded, by connector type and status (rows kept in the database).",
        labels=["connector_type", "status"],
    )
    counts = {
        (row["connector__connector_type"], row["status"]): row["n"]
        for row in Run.objects.values("connector__connector_type", "status").annotate(n=Count("id"))
    }
    for connector_type in _type_names():
        for status in RunStatus.values:
            family.add_metric([connector_type, status], counts.get((connector_type, status), 0))
    return family


def _durations():
    family = HistogramMetricFamily(
        "nexthink_run_duration_seconds",
        "Duration of finished runs, from claim to finish, by connector type.",
        labels=["connector_type"],
    )
    duration = ExpressionWrapper(F("finished_at") - F("started_at"), output_field=DurationField())
    buckets = {
        f"le_{i}": Count("id", filter=Q(duration__lte=timedelta(seconds=seconds)))
        for i, seconds in enumerate(DURATION_BUCKETS)
    }
    rows = {
        row["connector__connector_type"]: row
        for row in Run.objects.filter(started_at__isnull=False, finished_at__isnull=False)
        .annotate(duration=duration)
        .values("connector__connector_type")
        .annotate(n=Count("id"), total=Sum("duration"), **buckets)
    }
    for connector_type in _type_names():
        row = rows.get(connector_type) or {}
        total = row.get("total") or timedelta(0)
        family.add_metric(
            [connector_type],
            buckets=[
                (str(float(seconds)), row.get(f"le_{i}", 0))
                for i, seconds in enumerate(DURATION_BUCKETS)
            ]
            + [("+Inf", row.get("n", 0))],
            sum_value=max(total.total_seconds(), 0.0),
        )
    return family


def _api_calls():
    calls = CounterMetricFamily(
        "nexthink_api_calls",
        "AWS API calls made by runs, by connector type and action.",
        labels=["connector_type", "action"],
    )
    totals: dict[tuple[str, str], int] = defaultdict(int)
    rows = Run.objects.exclude(api_calls={}).values_list("connector__connector_type", "api_calls")
    for connector_type, per_action in rows.iterator(chunk_size=2000):
        for action, n in (per_action or {}).items():
            if isinstance(action, str) and action.isalnum() and isinstance(n, int):
                totals[(connector_type, action)] += n
    for (connector_type, action), n in sorted(totals.items()):
        calls.add_metric([connector_type, action], n)
    throttled = CounterMetricFamily(
        "nexthink_throttled_retries",
        "AWS calls retried after throttling, by connector type.",
        labels=["connector_type"],
    )
    sums = dict(
        Run.objects.values_list("connector__connector_type")
        .annotate(n=Sum("throttled"))
        .values_list("connector__connector_type", "n")
    )
    for connector_type in _type_names():
        throttled.add_metric([connector_type], sums.get(connector_type) or 0)
    return [calls, throttled]


def _devices():
    family = GaugeMetricFamily(
        "nexthink_devices",
        "Devices stored, by connector (NQL ID) and WorkSpace state; REMOVED: no longer seen.",
        labels=["connector", "state"],
    )
    active = (
        Device.objects.filter(removed_at__isnull=True)
        .values_list("connector__nql_id", "state")
        .annotate(n=Count("id"))
        .order_by("connector__nql_id", "state")
    )
    for nql_id, state, n in active:
        family.add_metric([nql_id, state or "UNKNOWN"], n)
    removed = (
        Device.objects.filter(removed_at__isnull=False)
        .values_list("connector__nql_id")
        .annotate(n=Count("id"))
        .order_by("connector__nql_id")
    )
    for nql_id, n in removed:
        family.add_metric([nql_id, REMOVED], n)
    return family


def _connectors():
    latest = Run.objects.filter(connector=OuterRef("pk"), status__in=FINISHED).order_by(
        "-finished_at", "-id"
    )
    rows = InboundConnector.objects.annotate(
        last_success=Max("runs__finished_at", filter=Q(runs__status=RunStatus.SUCCEEDED)),
        last_status=Subquery(latest.values("status")[:1]),
    ).values_list("nql_id", "enabled", "recurrence", "last_success", "last_status")
    success = GaugeMetricFamily(
        "nexthink_connector_last_success_timestamp_seconds",
        "When the connector's last successful run finished (Unix time; absent: never).",
        labels=["connector"],
    )
    failed = GaugeMetricFamily(
        "nexthink_connector_last_run_failed",
        "1 when the connector's last finished run failed, else 0.",
        labels=["connector"],
    )
    enabled = GaugeMetricFamily(
        "nexthink_connector_enabled",
        "1 when the connector runs on its schedule.",
        labels=["connector"],
    )
    recurrence = GaugeMetricFamily(
        "nexthink_connector_recurrence_seconds",
        "Seconds between scheduled runs.",
        labels=["connector"],
    )
    for nql_id, is_enabled, minutes, last_success, last_status in rows:
        if last_success is not None:
            success.add_metric([nql_id], last_success.timestamp())
        failed.add_metric([nql_id], 1 if last_status == RunStatus.FAILED else 0)
        enabled.add_metric([nql_id], 1 if is_enabled else 0)
        recurrence.add_metric([nql_id], minutes * 60)
    return [success, failed, enabled, recurrence]


def _processes():
    beat = probes.beat_status()
    yield GaugeMetricFamily(
        "nexthink_beat_last_heartbeat_timestamp_seconds",
        "When beat last recorded its heartbeat (Unix time; 0: never).",
        value=beat.last_beat.timestamp() if beat.last_beat else 0,
    )
    broker = probes.broker_ok()
    yield GaugeMetricFamily(
        "nexthink_broker_up", "1 when the broker (Redis) answers.", value=int(broker)
    )
    workers = probes.workers_count() if broker else 0
    yield GaugeMetricFamily(
        "nexthink_celery_workers",
        "Celery workers that answered a ping within the check timeout.",
        value=workers or 0,
    )
    depth = probes.queue_depth() if broker else None
    if depth is not None:
        yield GaugeMetricFamily(
            "nexthink_celery_queue_messages", "Tasks waiting in the queue.", value=depth
        )


class ConsoleCollector:
    def collect(self):
        yield _runs()
        yield _durations()
        yield from _api_calls()
        yield _devices()
        yield from _connectors()
        yield from _processes()


def metrics_text() -> bytes:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(ConsoleCollector())
    return generate_latest(registry)
