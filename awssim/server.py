"""``Simulator``: start/stop the simulator in-process, and the command line."""

from __future__ import annotations

import argparse
import secrets
import signal
import sys
import threading
from collections.abc import Sequence
from typing import Any

from moto.moto_server.werkzeug_app import MotoRequestHandler
from werkzeug.serving import BaseWSGIServer, make_server

from .app import SimulatorApp
from .auth import FIVE_ACTIONS, Authority, create_customer_role
from .control import make_control
from .faults import Faults, make_error
from .mutation import mutate_fleet
from .seeding import build_fleet
from .store import Fleet, Store

DEFAULT_CUSTOMER_ACCOUNT = "111122223333"
DEFAULT_APP_ACCOUNT = "123456789012"  # moto's default account: plain keys such as "testing"
DEFAULT_ROLE_NAME = "NexthinkConnector-Demo"


class _Handler(MotoRequestHandler):
    """moto's request handler, without a log line per request unless verbose.

    Werkzeug sends ``Connection: close`` on every response, so each call opens
    a TCP connection. Keep-alive is not an option with it: after a response it
    drains the socket, which would swallow the next request.
    """

    verbose = False

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        if self.verbose:
            super().log_request(code, size)


class Simulator:
    """An AWS endpoint (moto + our WorkSpaces/STS layer) with its own data and faults.

    Per instance: fleets, fault config, counters, assumed-role key map.
    Process-wide (moto): IAM roles/policies, STS and every other moto backend.
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        latency_ms: float = 0.0,
        throttle_fraction: float = 0.0,
        throttle_seed: int = 0,
        verbose: bool = False,
    ) -> None:
        self.host, self.port = host, port
        self.store = Store()
        self.faults = Faults(latency_ms, throttle_fraction, throttle_seed)
        self.auth = Authority()
        self.app = SimulatorApp(self.store, self.faults, self.auth, make_control(self))
        self.verbose = verbose
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ------------------------------------------------------
    @classmethod
    def start(cls, host: str = "127.0.0.1", port: int = 0, **options: Any) -> Simulator:
        """Create a simulator and serve it from a daemon thread (``port=0``: a free port)."""
        sim = cls(host, port, **options)
        sim.serve_in_background()
        return sim

    def serve_in_background(self) -> None:
        """Bind and serve from a daemon thread; returns once the socket listens."""
        if self._server is not None:
            raise RuntimeError("simulator already running")
        handler = type("Handler", (_Handler,), {"verbose": self.verbose})
        self._server = make_server(
            self.host, self.port, self.app, threaded=True, request_handler=handler
        )
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"aws-simulator-{self.port}",
            daemon=True,
        )
        self._thread.start()

    def stop(self) -> None:
        """Stop serving and close the socket (idempotent)."""
        server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> Simulator:
        if self._server is None:
            self.serve_in_background()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    @property
    def endpoint_url(self) -> str:
        """``http://host:port`` to pass to boto3 as ``endpoint_url``."""
        host = "127.0.0.1" if self.host in ("0.0.0.0", "") else self.host
        return f"http://{host}:{self.port}"

    # -- data -----------------------------------------------------------
    def seed(
        self,
        account_id: str = DEFAULT_CUSTOMER_ACCOUNT,
        region: str = "eu-west-1",
        *,
        workspaces: int = 100,
        bundles: int = 8,
        images: int = 4,
        pools: int = 0,
        sessions_per_pool: int = 0,
        rng_seed: int | str = 0,
    ) -> dict[str, Any]:
        """Replace the fleet of (account, region) with a deterministic one; returns its summary."""
        fleet = build_fleet(
            account_id,
            region,
            workspaces=workspaces,
            bundles=bundles,
            images=images,
            pools=pools,
            sessions_per_pool=sessions_per_pool,
            rng_seed=rng_seed,
        )
        self.store.replace(fleet)
        return fleet.summary()

    def mutate(
        self, account_id: str = DEFAULT_CUSTOMER_ACCOUNT, region: str = "eu-west-1", **changes: Any
    ) -> dict[str, Any]:
        """Drift a seeded fleet: ``resize``, ``rebundle``, ``reimage`` (own bundles get a new
        image; existing WorkSpaces keep theirs), ``rebuild`` (WorkSpaces go REBUILDING onto
        their bundle's current image), ``settle`` (transitional states end), ``drop_bundles``
        (own bundles in use deleted), ``remove``, ``add`` WorkSpaces, ``sessions_churn``;
        optional ``rng_seed``. See mutation.mutate_fleet."""
        with self.store.lock:
            fleet = self.store.fleet(account_id, region)
            if fleet is None:
                raise KeyError(f"no fleet seeded for {account_id}/{region}")
            return mutate_fleet(fleet, **changes)

    def fleet(
        self, account_id: str = DEFAULT_CUSTOMER_ACCOUNT, region: str = "eu-west-1"
    ) -> Fleet | None:
        """Direct access to a fleet's records (read them under ``sim.store.lock``)."""
        return self.store.fleet(account_id, region)

    def fleets(self) -> list[dict[str, Any]]:
        """Summaries of every seeded fleet."""
        return self.store.summaries()

    def create_customer_role(
        self,
        account_id: str = DEFAULT_CUSTOMER_ACCOUNT,
        role_name: str = DEFAULT_ROLE_NAME,
        *,
        external_id: str,
        trusted_account: str = DEFAULT_APP_ACCOUNT,
        actions: Sequence[str] = FIVE_ACTIONS,
        max_session_duration: int = 3600,
    ) -> str:
        """Create/update the customer's IAM role in moto; returns the role ARN."""
        return create_customer_role(
            account_id,
            role_name,
            external_id,
            trusted_account,
            list(actions),
            max_session_duration=max_session_duration,
        )

    # -- faults and stats -----------------------------------------------
    def configure(self, **settings: Any) -> dict[str, Any]:
        """See ``Faults.configure``: latency_ms, throttle_fraction, throttle_seed,
        throttle_actions, errors, clear_errors."""
        return self.faults.configure(**settings)

    def inject_error(
        self,
        action: str,
        code: str = "InternalServerError",
        *,
        status: int | None = None,
        message: str | None = None,
        count: int | None = None,
    ) -> None:
        """Answer ``action`` with an error, ``count`` times (None: until cleared)."""
        self.faults.inject(action, make_error(code, status, message, count))

    def clear_errors(self) -> None:
        self.faults.configure(clear_errors=True)

    def stats(self) -> dict[str, Any]:
        return self.faults.stats()

    def expire_sessions(self) -> int:
        """Expire every assumed-role session issued so far: the next call with
        those keys gets ExpiredTokenException, as when a session outlives its
        DurationSeconds mid-run."""
        return self.auth.expire_sessions()

    def reset_stats(self) -> None:
        self.faults.reset_stats()

    def reset(self, *, moto: bool = True) -> None:
        """Clear fleets, counters, faults and sessions; ``moto=True`` also resets
        every moto backend in the process (other simulators included)."""
        self.store.clear()
        self.faults.reset_stats()
        self.faults.configure(
            latency_ms=0,
            throttle_fraction=0,
            throttle_seed=0,
            throttle_actions=None,
            clear_errors=True,
        )
        self.auth.reset()
        if moto:
            from moto.moto_api import _internal

            _internal.moto_api_backend.reset()


# -- command line ---------------------------------------------------------
def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    from .cli import commands_help

    p = argparse.ArgumentParser(
        prog="python -m awssim",
        description="Run the AWS WorkSpaces simulator (moto + our layer).",
        epilog=commands_help(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=5055)
    p.add_argument("--seed-workspaces", type=int, default=300)
    p.add_argument("--seed-bundles", type=int, default=12)
    p.add_argument("--seed-images", type=int, default=6)
    p.add_argument("--seed-pools", type=int, default=3)
    p.add_argument("--sessions-per-pool", type=int, default=20)
    p.add_argument("--regions", default="eu-west-1", help="comma-separated; one fleet per region")
    p.add_argument("--account", default=DEFAULT_CUSTOMER_ACCOUNT, help="the customer's account id")
    p.add_argument(
        "--trusted-account", default=DEFAULT_APP_ACCOUNT, help="the app's account (trust principal)"
    )
    p.add_argument("--external-id", default=None, help="default: a random one, printed")
    p.add_argument("--role-name", default=DEFAULT_ROLE_NAME)
    p.add_argument("--latency-ms", type=float, default=0.0)
    p.add_argument(
        "--throttle", type=float, default=0.0, help="fraction of WorkSpaces calls throttled"
    )
    p.add_argument("--throttle-seed", type=int, default=0)
    p.add_argument("--rng-seed", default="0", help="seed of the generated fleets")
    p.add_argument("--verbose", action="store_true", help="log every request")
    return p.parse_args(argv)


def build(args: argparse.Namespace) -> tuple[Simulator, dict[str, Any]]:
    """A seeded simulator (not yet serving) and what to tell the user."""
    sim = Simulator(
        args.host,
        args.port,
        latency_ms=args.latency_ms,
        throttle_fraction=args.throttle,
        throttle_seed=args.throttle_seed,
        verbose=args.verbose,
    )
    external_id = args.external_id or secrets.token_urlsafe(24)
    regions = [r.strip() for r in args.regions.split(",") if r.strip()]
    fleets = [
        sim.seed(
            args.account,
            region,
            workspaces=args.seed_workspaces,
            bundles=args.seed_bundles,
            images=args.seed_images,
            pools=args.seed_pools,
            sessions_per_pool=args.sessions_per_pool,
            rng_seed=args.rng_seed,
        )
        for region in regions
    ]
    role_arn = sim.create_customer_role(
        args.account, args.role_name, external_id=external_id, trusted_account=args.trusted_account
    )
    return sim, {
        "role_arn": role_arn,
        "external_id": external_id,
        "regions": regions,
        "fleets": fleets,
    }


def main(argv: Sequence[str] | None = None, stop: threading.Event | None = None) -> int:
    """Serve until SIGINT/SIGTERM (or ``stop`` is set). Prints ``endpoint_url=``,
    ``role_arn=``, ``external_id=``, ``trusted_account=`` and one ``fleet ...`` line per region."""
    args = parse_args(argv)
    sim, info = build(args)
    stop = stop or threading.Event()
    try:
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
    except ValueError:  # not the main thread: the caller sets ``stop``
        pass
    sim.serve_in_background()
    print(f"endpoint_url={sim.endpoint_url}")
    print(f"role_arn={info['role_arn']}")
    print(f"external_id={info['external_id']}")
    print(f"trusted_account={args.trusted_account}")
    print(f"# plain keys (e.g. AWS_ACCESS_KEY_ID=testing): moto's account {DEFAULT_APP_ACCOUNT}")
    for summary in info["fleets"]:
        print("fleet " + " ".join(f"{k}={v}" for k, v in summary.items()))
    sys.stdout.flush()
    try:
        while not stop.wait(0.5):
            pass
    finally:
        sim.stop()
    return 0
