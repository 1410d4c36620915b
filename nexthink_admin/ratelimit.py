"""Counters on Django's cache for rate limits (shared by every web process
when the cache is Redis): the Run test endpoint's. Sign-in has its own
lockout, django-axes (nexthink_admin/sign_in.py)."""

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


def rate_limit_retry_after(*, key: str, limit: int, window_seconds: int) -> int | None:
    """Count one hit in a fixed window; the seconds to wait when over the limit, else None."""
    window = int(time.time() // window_seconds)
    hits = counter_hit(f"ratelimit:{key}:{window}", timeout=window_seconds + 1)
    if hits > limit:
        return window_seconds - int(time.time()) % window_seconds
    return None
