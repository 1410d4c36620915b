"""Reads for the overview (home) page: a constant number of queries, each a
single aggregate or GROUP BY, whatever the number of devices and runs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode

from django.db.models import Count, Q
from django.db.models.functions import TruncDate
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils import timezone

from .. import selectors
from ..choices import RunStatus
from ..models import InboundConnector, Run
from ..models.device import Device
from .cache import cached_counts
from .selectors import EMPTY_VALUE

TOP = 10
RUN_DAYS = 14
CONNECTORS_SHOWN = 10
RUN_SERIES = tuple(s.value for s in (RunStatus.SUCCEEDED, RunStatus.PARTIAL, RunStatus.FAILED))
# (Device attribute, Devices page filter, title) of the device breakdowns.
DEVICE_BREAKDOWNS = (
    ("region", "region", "Devices by region"),
    ("pool_type", "pool_type", "Devices by desktop pool type"),
    ("instance_size", "instance_size", "Devices by instance size"),
    ("disk_image", "disk_image", "Devices by disk image"),
)


@dataclass
class Bar:
    label: str
    value: int
    url: str = ""  # the Devices page filtered on this value; none for "Other"
    other: bool = False


@dataclass
class Breakdown:
    title: str
    bars: list[Bar]


@dataclass
class DayRuns:
    day: date
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def overview_totals() -> dict[str, int]:
    """Active and removed devices, and connectors: two queries."""
    totals = Device.objects.aggregate(
        active=Count("id", filter=Q(removed_at__isnull=True)),
        removed=Count("id", filter=Q(removed_at__isnull=False)),
    )
    totals["connectors"] = InboundConnector.objects.count()
    return totals


def overview_fleet() -> tuple[dict[str, int], list[Breakdown]]:
    """The totals and the breakdowns, cached together until devices change."""

    def compute() -> tuple[dict[str, int], list[Breakdown]]:
        totals = overview_totals()
        return totals, (overview_breakdowns() if totals["active"] else [])

    return cached_counts("overview", "", compute)


def overview_devices_by(*, attr: str, param: str, title: str, top: int = TOP) -> Breakdown:
    """Active devices per value of one field: the `top` largest, then the rest as "Other"."""
    rows = list(
        Device.objects.filter(removed_at__isnull=True)
        .order_by()
        .values_list(attr)
        .annotate(n=Count("id"))
        .order_by("-n", attr)
    )
    base = reverse("devices:list")
    bars = [
        Bar(
            label=value or "(blank)",
            value=n,
            url=f"{base}?{urlencode({param: value or EMPTY_VALUE})}",
        )
        for value, n in rows[:top]
    ]
    rest = rows[top:]
    if rest:
        bars.append(
            Bar(
                label=f"Other ({len(rest)} value{pluralize(len(rest))})",
                value=sum(n for _, n in rest),
                other=True,
            )
        )
    return Breakdown(title=title, bars=bars)


def overview_breakdowns() -> list[Breakdown]:
    return [
        overview_devices_by(attr=attr, param=param, title=title)
        for attr, param, title in DEVICE_BREAKDOWNS
    ]


def overview_connectors(*, limit: int = CONNECTORS_SHOWN) -> list[InboundConnector]:
    """Connectors with their active devices and last run (one query)."""
    return selectors.with_device_counts(list(selectors.connector_list()[:limit]))


def overview_runs_by_day(*, days: int = RUN_DAYS, now: datetime | None = None) -> list[DayRuns]:
    """Finished runs per local day over the last `days` days, per status (one query)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    first = today - timedelta(days=days - 1)
    start = timezone.make_aware(datetime.combine(first, time.min))
    rows = (
        Run.objects.filter(created_at__gte=start, status__in=RUN_SERIES)
        .annotate(day=TruncDate("created_at"))
        .order_by()
        .values_list("day", "status")
        .annotate(n=Count("id"))
    )
    by_day = {first + timedelta(days=i): dict.fromkeys(RUN_SERIES, 0) for i in range(days)}
    for day, status, n in rows:
        if day in by_day:
            by_day[day][status] = n
    return [DayRuns(day=day, counts=counts) for day, counts in by_day.items()]


@dataclass
class NextStep:
    """The one set-up step still missing, for the overview's "Get started"."""

    key: str  # credential, role_arn, connector, run, wait, no_devices
    title: str
    text: str
    url: str
    action: str  # the link's text
    post_url: str = ""  # set: the action is a button posting here (Run now), url the fallback


def overview_next_step(totals: dict[str, int]) -> NextStep | None:
    """None once any device was collected; otherwise the first missing step of
    credential -> its Role ARN -> connector -> a run -> devices. A few queries,
    only while the console is being set up."""
    from credentials.models import Credential

    if totals["active"] + totals["removed"]:
        return None
    credentials = Credential.objects.order_by("pk")
    if not credentials.exists():
        return NextStep(
            "credential",
            "Create a connector credential",
            "The console reads AWS through an IAM role in your account: the credential "
            "gives you its External ID and the policies the role needs.",
            reverse("credentials:create"),
            "Create a credential",
        )
    if not credentials.exclude(role_arn="").exists():
        credential = credentials.first()
        return NextStep(
            "role_arn",
            "Add the Role ARN to your credential",
            f"Create the role in AWS with the policies “{credential.name}” shows, then "
            "enter its Role ARN on the credential.",
            reverse("credentials:edit", args=[credential.pk]),
            f"Edit {credential.name}",
        )
    if not totals["connectors"]:
        return NextStep(
            "connector",
            "Create an inbound connector",
            "Choose AWS WorkSpaces, the credential, a region and an environment name.",
            reverse("connectors:choose_type"),
            "Create a connector",
        )
    connector = InboundConnector.objects.order_by("pk").first()
    last = Run.objects.filter(connector__isnull=False).order_by("-created_at", "-id").first()
    if last is None:
        return NextStep(
            "run",
            "Run the connector",
            f"“{connector.name}” has not run yet: it runs on its recurrence, or now. "
            "Its page then shows the run's progress.",
            connector.get_absolute_url(),
            f"Open {connector.name}",
            post_url=reverse("connectors:run_now", args=[connector.pk]),
        )
    if last.status in (RunStatus.QUEUED, RunStatus.RUNNING):
        return NextStep(
            "wait",
            "Wait for the first run",
            f"A run of “{last.connector.name}” is {last.status}: devices appear when it ends.",
            last.connector.get_absolute_url(),
            f"Follow the run of {last.connector.name}",
        )
    return NextStep(
        "no_devices",
        "No device collected yet",
        f"The last run of “{last.connector.name}” {last.get_status_display().lower()} "
        "without devices: its page says why (an error, or no WorkSpaces in that region).",
        last.connector.get_absolute_url(),
        f"Open {last.connector.name}",
    )
