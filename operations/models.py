"""Heartbeats: the last time a process that the web server cannot see (beat,
and anything else that runs on a schedule) said it was alive."""

from django.db import models

BEAT = "beat"


class Heartbeat(models.Model):
    name = models.CharField(max_length=64, unique=True, help_text="Who beats: beat, ...")
    at = models.DateTimeField(help_text="When it last beat.")

    class Meta:
        default_permissions = ()
        permissions = [
            ("view_operations", "Can see the Operations page: beat, workers, queue and runs")
        ]

    def __str__(self) -> str:
        return f"{self.name} at {self.at:%Y-%m-%d %H:%M:%S}"
