"""Per-simulator fault configuration (latency, throttling, injected errors) and call counters."""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from dataclasses import dataclass
from typing import Any

# Default HTTP status per injectable error code (anything else: 400).
ERROR_STATUS = {
    "InternalServerError": 500,
    "InternalFailure": 500,
    "InternalError": 500,
    "ServiceUnavailable": 503,
    "ServiceUnavailableException": 503,
    "AccessDenied": 403,
    "ExpiredToken": 400,
}
_MESSAGES = {
    "ThrottlingException": "Rate exceeded",
    "Throttling": "Rate exceeded",
    "InternalServerError": "Internal server error",
    "ServiceUnavailable": "Service unavailable, please try again later.",
    "AccessDeniedException": "User is not authorized to perform this action.",
}


@dataclass
class InjectedError:
    """An error returned for an action instead of the real answer."""

    code: str
    status: int
    message: str
    remaining: int | None  # None: every call

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "status": self.status,
            "message": self.message,
            "count": self.remaining,
        }


def make_error(
    code: str, status: int | None = None, message: str | None = None, count: int | None = None
) -> InjectedError:
    """An InjectedError with AWS-like defaults for status and message."""
    if count is not None and count < 0:
        raise ValueError("count must be >= 0 or None")
    return InjectedError(
        code,
        int(status or ERROR_STATUS.get(code, 400)),
        message or _MESSAGES.get(code, f"{code} (injected by the simulator)"),
        count,
    )


class Faults:
    """Latency, throttling and error injection plus per-action counters."""

    def __init__(
        self, latency_ms: float = 0.0, throttle_fraction: float = 0.0, throttle_seed: int = 0
    ) -> None:
        self._lock = threading.Lock()
        self.latency_ms = 0.0
        self.throttle_fraction = 0.0
        self.throttle_seed = 0
        self.throttle_actions: list[str] | None = None
        self._rng = random.Random(0)
        self._errors: dict[str, InjectedError] = {}
        self.reset_stats()
        self.configure(
            latency_ms=latency_ms, throttle_fraction=throttle_fraction, throttle_seed=throttle_seed
        )

    # -- configuration --------------------------------------------------
    def configure(
        self,
        *,
        latency_ms: float | None = None,
        throttle_fraction: float | None = None,
        throttle_seed: int | None = None,
        throttle_actions: list[str] | None | str = "keep",
        errors: dict[str, dict[str, Any] | None] | None = None,
        clear_errors: bool = False,
    ) -> dict[str, Any]:
        """Update the given settings (others stay); returns the whole config.

        ``errors`` maps an action to ``{"code", "status", "message", "count"}``
        (``count`` None = always) or to None to remove it. Setting a throttle
        fraction or seed restarts the deterministic throttle sequence.
        """
        with self._lock:
            if latency_ms is not None:
                if latency_ms < 0:
                    raise ValueError("latency_ms must be >= 0")
                self.latency_ms = float(latency_ms)
            if throttle_fraction is not None:
                if not 0.0 <= throttle_fraction <= 1.0:
                    raise ValueError("throttle_fraction must be within [0, 1]")
                self.throttle_fraction = float(throttle_fraction)
            if throttle_seed is not None:
                self.throttle_seed = int(throttle_seed)
            if throttle_fraction is not None or throttle_seed is not None:
                self._rng = random.Random(self.throttle_seed)
            if throttle_actions != "keep":
                self.throttle_actions = list(throttle_actions) if throttle_actions else None
            if clear_errors:
                self._errors.clear()
            for action, spec in (errors or {}).items():
                if spec is None:
                    self._errors.pop(action, None)
                else:
                    self._errors[action] = make_error(**spec)
            return self._config()

    def inject(self, action: str, error: InjectedError) -> None:
        """Return ``error`` for ``action`` (``remaining`` times, or always)."""
        with self._lock:
            self._errors[action] = error

    def config(self) -> dict[str, Any]:
        """The current settings as JSON-able data."""
        with self._lock:
            return self._config()

    def _config(self) -> dict[str, Any]:
        return {
            "latency_ms": self.latency_ms,
            "throttle_fraction": self.throttle_fraction,
            "throttle_seed": self.throttle_seed,
            "throttle_actions": self.throttle_actions,
            "errors": {a: e.as_dict() for a, e in self._errors.items()},
        }

    # -- per call -------------------------------------------------------
    def on_call(self, action: str) -> None:
        """Count one received call and apply the fixed latency."""
        with self._lock:
            self._calls[action] += 1
            delay = self.latency_ms
        if delay:
            time.sleep(delay / 1000.0)

    def take_error(self, action: str) -> InjectedError | None:
        """The injected error for this call, if any (consumes one of ``count``)."""
        with self._lock:
            error = self._errors.get(action)
            if error is None:
                return None
            if error.remaining is not None:
                if error.remaining <= 0:
                    del self._errors[action]
                    return None
                error.remaining -= 1
            self._injected[action] += 1
            return error

    def should_throttle(self, action: str) -> bool:
        """Deterministically throttle ``throttle_fraction`` of the calls."""
        with self._lock:
            if self.throttle_fraction <= 0.0:
                return False
            if self.throttle_actions is not None and action not in self.throttle_actions:
                return False
            if self._rng.random() >= self.throttle_fraction:
                return False
            self._throttled[action] += 1
            return True

    def count_denied(self, action: str) -> None:
        """Count a call refused by IAM/STS enforcement."""
        with self._lock:
            self._denied[action] += 1

    # -- stats ----------------------------------------------------------
    def stats(self) -> dict[str, Any]:
        """Calls received per action (throttled and failed included), and
        separately throttled, injected-error and denied counts per action."""
        with self._lock:
            return {
                "calls": dict(self._calls),
                "throttled": dict(self._throttled),
                "injected_errors": dict(self._injected),
                "denied": dict(self._denied),
                "calls_total": sum(self._calls.values()),
                "throttled_total": sum(self._throttled.values()),
            }

    def reset_stats(self) -> None:
        """Zero every counter."""
        with self._lock:
            self._calls: Counter[str] = Counter()
            self._throttled: Counter[str] = Counter()
            self._injected: Counter[str] = Counter()
            self._denied: Counter[str] = Counter()
