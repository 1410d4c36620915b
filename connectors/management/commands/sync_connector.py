"""Run one collection in the foreground, for operators.

Exit codes (README.md): 0 succeeded, 1 failed, 2 bad usage or unknown
connector, 3 partial (stored what was known, removed nothing), 4 skipped
(another run of the connector is in progress)."""

from django.core.management.base import BaseCommand, CommandError

from connectors.choices import RunStatus, RunTrigger
from connectors.models import InboundConnector
from connectors.runs import run_execute

EXIT_FAILED, EXIT_USAGE, EXIT_PARTIAL, EXIT_SKIPPED = 1, 2, 3, 4


class Command(BaseCommand):
    help = (
        "Collect one connector now, in the foreground. Exit codes: 0 succeeded, 1 failed,"
        " 2 bad usage or unknown connector, 3 partial, 4 skipped (a run was in progress)."
    )

    def add_arguments(self, parser):
        parser.add_argument("nql_id", help="The connector's NQL ID.")

    def handle(self, *args, nql_id: str, **options) -> None:
        connector = InboundConnector.objects.filter(nql_id=nql_id).first()
        if connector is None:
            known = (
                ", ".join(InboundConnector.objects.values_list("nql_id", flat=True)[:20]) or "none"
            )
            raise CommandError(
                f"No connector with NQL ID '{nql_id}' (known: {known}).", returncode=EXIT_USAGE
            )
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
            raise CommandError(
                "Skipped: another run of this connector is in progress.", returncode=EXIT_SKIPPED
            )
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
                raise CommandError(message, returncode=EXIT_FAILED)
            raise CommandError(f"Partial: {message}", returncode=EXIT_PARTIAL)
