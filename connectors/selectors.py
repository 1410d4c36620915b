"""Reads of connectors and runs, shaped for the pages (constant query count)."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from .devices.cache import cached_counts
from .models import Device, InboundConnector, Run


def connector_active_device_counts() -> dict[int, int]:
    """Active devices per connector: one GROUP BY, cached until devices change."""

    def compute() -> dict[int, int]:
        rows = (
            Device.objects.filter(removed_at__isnull=True)
            .order_by()
            .values_list("connector")
            .annotate(n=Count("pk"))
        )
        return dict(rows)

    return cached_counts("devices-per-connector", "", compute)


def with_device_counts(connectors):
    """Set `device_count` on each connector (no query per connector)."""
    counts = connector_active_device_counts()
    for connector in connectors:
        connector.device_count = counts.get(connector.pk, 0)
    return connectors


def connector_list() -> QuerySet[InboundConnector]:
    last_run = (
        Run.objects.filter(connector=OuterRef("pk"))
        .exclude(status="skipped")
        .order_by("-created_at", "-id")
    )
    return (
        InboundConnector.objects.select_related(
            "credential", "periodic_task", "periodic_task__interval"
        )
        .annotate(
            last_run_status=Subquery(last_run.values("status")[:1]),
            last_run_at=Subquery(last_run.values("created_at")[:1]),
        )
        .order_by("name")
    )


def connector_detail(*, pk: int) -> InboundConnector:
    return connector_list().get(pk=pk)


def connector_next_run(
    connector: InboundConnector, *, now: datetime | None = None
) -> datetime | None:
    """When beat will next fire the connector (None when disabled)."""
    task = connector.periodic_task
    if not connector.enabled or task is None or not task.enabled:
        return None
    now = now or timezone.now()
    # Beat saves last_run_at only every few minutes: the newest run row is fresher.
    known = [
        t for t in (task.last_run_at, getattr(connector, "last_run_at", None)) if t is not None
    ]
    if not known:
        return now
    return max(max(known) + timedelta(minutes=connector.recurrence), now)


def connector_runs(*, connector: InboundConnector) -> QuerySet[Run]:
    return (
        Run.objects.filter(connector=connector)
        .select_related("triggered_by")
        .order_by("-created_at", "-id")
    )


def run_list(
    *,
    connector: InboundConnector,
    status: str = "",
    since: date | None = None,
    until: date | None = None,
) -> QuerySet[Run]:
    """A connector's runs, newest first, of one status and queued within a
    range of days (both ends included, days of the current time zone)."""
    runs = connector_runs(connector=connector)
    if status:
        runs = runs.filter(status=status)
    zone = timezone.get_current_timezone()
    if since:
        runs = runs.filter(created_at__gte=datetime.combine(since, time.min, tzinfo=zone))
    if until:
        end = datetime.combine(until + timedelta(days=1), time.min, tzinfo=zone)
        runs = runs.filter(created_at__lt=end)
    return runs


def connector_active_run(*, connector: InboundConnector) -> Run | None:
    return (
        Run.objects.filter(connector=connector, status__in=["queued", "running"])
        .order_by("-created_at")
        .first()
    )


def connector_device_counts(*, connector: InboundConnector) -> dict[str, int]:
    return Device.objects.filter(connector=connector).aggregate(
        active=Count("pk", filter=Q(removed_at__isnull=True)),
        removed=Count("pk", filter=Q(removed_at__isnull=False)),
    )


@dataclass
class RunProgress:
    """How far a running run is, estimated from the connector's last complete run."""

    seen: int
    expected: int | None  # devices of the last succeeded run; None: nothing to go by
    elapsed_seconds: float

    @property
    def percent(self) -> int | None:
        if not self.expected:
            return None
        return min(99, round(100 * self.seen / self.expected))  # 100 % only when it ends

    @property
    def elapsed(self) -> str:
        minutes, seconds = divmod(int(self.elapsed_seconds), 60)
        return f"{minutes} min {seconds:02d} s" if minutes else f"{seconds} s"


def run_progress(run: Run, *, now: datetime | None = None) -> RunProgress:
    """One query: the device count of the connector's previous succeeded run."""
    expected = (
        Run.objects.filter(connector_id=run.connector_id, status="succeeded", seen__gt=0)
        .exclude(pk=run.pk)
        .order_by("-created_at", "-id")
        .values_list("seen", flat=True)
        .first()
    )
    start = run.started_at or run.created_at
    elapsed = max(0.0, ((now or timezone.now()) - start).total_seconds()) if start else 0.0
    return RunProgress(seen=run.seen, expected=expected, elapsed_seconds=elapsed)
