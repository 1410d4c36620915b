"""Backfill a few weeks of fleet history for the demo (seconds, not weeks)."""

import time

from django.core.management.base import BaseCommand, CommandError

from insight.backfill import backfill_history


class Command(BaseCommand):
    help = (
        "Create a few weeks of snapshots, state transitions and drift for the connectors' "
        "current devices, so the Health, Usage and Drift pages have history to show (demo)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=21, help="How far back (default 21).")
        parser.add_argument(
            "--step-minutes", type=int, default=60, help="Minutes between samples (default 60)."
        )
        parser.add_argument(
            "--connector", type=int, action="append", help="Only this connector id (repeatable)."
        )
        parser.add_argument(
            "--replace", action="store_true", help="Replace history backfilled before."
        )

    def handle(self, *args, days, step_minutes, connector, replace, **options):
        if not 1 <= days <= 120:
            raise CommandError("--days must be between 1 and 120.")
        if not 5 <= step_minutes <= 1440:
            raise CommandError("--step-minutes must be between 5 and 1440.")
        began = time.monotonic()
        result = backfill_history(
            days=days, step_minutes=step_minutes, connector_ids=connector, replace=replace
        )
        if not result.connectors:
            self.stdout.write(
                "Nothing to backfill: no connector with devices (run one first), or already "
                "backfilled (use --replace)."
            )
            return
        self.stdout.write(
            f"Backfilled {days} days for {result.connectors} connector(s): "
            f"{result.snapshots} snapshots, {result.transitions} state changes, "
            f"{result.changes} drift changes in {time.monotonic() - began:.1f} s."
        )
