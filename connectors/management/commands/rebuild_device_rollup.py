"""Recount the devices rollup now (NQL's summaries read it; beat recounts it
every minute when devices changed or a run ended)."""

from django.core.management.base import BaseCommand

from connectors.devices.rollup import device_rollup_rebuild


class Command(BaseCommand):
    help = (
        "Rebuild the devices rollup that NQL summaries of the devices table count from"
        " (runs rebuild it at their end; use this after changing devices by other means)."
    )

    def handle(self, *args, **options) -> None:
        build = device_rollup_rebuild()
        self.stdout.write(
            f"Device rollup rebuilt: {build.devices} active devices in {build.rows} rows"
            f" ({'with' if build.has_cube else 'without'} the full cube) in {build.seconds:.2f} s."
        )
