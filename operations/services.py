"""Writes of the operations app."""

from datetime import datetime

from django.utils import timezone

from .models import Heartbeat


def heartbeat_record(*, name: str, at: datetime | None = None) -> Heartbeat:
    """Record that `name` is alive now (one row per name, updated in place)."""
    beat, _ = Heartbeat.objects.update_or_create(name=name, defaults={"at": at or timezone.now()})
    return beat
