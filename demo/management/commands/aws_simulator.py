"""Serve the AWS simulator (moto plus our WorkSpaces layer) in the foreground.

With --demo it also seeds a realistic fleet in two regions and wires the demo
credential and connectors to it: what `make demo` runs.
"""

import signal
import threading

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import timezone

from awssim import Simulator
from demo.services import (
    DEMO_FLEETS,
    EVOLVE_SECONDS,
    demo_evolve_step,
    demo_setup,
    demo_start_hour,
)


class Command(BaseCommand):
    help = "Run the AWS simulator on 127.0.0.1 (for the demo, tests and benchmarks)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=5055)
        parser.add_argument(
            "--latency-ms", type=float, default=0.0, help="Added to every AWS call."
        )
        parser.add_argument(
            "--throttle", type=float, default=0.0, help="Fraction of WorkSpaces calls throttled."
        )
        parser.add_argument(
            "--demo", action="store_true", help="Seed the demo fleet and wire the demo connectors."
        )
        parser.add_argument(
            "--evolve-seconds",
            type=float,
            default=EVOLVE_SECONDS,
            help="With --demo: real seconds per simulated hour; the fleet's states, running "
            "modes, pool load and images change as simulated days pass (0: never).",
        )

    def handle(self, *args, host, port, latency_ms, throttle, demo, evolve_seconds, **options):
        sim = Simulator(host, port, latency_ms=latency_ms, throttle_fraction=throttle)
        sim.serve_in_background()
        self.stdout.write(f"AWS simulator on {sim.endpoint_url} (set AWS_ENDPOINT_URL to it)")
        if demo:
            connectors = demo_setup(sim, trusted_account=settings.AWS_TRUSTED_ACCOUNT_ID)
            fleets = ", ".join(
                f"{region}: {ws} WorkSpaces, {pools} pools"
                for region, _, _, ws, _, _, pools, _ in DEMO_FLEETS
            )
            nql_ids = ", ".join(c.nql_id for c in connectors)
            self.stdout.write(f"Demo fleet seeded ({fleets}); connectors: {nql_ids}")
            self.stdout.write("Make drift with: .venv/bin/python manage.py demo_drift")
        stop = threading.Event()
        if demo and evolve_seconds > 0:
            self.stdout.write(
                f"Simulated time: one hour every {evolve_seconds:g} s (states, running modes, "
                "pool load; a new image every third simulated day)"
            )
            threading.Thread(
                target=self._evolve, args=(sim, evolve_seconds, stop), daemon=True
            ).start()
        self.stdout.flush()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
        try:
            while not stop.wait(0.5):
                pass
        finally:
            sim.stop()

    def _evolve(self, sim, seconds: float, stop: threading.Event) -> None:
        hour = demo_start_hour(timezone.localtime())
        while True:
            try:
                demo_evolve_step(sim, hour=hour)
            except Exception as exc:  # the simulator keeps serving whatever happens here
                self.stderr.write(f"demo evolution at simulated hour {hour} failed: {exc}")
            if stop.wait(seconds):
                return
            hour += 1
