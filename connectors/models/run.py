"""A run: one collection of a connector, from queued to finished."""

from django.conf import settings
from django.db import models

from ..choices import RunStatus, RunTrigger
from .connector import InboundConnector


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
            # The devices rollup's refresh asks whether a run ended since its last build.
            models.Index(fields=["finished_at"], name="run_finished_at"),
        ]

    def __str__(self) -> str:
        """ "AWS EU run #6, succeeded" (admin, audit and logs read it)."""
        return f"{self.connector.name} run #{self.pk}, {self.get_status_display().lower()}"

    @property
    def duration_seconds(self) -> float | None:
        if self.started_at and self.finished_at:
            return (self.finished_at - self.started_at).total_seconds()
        return None

    @property
    def total_api_calls(self) -> int:
        return sum(self.api_calls.values()) if self.api_calls else 0
