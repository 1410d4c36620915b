"""A small fixed-window rate limit on Django's cache (shared by all web
processes when the cache is Redis)."""
import time

from django.core.cache import cache


def rate_limit_retry_after(*, key: str, limit: int, window_seconds: int) -> int | None:
    """Count one hit; return the seconds to wait when over the limit, else None."""
    window = int(time.time() // window_seconds)
    bucket = f"ratelimit:{key}:{window}"
    cache.add(bucket, 0, timeout=window_seconds + 1)
    try:
        hits = cache.incr(bucket)
    except ValueError:  # expired between add and incr
        cache.set(bucket, 1, timeout=window_seconds + 1)
        hits = 1
    if hits > limit:
        return window_seconds - int(time.time()) % window_seconds
    return None
