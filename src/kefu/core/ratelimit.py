"""Fixed-window rate limits in the (tenant-aware) cache, for forms allauth does not cover."""

from __future__ import annotations

import hashlib
import time

from django.core.cache import cache
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    # Behind the load balancer SecurityMiddleware trusts X-Forwarded-Proto only; the client
    # address the proxy saw is the first hop it appends.
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if forwarded:
        return forwarded.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def parse_limit(limit: str) -> tuple[int, int]:
    """``"10/3600"`` -> (10 hits, 3600 seconds)."""
    count, seconds = limit.split("/", 1)
    return int(count), int(seconds)


def limit_hit(*, scope: str, key: str, limit: str) -> bool:
    """Count one attempt; True while within the limit, False once it is exceeded."""
    allowed, period = parse_limit(limit)
    window = int(time.time() // period)
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    cache_key = f"ratelimit:{scope}:{digest}:{window}"
    cache.add(cache_key, 0, timeout=period + 1)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, timeout=period + 1)
        count = 1
    return count <= allowed
