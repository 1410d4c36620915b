"""Writes to connectors. Views, forms, admin and commands call these."""

from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from nexthink_admin.audit import audit_diff, audit_record, audit_snapshot
from nexthink_admin.names import name_clean

from . import registry, schedules
from .choices import RunStatus, RunTrigger
from .models import InboundConnector, NqlIdLocked, Run
from .nql import nql_id_suggest


@dataclass(frozen=True)
class ConnectorData:
    name: str
    description: str
    recurrence: int
    credential_id: int
    environment_name: str
    nql_id: str = ""
    enabled: bool | None = None  # None: keep (new connectors start enabled)
    connector_type: str = ""  # a registered type; taken on creation only
    parameters: dict = field(default_factory=dict)  # as the type's parameter fields clean them


def _unique_nql_id(base: str) -> str:
    candidate, n = base, 2
    while InboundConnector.objects.filter(nql_id=candidate).exists():
        suffix = f"_{n}"
        candidate, n = f"{base[: 64 - len(suffix)]}{suffix}", n + 1
    return candidate


AUDITED = (
    "name",
    "nql_id",
    "description",
    "recurrence",
    "credential_id",
    "parameters",
    "environment_name",
    "enabled",
)


def connector_save(
    *, data: ConnectorData, connector: InboundConnector | None = None, user=None
) -> InboundConnector:
    """Create (connector=None) or update a connector and its schedule in one
    transaction. The NQL ID is taken on creation only; on update a different
    one raises NqlIdLocked."""
    creating = connector is None
    with transaction.atomic():
        # The audit's before-image is read, locked, inside the write's transaction.
        before = (
            {}
            if creating
            else audit_snapshot(
                InboundConnector.objects.select_for_update().get(pk=connector.pk), AUDITED
            )
        )
        if connector is None:
            connector = InboundConnector(
                connector_type=registry.connector_type(data.connector_type).name,
                nql_id=data.nql_id or _unique_nql_id(nql_id_suggest(data.name)),
                created_by=user if user and user.is_authenticated else None,
            )
        elif data.nql_id and data.nql_id != connector.nql_id:
            raise NqlIdLocked()
        connector.name = name_clean(data.name, what="connector name")
        connector.description = data.description.strip()
        connector.recurrence = data.recurrence
        connector.credential_id = data.credential_id
        connector.parameters = dict(data.parameters)
        connector.environment_name = data.environment_name.strip()
        if data.enabled is not None:
            connector.enabled = data.enabled
        connector.save()
        schedules.periodic_task_sync(connector=connector)
        changes = audit_diff(before, audit_snapshot(connector, AUDITED))
        if creating or changes:
            audit_record(
                actor=user,
                action="created" if creating else "changed",
                obj=connector,
                object_type="connector",
                changes=changes,
            )
    return connector


def connector_set_enabled(
    *, connector: InboundConnector, enabled: bool, user=None
) -> InboundConnector:
    with transaction.atomic():
        connector.enabled = enabled
        connector.save(update_fields=["enabled", "updated_at"])
        schedules.periodic_task_sync(connector=connector)
        audit_record(
            actor=user,
            action="enabled" if enabled else "disabled",
            obj=connector,
            object_type="connector",
        )
    return connector


def connector_delete(*, connector: InboundConnector, user=None) -> None:
    """Delete the connector, its schedule, its runs and its devices."""
    with transaction.atomic():
        # Locking the row first waits for a running batch to commit; a batch that
        # comes after then fails on the missing connector, and that run ends.
        InboundConnector.objects.select_for_update().filter(pk=connector.pk).first()
        audit_record(actor=user, action="deleted", obj=connector, object_type="connector")
        schedules.periodic_task_delete(connector=connector)
        connector.delete()


class RunNowRefused(Exception):
    """Run now did not queue a run; the message says why, for the user."""


class RunAlreadyActive(RunNowRefused):
    """A run of the connector is queued or running: nothing is wrong."""


# Publishing gives up quickly when the broker is down: the user is waiting.
PUBLISH_RETRY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.5, "interval_max": 1}


def connector_run_now(*, connector: InboundConnector, user=None) -> Run:
    """Queue a run at once, or raise RunNowRefused with no run left queued.

    The row and its audit event are written in one transaction that first
    locks the connector, so two clicks queue one run. The task is published
    after the commit (the worker must find the row); if publishing fails the
    run is failed at once, never left queued for ever."""
    from .runs import runs_reap_stale
    from .selectors import connector_active_run

    runs_reap_stale(connector=connector)  # a queued run whose task was lost must not block
    with transaction.atomic():
        InboundConnector.objects.select_for_update().filter(pk=connector.pk).first()
        active = connector_active_run(connector=connector)
        if active is not None:
            raise RunAlreadyActive(
                f"A run is already {active.get_status_display().lower()}; it was not started twice."
            )
        run = Run.objects.create(
            connector=connector,
            status=RunStatus.QUEUED,
            trigger=RunTrigger.MANUAL,
            triggered_by=user if user and user.is_authenticated else None,
        )
        audit_record(actor=user, action="run_requested", obj=connector, object_type="connector")
        transaction.on_commit(lambda: _run_publish(run=run), robust=False)
    return run


def _run_publish(*, run: Run) -> None:
    from .tasks import run_connector

    try:
        run_connector.apply_async(
            kwargs={"connector_id": run.connector_id, "run_id": run.pk},
            retry=True,
            retry_policy=PUBLISH_RETRY,
        )
    except Exception as exc:  # kombu OperationalError, redis errors: whatever the broker raised
        # Compare-and-set: only a run still queued is failed (an eager or
        # very fast worker may have claimed it already).
        Run.objects.filter(pk=run.pk, status=RunStatus.QUEUED).update(
            status=RunStatus.FAILED,
            finished_at=timezone.now(),
            error_code="NotQueued",
            error_message="The run could not be queued: the task queue (Redis) did not answer.",
        )
        raise RunNowRefused(
            "The run could not be queued: the task queue (Redis) did not answer. Check that"
            " Redis and the worker are running, then run it again."
        ) from exc
