"""Beat's heartbeat. The scheduler beat runs (django-celery-beat's
DatabaseScheduler made change-aware by nexthink_admin/beat_scheduler.py,
configured as CELERY_BEAT_SCHEDULER) writes the time of its
tick to the database every HEARTBEAT_EVERY seconds, so the web server, which
shares the database but not the process, can tell whether beat is alive.

It beats from inside the scheduler loop, not from a side thread: a beat whose
loop is stuck stops beating. (DatabaseScheduler already closes stale database
connections on every pass, so a restarted database is reconnected.)"""

import logging
import time

from django.db import DatabaseError

from nexthink_admin.beat_scheduler import ChangeAwareScheduler

from .models import BEAT
from .services import heartbeat_record

log = logging.getLogger(__name__)
HEARTBEAT_EVERY = 10.0  # seconds; beat's loop wakes at least every 5 s


class HeartbeatScheduler(ChangeAwareScheduler):
    _last_heartbeat = 0.0

    def tick(self, *args, **kwargs):
        interval = super().tick(*args, **kwargs)
        self.heartbeat()
        return interval

    def heartbeat(self, *, force: bool = False) -> None:
        now = time.monotonic()
        if not force and now - self._last_heartbeat < HEARTBEAT_EVERY:
            return
        try:
            heartbeat_record(name=BEAT)
        except DatabaseError as exc:  # beat keeps scheduling; the console shows it silent
            log.warning("beat could not record its heartbeat: %s", type(exc).__name__)
            return
        self._last_heartbeat = now
