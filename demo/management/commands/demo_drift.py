"""Change the running demo simulator's fleet, so the next runs record drift."""

import json
import os
import urllib.error
import urllib.request

from django.core.management.base import BaseCommand, CommandError

from demo.services import DEMO_ACCOUNT, DEMO_FLEETS


def drift_summary(result: dict) -> str:
    """The simulator answers each change's ids and, under "counts", their numbers:
    one count per change, the changes that did not happen left out."""
    counts = result.get("counts") or {k: len(v) for k, v in result.items() if isinstance(v, list)}
    said = [f"{k.replace('_', ' ')} {n}" for k, n in counts.items() if n]
    return ", ".join(said) or "no change"


class Command(BaseCommand):
    help = (
        "Resize, re-image, rebuild, remove and add a few simulated WorkSpaces"
        " (make demo must be running). A bundle re-image changes no WorkSpace until rebuilt."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--endpoint", default=os.environ.get("AWS_ENDPOINT_URL", "http://127.0.0.1:5055")
        )
        parser.add_argument("--resize", type=int, default=5)
        parser.add_argument("--reimage", type=int, default=1)
        parser.add_argument(
            "--rebuild",
            type=int,
            default=3,
            help="WorkSpaces rebuilt onto their bundle's current image (earlier ones finish).",
        )
        parser.add_argument("--remove", type=int, default=2)
        parser.add_argument("--add", type=int, default=3)

    def handle(self, *args, endpoint, resize, reimage, rebuild, remove, add, **options):
        for region, name, *_ in DEMO_FLEETS:
            body = {
                "account_id": DEMO_ACCOUNT,
                "region": region,
                "resize": resize,
                "reimage": reimage,
                "rebuild": rebuild,
                "settle": True,
                "remove": remove,
                "add": add,
            }
            request = urllib.request.Request(
                f"{endpoint.rstrip('/')}/_sim/mutate",
                data=json.dumps(body).encode(),
                method="POST",
                headers={"Content-Type": "application/json"},
            )
            try:
                with urllib.request.urlopen(request, timeout=10) as response:
                    result = json.loads(response.read())
            except (urllib.error.URLError, OSError) as exc:
                raise CommandError(
                    f"The demo simulator at {endpoint} did not answer ({exc}): "
                    "is `make demo` running?"
                ) from exc
            self.stdout.write(f"{name} ({region}): {drift_summary(result)}")
        self.stdout.write(
            "The connectors record the changes as drift on their next run (or press Run now)."
        )
