"""Beat's scheduler: django-celery-beat's DatabaseScheduler, without its
start-up blind spot.

DatabaseScheduler reads the schedule at start, but remembers the change
marker (PeriodicTasks.last_update) only at its first check after that, and
counts as changed only a marker newer than the remembered one. A connector
saved between the initial read and the first check, or the first change ever
made (no marker row yet), was therefore missed until the forced re-read five
minutes later: `make demo`'s connectors showed "Next run" in the past with
nothing running. Here the marker is taken *before* each full read, and any
different marker (absent before, or older: transactions commit out of order)
means the schedule changed.
"""

from __future__ import annotations

import logging

from django.db import DatabaseError, InterfaceError, close_old_connections, transaction
from django_celery_beat.schedulers import DatabaseScheduler

log = logging.getLogger(__name__)
_UNREAD = object()


class ChangeAwareScheduler(DatabaseScheduler):
    _read_marker = _UNREAD  # the change marker as of the last full read

    def all_as_schedule(self):
        try:
            self._read_marker = self.Changes.last_change()
        except (DatabaseError, InterfaceError):
            self._read_marker = _UNREAD  # unknown: the next check re-reads
        return super().all_as_schedule()

    def schedule_changed(self) -> bool:
        try:
            close_old_connections()
            try:
                transaction.commit()  # see the other processes' commits (MySQL-style isolation)
            except transaction.TransactionManagementError:
                pass  # not in a transaction
            marker = self.Changes.last_change()
        except (DatabaseError, InterfaceError) as exc:
            log.warning("beat: could not read the schedule's change marker: %r", exc)
            return False  # the database is away: keep the schedule, check again next tick
        # Changed whenever the marker is not the one the schedule was read
        # with; a full read follows and takes the new marker.
        return self._read_marker is _UNREAD or marker != self._read_marker
