"""Counters on Django's cache for rate limits (shared by every web process
when the cache is Redis)."""

import time

from django.core.cache import cache


def counter_hit(key: str, *, timeout: int) -> int:
    """Add one to a counter that expires `timeout` seconds after it starts; return it."""
    cache.add(key, 0, timeout=timeout)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=timeout)
        return 1


def counter_value(key: str) -> int:
    return cache.get(key) or 0


def counter_reset(key: str) -> None:
    cache.delete(key)


def rate_limit_retry_after(*, key: str, limit: int, window_seconds: int) -> int | None:
    """Count one hit in a fixed window; return the seconds to wait when over
    the limit, else None."""
    window = int(time.time() // window_seconds)
    hits = counter_hit(f"ratelimit:{key}:{window}", timeout=window_seconds + 1)
    if hits > limit:
        return window_seconds - int(time.time()) % window_seconds
    return None
