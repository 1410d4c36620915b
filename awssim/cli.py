"""``python -m awssim``: serve the simulator, or call a running one's ``/_sim/`` control API.

    python -m awssim [serve] [--port 5055 ...]    # serve until SIGINT/SIGTERM (see --help)
    python -m awssim stats                        # GET /_sim/stats of the running simulator
    python -m awssim config latency_ms:=20        # POST /_sim/config {"latency_ms": 20}
    python -m awssim mutate account_id=111122223333 region=eu-west-1 resize:=5

Control arguments are ``key=value`` (a string) or ``key:=json`` (a number,
``true``, a list or an object), as in HTTPie; ``--json BODY`` gives the whole
body. The simulator is found at ``--endpoint``, else ``$AWS_ENDPOINT_URL``,
else http://127.0.0.1:5055. The answer is printed as JSON; an error answer
exits 1, no answer at all exits 2.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import urllib.error
import urllib.request
from collections.abc import Sequence
from typing import Any

# name -> (method without arguments, method with arguments, what it does)
COMMANDS: dict[str, tuple[str, str, str]] = {
    "health": ("GET", "GET", "is the simulator up, and its endpoint URL"),
    "stats": ("GET", "GET", "calls, throttled, injected errors and denials per action"),
    "reset-stats": ("POST", "POST", "zero the counters"),
    "config": ("GET", "POST", "show the fault config; with arguments, change it"),
    "fleets": ("GET", "GET", "one summary per seeded (account, region)"),
    "seed": ("POST", "POST", "replace a fleet: account_id, region, workspaces:=N, ..."),
    "mutate": (
        "POST",
        "POST",
        "drift a fleet: resize:=N, reimage:=N, rebuild:=N, settle:=true, remove:=N, add:=N, ...",
    ),
    "roles": ("POST", "POST", "create a customer role: account_id, role_name, external_id"),
    "reset": ("POST", "POST", "clear fleets, counters, faults, sessions (moto:=true: moto too)"),
}
DEFAULT_ENDPOINT = "http://127.0.0.1:5055"


class UsageError(Exception):
    """A control argument that is neither ``key=value`` nor ``key:=json``."""


def parse_body(pairs: Sequence[str], raw: str | None) -> dict[str, Any]:
    """The JSON body from ``--json`` and ``key=value`` / ``key:=json`` arguments."""
    body: dict[str, Any] = {}
    if raw is not None:
        try:
            body = json.loads(raw)
        except ValueError as exc:
            raise UsageError(f"--json is not JSON: {exc}") from None
        if not isinstance(body, dict):
            raise UsageError("--json must be a JSON object")
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise UsageError(f"{pair!r}: expected key=value or key:=json")
        if key.endswith(":"):
            try:
                body[key[:-1]] = json.loads(value)
            except ValueError as exc:
                raise UsageError(f"{pair!r}: the value after := is not JSON: {exc}") from None
        else:
            body[key] = value
    return body


def call(endpoint: str, command: str, body: dict[str, Any]) -> tuple[int, Any]:
    """One control request; returns (HTTP status, decoded JSON answer)."""
    method = COMMANDS[command][1 if body else 0]
    request = urllib.request.Request(
        f"{endpoint.rstrip('/')}/_sim/{command}",
        data=json.dumps(body).encode() if method == "POST" else None,
        method=method,
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read() or b"{}")


def control(command: str, argv: Sequence[str]) -> int:
    """``python -m awssim <command> ...``: call the control API and print its answer."""
    what = COMMANDS[command][2]
    p = argparse.ArgumentParser(prog=f"python -m awssim {command}", description=what)
    p.add_argument(
        "--endpoint",
        default=os.environ.get("AWS_ENDPOINT_URL") or DEFAULT_ENDPOINT,
        help="the running simulator (default: $AWS_ENDPOINT_URL, else %(default)s)",
    )
    p.add_argument("--json", default=None, help="the whole request body, a JSON object")
    p.add_argument("fields", nargs="*", metavar="key=value|key:=json")
    args = p.parse_args(argv)
    try:
        body = parse_body(args.fields, args.json)
    except UsageError as exc:
        p.error(str(exc))
    if body and COMMANDS[command][1] == "GET":
        p.error(f"{command} takes no arguments")
    try:
        status, answer = call(args.endpoint, command, body)
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        print(
            f"No simulator answers at {args.endpoint} ({reason}): start one with python -m awssim",
            file=sys.stderr,
        )
        return 2
    print(json.dumps(answer, indent=2, default=str))
    return 0 if status == 200 else 1


def commands_help() -> str:
    """The control commands, for the epilog of ``python -m awssim --help``."""
    lines = ["control commands (call a running simulator; see python -m awssim <command> -h):"]
    lines += [f"  {name:<12} {what}" for name, (_, _, what) in COMMANDS.items()]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """A control command by name, else serve (``serve`` may be omitted)."""
    from .server import main as serve

    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] in COMMANDS:
        return control(args[0], args[1:])
    if args and args[0] == "serve":
        args = args[1:]
    elif args and not args[0].startswith("-"):
        print(f"python -m awssim: unknown command {args[0]!r}", file=sys.stderr)
        print(commands_help(), file=sys.stderr)
        return 2
    return serve(args)
