"""What every inbound connector type shares: the connector, its runs, the
devices it enriches and their history of changes."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse

from ..choices import ConnectorType, Recurrence, RunStatus, RunTrigger


class NqlIdLocked(ValidationError):
    """Raised when anything tries to change a saved connector's NQL ID."""

    def __init__(self) -> None:
        super().__init__(
            "The NQL ID cannot be changed after the connector is saved.", code="nql_id_locked"
        )


class ConnectorQuerySet(models.QuerySet):
    def update(self, **kwargs):
        if "nql_id" in kwargs:
            raise NqlIdLocked()
        return super().update(**kwargs)

    def bulk_update(self, objs, fields, *args, **kwargs):
        if "nql_id" in fields:
            raise NqlIdLocked()
        return super().bulk_update(objs, fields, *args, **kwargs)


class InboundConnector(models.Model):
    name = models.CharField(
        max_length=100, help_text="A meaningful name; it appears on the administration pages."
    )
    nql_id = models.CharField(
        "NQL ID",
        max_length=64,
        unique=True,
        help_text="Identifies the connector in NQL queries. Lowercase letters, digits and underscores,"
        " starting with a letter. It cannot be changed after the first save.",
    )
    connector_type = models.CharField(
        max_length=32,
        choices=ConnectorType.choices,
        default=ConnectorType.AWS_WORKSPACES,
        editable=False,
    )
    description = models.TextField(
        blank=True, max_length=2000, help_text="The purpose and behaviour of the connector."
    )
    recurrence = models.PositiveIntegerField(
        choices=Recurrence.choices,
        default=Recurrence.HOURLY,
        help_text="How often the connector runs.",
    )
    credential = models.ForeignKey(
        "credentials.Credential",
        on_delete=models.PROTECT,
        related_name="connectors",
        help_text="The AWS IAM credential used to assume the role in the customer's account.",
    )
    region = models.CharField(
        max_length=32, help_text="The AWS region where the WorkSpaces are, such as us-east-1."
    )
    environment_name = models.CharField(
        max_length=100,
        help_text="Enriched devices reference this name in NQL (virtualization.environment_name).",
    )
    enabled = models.BooleanField(
        default=True, help_text="Disabled connectors do not run on their schedule."
    )
    periodic_task = models.OneToOneField(
        "django_celery_beat.PeriodicTask",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ConnectorQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = "inbound connector"
        indexes = [models.Index(fields=["region"]), models.Index(fields=["enabled"])]

    def __str__(self) -> str:
        return self.name

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._saved_nql_id = instance.__dict__.get("nql_id")
        return instance

    def save(self, *args, **kwargs):
        # The model layer itself refuses an NQL ID change, whatever the caller.
        if self.pk is not None:
            saved = getattr(self, "_saved_nql_id", None)
            if saved is None:
                saved = (
                    type(self).objects.filter(pk=self.pk).values_list("nql_id", flat=True).first()
                )
            if saved is not None and saved != self.nql_id:
                raise NqlIdLocked()
        super().save(*args, **kwargs)
        self._saved_nql_id = self.nql_id

    def get_absolute_url(self) -> str:
        return reverse("connectors:detail", args=[self.pk])

    @property
    def beat_task_name(self) -> str:
        return f"connector:{self.pk}"


class Run(models.Model):
    connector = models.ForeignKey(InboundConnector, on_delete=models.CASCADE, related_name="runs")
    status = models.CharField(max_length=16, choices=RunStatus.choices, default=RunStatus.QUEUED)
    trigger = models.CharField(
        max_length=16, choices=RunTrigger.choices, default=RunTrigger.SCHEDULE
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    lease_expires_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="A running run whose lease has expired was left by a dead worker.",
    )
    owner = models.CharField(
        max_length=64, blank=True, help_text="Token of the worker that claimed the run."
    )
    worker = models.CharField(
        max_length=255, blank=True, help_text="The Celery worker (host name) that ran it."
    )
    triggered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    seen = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    removed = models.PositiveIntegerField(default=0)
    pages_fetched = models.PositiveIntegerField(default=0)
    api_calls = models.JSONField(default=dict, blank=True, help_text="API calls made, per action.")
    throttled = models.PositiveIntegerField(default=0, help_text="Calls retried after throttling.")
    error_code = models.CharField(max_length=128, blank=True)
    error_message = models.TextField(blank=True)
    error_action = models.CharField(max_length=64, blank=True)
    request_id = models.CharField(max_length=128, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["connector"],
                condition=models.Q(status="running"),
                name="one_running_run_per_connector",
            )
        ]
        indexes = [
            models.Index(fields=["connector", "-created_at"]),
            models.Index(fields=["status", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"Run {self.pk} of {self.connector_id} ({self.status})"

    @property
    def duration_seconds(self) -> float | None:
        if self.started_at and self.finished_at:
            return (self.finished_at - self.started_at).total_seconds()
        return None

    @property
    def total_api_calls(self) -> int:
        return sum(self.api_calls.values()) if self.api_calls else 0

    @property
    def is_active(self) -> bool:
        return self.status in (RunStatus.QUEUED, RunStatus.RUNNING)
