"""Logs an operator can ship: with LOG_FORMAT=json every record is one JSON
object on one line. A run's records carry its run id and its connector's NQL
ID as fields (from `extra=` when the caller gives them, else from the task
being run in this worker).

Only the fields below are written: never the record's arguments, `extra`
values outside this list, or the process's environment, so nothing that
holds a secret reaches the log through the formatter."""

from __future__ import annotations

import json
import logging
from contextvars import ContextVar
from datetime import UTC, datetime

RUN_TASK = "connectors.tasks.run_connector"
_run_id: ContextVar[int | None] = ContextVar("run_id", default=None)
_connector_pk: ContextVar[int | None] = ContextVar("connector_pk", default=None)
_connector_nql_id: ContextVar[str | None] = ContextVar("connector_nql_id", default=None)


class JsonLinesFormatter(logging.Formatter):
    """One event per line: time, level, logger, message, run_id and
    connector_nql_id when known, the exception's traceback when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        event: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        run_id = getattr(record, "run_id", None) or _run_id.get()
        nql_id = getattr(record, "connector_nql_id", None) or _connector_nql_id.get()
        if run_id is not None:
            event["run_id"] = run_id
        if nql_id:
            event["connector_nql_id"] = nql_id
        if record.exc_info:
            event["exception"] = self.formatException(record.exc_info)
        return json.dumps(event, default=str, ensure_ascii=False)


def _task_started(sender=None, args=None, kwargs=None, **_) -> None:
    if getattr(sender, "name", None) != RUN_TASK:
        return
    from connectors.models import InboundConnector

    args, kwargs = list(args or ()), dict(kwargs or {})
    connector_id = kwargs.get("connector_id", args[0] if args else None)
    run_id = kwargs.get("run_id", args[1] if len(args) > 1 else None)
    if not isinstance(connector_id, int):
        return
    _connector_pk.set(connector_id)
    _connector_nql_id.set(
        InboundConnector.objects.filter(pk=connector_id).values_list("nql_id", flat=True).first()
    )
    _run_id.set(run_id if isinstance(run_id, int) else None)


def _task_ended(**_) -> None:
    for var in (_run_id, _connector_pk, _connector_nql_id):
        var.set(None)


def _run_created(sender, instance, created: bool, **_) -> None:
    """A scheduled run's row is created inside the task: name it from then on."""
    if created and _connector_pk.get() == instance.connector_id:
        _run_id.set(instance.pk)


def connect_run_context() -> None:
    from celery.signals import task_postrun, task_prerun
    from django.db.models.signals import post_save

    from connectors.models import Run

    task_prerun.connect(_task_started, weak=False, dispatch_uid="operations.logs.started")
    task_postrun.connect(_task_ended, weak=False, dispatch_uid="operations.logs.ended")
    post_save.connect(_run_created, sender=Run, weak=False, dispatch_uid="operations.logs.run")


def use_json_lines(logger: logging.Logger) -> None:
    """Give every handler of `logger` the JSON-lines format (Celery's own
    logging set-up in the worker and beat, when LOG_FORMAT=json)."""
    for handler in logger.handlers:
        handler.setFormatter(JsonLinesFormatter())
    logging.captureWarnings(True)  # Python warnings become records too, not raw lines
