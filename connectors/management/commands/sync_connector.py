"""Run one collection in the foreground, for operators."""

from django.core.management.base import BaseCommand, CommandError

from connectors.choices import RunStatus, RunTrigger
from connectors.models import InboundConnector
from connectors.runs import run_execute


class Command(BaseCommand):
    help = "Collect one connector now, in the foreground; exits non-zero if the run fails."

    def add_arguments(self, parser):
        parser.add_argument("nql_id", help="The connector's NQL ID.")

    def handle(self, *args, nql_id: str, **options) -> None:
        connector = InboundConnector.objects.filter(nql_id=nql_id).first()
        if connector is None:
            known = (
                ", ".join(InboundConnector.objects.values_list("nql_id", flat=True)[:20]) or "none"
            )
            raise CommandError(f"No connector with NQL ID '{nql_id}' (known: {known}).")
        parameters = "".join(f"{p.value}, " for p in connector.parameter_values)
        self.stdout.write(
            f"Collecting {connector.name} ({parameters}environment {connector.environment_name})..."
        )

        def progress(run) -> None:
            self.stdout.write(f"  {run.pages_fetched} pages, {run.seen} devices so far")

        run = run_execute(
            connector_id=connector.pk, trigger=RunTrigger.COMMAND, on_progress=progress
        )
        if run is None:
            raise CommandError("Skipped: another run of this connector is in progress.")
        calls = ", ".join(f"{k} {v}" for k, v in sorted(run.api_calls.items())) or "none"
        self.stdout.write(
            f"Run {run.pk}: {run.status} in {run.duration_seconds or 0:.1f} s."
            f" Seen {run.seen}, created {run.created}, updated {run.updated},"
            f" unchanged {run.unchanged}, removed {run.removed}."
            f" API calls: {calls}; throttled {run.throttled}."
        )
        if run.status in (RunStatus.FAILED, RunStatus.PARTIAL):
            where = f" in {run.error_action}" if run.error_action else ""
            message = f"{run.error_code}{where}: {run.error_message}"
            if run.status == RunStatus.FAILED:
                raise CommandError(message)
            self.stderr.write(f"Partial: {message}")
