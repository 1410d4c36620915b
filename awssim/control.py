"""``/_sim/`` control endpoints (JSON in, JSON out), mapped onto Simulator methods.

=======  ======================  ==============================================
GET      /_sim/health            ``{"ok": true}``
GET      /_sim/stats             calls / throttled / injected_errors / denied per action
POST     /_sim/reset-stats       zero the counters
GET      /_sim/config            current fault config
POST     /_sim/config            latency_ms, throttle_fraction, throttle_seed,
                                 throttle_actions, errors {Action: {code, status,
                                 message, count} | null}, clear_errors
POST     /_sim/seed              Simulator.seed kwargs -> fleet summary
POST     /_sim/mutate            Simulator.mutate kwargs -> affected ids and counts
GET      /_sim/fleets            one summary per seeded (account, region)
POST     /_sim/roles             Simulator.create_customer_role kwargs -> {"role_arn"}
POST     /_sim/reset             clear fleets, counters, faults, sessions;
                                 ``{"moto": true}`` also resets moto (process-wide)
=======  ======================  ==============================================
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from .app import StartResponse, respond

if TYPE_CHECKING:
    from .server import Simulator


class ControlError(Exception):
    """Bad control request (HTTP 400/404/405)."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def make_control(sim: Simulator) -> Callable[[dict[str, Any], StartResponse], Iterable[bytes]]:
    """The WSGI callable serving ``/_sim/`` for ``sim``."""

    def body(environ: dict[str, Any]) -> dict[str, Any]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        raw = environ["wsgi.input"].read(length) if length > 0 else b""
        try:
            data = json.loads(raw or b"{}")
        except ValueError:
            raise ControlError("body must be JSON") from None
        if not isinstance(data, dict):
            raise ControlError("body must be a JSON object")
        return data

    def reset(data: dict[str, Any]) -> dict[str, Any]:
        sim.reset(moto=bool(data.get("moto", False)))
        return {"ok": True}

    routes: dict[tuple[str, str], Callable[[dict[str, Any]], Any]] = {
        ("GET", "health"): lambda d: {"ok": True, "endpoint_url": sim.endpoint_url},
        ("GET", "stats"): lambda d: sim.stats(),
        ("POST", "reset-stats"): lambda d: (sim.reset_stats(), {"ok": True})[1],
        ("GET", "config"): lambda d: sim.faults.config(),
        ("POST", "config"): lambda d: sim.configure(**d),
        ("POST", "seed"): lambda d: sim.seed(**d),
        ("POST", "mutate"): lambda d: sim.mutate(**d),
        ("GET", "fleets"): lambda d: {"fleets": sim.fleets()},
        ("POST", "roles"): lambda d: {"role_arn": sim.create_customer_role(**d)},
        ("POST", "reset"): reset,
    }

    def control(environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD", "GET")
        name = (environ.get("PATH_INFO") or "").removeprefix("/_sim/").strip("/")
        try:
            handler = routes.get((method, name))
            if handler is None:
                known = any(n == name for _, n in routes)
                raise ControlError(f"{method} /_sim/{name} not supported", 405 if known else 404)
            data = body(environ) if method == "POST" else {}
            result = handler(data)
            status = 200
        except ControlError as exc:
            result, status = {"error": str(exc)}, exc.status
        except (TypeError, ValueError, KeyError) as exc:
            result, status = {"error": f"{type(exc).__name__}: {exc}"}, 400
        payload = json.dumps(result, default=str).encode()
        return respond(start_response, status, payload, "application/json")

    return control
