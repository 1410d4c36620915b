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
POST     /_sim/evolve            account_id, region, hour (simulated hours since
                                 a Monday 00:00): states, running modes and pool
                                 load as at that hour (``evolve_fleet``)
GET      /_sim/fleets            one summary per seeded (account, region)
POST     /_sim/roles             Simulator.create_customer_role kwargs -> {"role_arn"}
POST     /_sim/reset             clear fleets, counters, faults, sessions;
                                 ``{"moto": true}`` also resets moto (process-wide)
=======  ======================  ==============================================
"""

from __future__ import annotations

import hashlib
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


# -- the demo's simulated days --------------------------------------------------


def _unit(*parts: Any) -> float:
    """A stable pseudo-random number in [0, 1) from its inputs."""
    digest = hashlib.blake2b("|".join(map(str, parts)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


def _office(hour: int) -> bool:
    return (hour // 24) % 7 < 5 and 8 <= hour % 24 < 18


def evolve_fleet(fleet: Any, *, hour: int) -> dict[str, int]:
    """Set a fleet as it would be `hour` simulated hours after a Monday 00:00:
    AUTO_STOP WorkSpaces start in office hours and stop after (a quarter are
    never used, some only now and then), a few go UNHEALTHY or REBOOTING for
    a while, about one in a hundred switches running mode each simulated day,
    and pool sessions follow office hours (never below one per pool).
    Deterministic for (fleet, hour); call under the store's lock."""
    day = hour // 24
    counts = {"started": 0, "stopped": 0, "sick": 0, "mode_switches": 0, "sessions": 0}
    for ws_id, ws in fleet.workspaces.items():
        props = ws["WorkspaceProperties"]
        if ws["State"] in ("PENDING", "TERMINATING", "TERMINATED", "SUSPENDED"):
            continue
        if _unit(ws_id, "switch", day) < 0.01 and hour % 24 == 0:
            mode = "ALWAYS_ON" if props["RunningMode"] == "AUTO_STOP" else "AUTO_STOP"
            props["RunningMode"] = mode
            if mode == "AUTO_STOP":
                props["RunningModeAutoStopTimeoutInMinutes"] = 60
            else:
                props.pop("RunningModeAutoStopTimeoutInMinutes", None)
            counts["mode_switches"] += 1
        sick = _unit(ws_id, "sick", day)
        if sick < 0.01:
            state = "UNHEALTHY" if sick < 0.007 else "ERROR"
        elif _unit(ws_id, "reboot", hour) < 0.003:
            state = "REBOOTING"
        elif props["RunningMode"] != "AUTO_STOP":
            state = "AVAILABLE"
        else:
            habit = _unit(ws_id, "habit")
            used = habit >= 0.25 and (habit >= 0.4 or _unit(ws_id, day) < 0.3)
            state = "AVAILABLE" if used and _office(hour) else "STOPPED"
        if state != ws["State"]:
            counts["started" if state == "AVAILABLE" else "stopped"] += state in (
                "AVAILABLE",
                "STOPPED",
            )
            counts["sick"] += state in ("UNHEALTHY", "ERROR")
            ws["State"] = state
            if state == "ERROR":
                ws["ErrorCode"] = "ResourceUnavailable.Unknown"
                ws["ErrorMessage"] = "The WorkSpace is not reachable. Reboot or rebuild it."
            else:
                ws.pop("ErrorCode", None)
                ws.pop("ErrorMessage", None)
    load = (0.85 if _office(hour) else 0.15) * (0.8 + 0.4 * _unit(fleet.region, hour))
    for pool_id, pool in fleet.pools.items():
        sessions = fleet.sessions.setdefault(pool_id, {})
        capacity = max(int(pool.get("_desired", len(sessions) or 1)), 1)
        want = max(1, round(capacity * load))
        for session_id in sorted(sessions)[want:]:
            del sessions[session_id]
        model = next(iter(sessions.values()), None)
        n = 0
        while model is not None and len(sessions) < want:
            n += 1
            h = hashlib.blake2b(f"{pool_id}|{hour}|{n}".encode(), digest_size=16).hexdigest()
            session = json.loads(json.dumps(model))
            session["SessionId"] = f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:32]}"
            session["InstanceId"] = f"i-0{h[:16]}"
            sessions[session["SessionId"]] = session
        counts["sessions"] += len(sessions)
        fleet.refresh_capacity(pool_id)
    fleet.touch()
    return counts


def evolve(sim: Simulator, *, hour: int, account_id: str = "", region: str = "eu-west-1") -> dict:
    """``/_sim/evolve``: one seeded fleet as at simulated `hour`."""
    from .server import DEFAULT_CUSTOMER_ACCOUNT

    with sim.store.lock:
        fleet = sim.store.fleet(account_id or DEFAULT_CUSTOMER_ACCOUNT, region)
        if fleet is None:
            raise ControlError(f"no fleet seeded for {account_id}/{region}", 404)
        return evolve_fleet(fleet, hour=int(hour))


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
        ("POST", "evolve"): lambda d: evolve(sim, **d),
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
