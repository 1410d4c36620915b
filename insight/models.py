"""Fleet history, health, alerts and clean-up records.

Nothing here grows with devices x runs: a run adds one FleetSnapshot (counts,
not devices), a device adds a DeviceState row once and a StateTransition row
only when its state changes. Every table is pruned by the clean-up task
(insight/retention.py) on beat."""

from django.core.exceptions import ValidationError
from django.db import models

from connectors.choices import WORKSPACE_PROBLEM_STATES


class FleetSnapshot(models.Model):
    """A compact picture of one connector's fleet, taken at the end of each
    succeeded run: counts per dimension (state, compute type, running mode,
    image, bundle...), pool-session counts and, once pools are collected,
    each pool's capacity."""

    connector = models.ForeignKey(
        "connectors.InboundConnector", on_delete=models.CASCADE, related_name="+"
    )
    run = models.OneToOneField(
        "connectors.Run", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    taken_at = models.DateTimeField()
    devices = models.PositiveIntegerField(default=0, help_text="Active devices seen.")
    workspaces = models.PositiveIntegerField(default=0, help_text="Personal WorkSpaces.")
    sessions = models.PositiveIntegerField(default=0, help_text="Pool sessions (pooled devices).")
    # AUTO_STOP WorkSpaces by the state this run sampled them in: the usage estimate.
    auto_stop_available = models.PositiveIntegerField(default=0)
    auto_stop_stopped = models.PositiveIntegerField(default=0)
    auto_stop_other = models.PositiveIntegerField(default=0)
    unhealthy = models.PositiveIntegerField(
        default=0, help_text="WorkSpaces UNHEALTHY, IMPAIRED or ERROR."
    )
    # {"state": {"AVAILABLE": 12, ...}, "compute_type": {...}, "running_mode": {...}, ...}
    counts = models.JSONField(default=dict, blank=True)
    # {"<pool id or name>": {"available": .., "desired": .., "actual": .., "active": ..}}
    pools = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-taken_at", "-id"]
        indexes = [
            models.Index(fields=["connector", "-taken_at"]),
            models.Index(fields=["taken_at"]),
        ]

    def __str__(self) -> str:
        return f"Snapshot of {self.connector_id} at {self.taken_at:%Y-%m-%d %H:%M}"


class SnapshotHour(models.Model):
    """The sums of one connector's snapshots over one UTC hour, added to by
    each snapshot as it is written (services.snapshot_record; recounted by
    services.snapshot_hours_rebuild after snapshots written in bulk): the
    Usage page reads 24 of these per connector and day, not the 96
    snapshots of a day at a 15-minute recurrence, so its 30 days cost the
    same whatever the recurrence."""

    connector = models.ForeignKey(
        "connectors.InboundConnector", on_delete=models.CASCADE, related_name="+"
    )
    hour = models.DateTimeField(help_text="Start of the UTC hour.")
    snapshots = models.PositiveIntegerField(default=0)
    last = models.BigIntegerField(default=0, help_text="Id of the hour's newest snapshot.")
    sessions = models.BigIntegerField(default=0)
    auto_stop_available = models.BigIntegerField(default=0)
    auto_stop_stopped = models.BigIntegerField(default=0)
    auto_stop_other = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["connector", "hour"], name="snapshothour_unique")
        ]
        indexes = [models.Index(fields=["hour"])]

    def __str__(self) -> str:
        return f"Snapshots of {self.connector_id} in {self.hour:%Y-%m-%d %H}h UTC"


class DeviceState(models.Model):
    """The state a device was last seen in, and since when (one row per device)."""

    device = models.OneToOneField(
        "connectors.Device", on_delete=models.CASCADE, related_name="insight_state"
    )
    state = models.CharField(max_length=32, blank=True)
    since = models.DateTimeField(help_text="When a run first saw the device in this state.")
    since_first_seen = models.BooleanField(
        default=False,
        help_text="The state has not changed since the device was first tracked: "
        "it may have been in it for longer.",
    )

    class Meta:
        indexes = [
            # Likely unused (usage_selectors.unused_page): STOPPED WorkSpaces,
            # the longest first, paged and counted up to 1,000 in this order;
            # the device id too, so the count joins to the device from here.
            models.Index(fields=["state", "since", "id", "device"], name="devicestate_state_since"),
            # The Health page's problem WorkSpaces, the longest-standing first:
            # read in this order, a page stops after its rows instead of
            # sorting every problem WorkSpace (SQLite needs the condition's
            # literal values in the query: health_selectors.InConstants).
            models.Index(
                fields=["since", "id"],
                condition=models.Q(state__in=WORKSPACE_PROBLEM_STATES),
                name="devicestate_problem_since",
            ),
            # The Health page counts problem WorkSpaces with their tracked state
            # and since: read from this index, not from each state's row.
            models.Index(fields=["device", "state", "since"], name="devicestate_device_state"),
        ]

    def __str__(self) -> str:
        return f"{self.device_id}: {self.state} since {self.since:%Y-%m-%d %H:%M}"


class StateTransition(models.Model):
    """A device seen in a new state by a run (only changes are stored)."""

    device = models.ForeignKey(
        "connectors.Device", on_delete=models.CASCADE, related_name="insight_transitions"
    )
    connector = models.ForeignKey(
        "connectors.InboundConnector", on_delete=models.CASCADE, related_name="+"
    )
    run = models.ForeignKey(
        "connectors.Run", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    from_state = models.CharField(max_length=32, blank=True)
    to_state = models.CharField(max_length=32)
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["device", "-at"]),
            models.Index(fields=["at"]),
        ]

    def __str__(self) -> str:
        return f"{self.device_id}: {self.from_state or '(new)'} -> {self.to_state}"


class ConnectorHealth(models.Model):
    """Each connector's run streak, updated as every run finishes."""

    connector = models.OneToOneField(
        "connectors.InboundConnector", on_delete=models.CASCADE, related_name="insight_health"
    )
    last_status = models.CharField(max_length=16, blank=True)
    last_run_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    failing_since = models.DateTimeField(null=True, blank=True)
    consecutive_failures = models.PositiveIntegerField(
        default=0, help_text="Runs in a row that failed or ended partial."
    )
    last_error = models.CharField(max_length=255, blank=True)

    def __str__(self) -> str:
        return f"{self.connector_id}: {self.last_status} ({self.consecutive_failures} in a row)"


class CleanupRecord(models.Model):
    """One pass of the retention clean-up: when, how long, what it deleted."""

    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    deleted = models.JSONField(default=dict, blank=True)
    error = models.CharField(max_length=255, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"Clean-up at {self.started_at:%Y-%m-%d %H:%M}"


class AlertKind(models.TextChoices):
    CONNECTOR_FAILING = "connector_failing", "A connector failed or ended partial N runs in a row"
    UNHEALTHY_ABOVE = "unhealthy_above", "More than N WorkSpaces are unhealthy or in error"
    STUCK_ABOVE = "stuck_above", "More than N WorkSpaces are stuck in a transitional state"
    CONNECTOR_SILENT = (
        "connector_silent",
        "An enabled connector has not started a run for N of its recurrences",
    )


class ChannelKind(models.TextChoices):
    EMAIL = "email", "E-mail"
    WEBHOOK = "webhook", "Webhook"


class AlertChannel(models.Model):
    """Where alerts go: e-mail recipients, or a webhook URL that receives a JSON body."""

    name = models.CharField(max_length=100, unique=True)
    kind = models.CharField(max_length=16, choices=ChannelKind.choices)
    recipients = models.TextField(
        blank=True, help_text="E-mail addresses, one a line or separated by commas."
    )
    url = models.URLField(
        "Webhook URL",
        max_length=500,
        blank=True,
        help_text="http or https; the JSON body is POSTed here and nowhere else "
        "(redirects are not followed).",
    )
    secret = models.CharField(
        max_length=200,
        blank=True,
        help_text="Optional. Signs each body (HMAC-SHA256 in the X-Signature-256 header). "
        "Never shown again once saved.",
    )
    enabled = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.kind == ChannelKind.EMAIL and not self.recipients.strip():
            raise ValidationError({"recipients": "Give at least one e-mail address."})
        if self.kind == ChannelKind.WEBHOOK and not self.url:
            raise ValidationError({"url": "Give the URL the webhook is sent to."})


class AlertRule(models.Model):
    """A condition to watch, its threshold, and the channels told when it starts and ends."""

    kind = models.CharField(max_length=32, choices=AlertKind.choices, unique=True)
    threshold = models.PositiveIntegerField(default=3)
    enabled = models.BooleanField(default=True)
    channels = models.ManyToManyField(AlertChannel, blank=True, related_name="rules")

    class Meta:
        ordering = ["kind"]

    def __str__(self) -> str:
        return self.get_kind_display().replace("N", str(self.threshold), 1)


class AlertState(models.Model):
    """Whether a rule is firing for a subject (a connector, or the fleet), so
    an alert is sent when the condition starts and when it ends, not every run."""

    rule = models.ForeignKey(AlertRule, on_delete=models.CASCADE, related_name="states")
    subject = models.CharField(max_length=64)
    firing = models.BooleanField(default=False)
    since = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["rule", "subject"], name="alert_state_per_subject")
        ]

    def __str__(self) -> str:
        return f"{self.rule_id}/{self.subject}: {'firing' if self.firing else 'ok'}"


class AlertDelivery(models.Model):
    """One alert sent (or attempted) to one channel: the history page."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    created_at = models.DateTimeField()
    channel = models.ForeignKey(
        AlertChannel, null=True, blank=True, on_delete=models.SET_NULL, related_name="deliveries"
    )
    channel_name = models.CharField(max_length=100)
    rule_kind = models.CharField(max_length=32, blank=True, help_text="Blank for a test.")
    event = models.CharField(max_length=16, default="firing")  # firing, resolved, test
    subject = models.CharField(max_length=255)
    payload = models.JSONField(default=dict)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["created_at"])]
        verbose_name_plural = "alert deliveries"

    def __str__(self) -> str:
        return f"{self.subject} -> {self.channel_name} ({self.status})"
