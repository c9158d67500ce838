"""Fixed-window rate limits in the (tenant-aware) cache, for forms allauth does not cover."""

from __future__ import annotations

import hashlib
import ipaddress
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network


def client_ip(request: HttpRequest) -> str:
    """The address a request came from, the one way Kefu reads it (rate limits, audit logs,
    allauth's login limits).

    ``X-Forwarded-For`` is believed only from the proxies in ``KEFU_TRUSTED_PROXIES``: each of
    them appends the address it got the request from, so walking the header from the right
    past our own proxies, the first other address is the client. Anything further left was
    written by the client and is ignored; with no trusted proxy the header is never read."""
    remote = _address(request.META.get("REMOTE_ADDR", ""))
    if remote is None:
        return "unknown"
    proxies: tuple[IPNetwork, ...] = settings.KEFU_TRUSTED_PROXIES
    client = remote
    if _is_proxy(remote, proxies):
        for entry in reversed(request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")):
            hop = _address(entry)
            if hop is None:  # garbage (or nothing): the last address a proxy of ours gave
                break
            client = hop
            if not _is_proxy(hop, proxies):
                break
    return str(client)


def _address(value: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(value.strip())
    except ValueError:
        return None


def _is_proxy(address: IPAddress, proxies: tuple[IPNetwork, ...]) -> bool:
    return any(address in network for network in proxies)


def parse_limit(limit: str) -> tuple[int, int]:
    """``"10/3600"`` -> (10 hits, 3600 seconds)."""
    count, seconds = limit.split("/", 1)
    return int(count), int(seconds)


def _cache_key(scope: str, key: str, period: int) -> str:
    window = int(time.time() // period)
    digest = hashlib.sha256(key.encode()).hexdigest()[:32]
    return f"ratelimit:{scope}:{digest}:{window}"


def limit_left(*, scope: str, key: str, limit: str) -> bool:
    """Whether another hit would still be within the limit, counting nothing: for limits on
    what an action costs (workspaces made, mails sent), counted with ``limit_hit`` only once
    the action really happened."""
    allowed, period = parse_limit(limit)
    return (cache.get(_cache_key(scope, key, period)) or 0) < allowed


def limit_hit(*, scope: str, key: str, limit: str) -> bool:
    """Count one attempt; True while within the limit, False once it is exceeded."""
    allowed, period = parse_limit(limit)
    cache_key = _cache_key(scope, key, period)
    cache.add(cache_key, 0, timeout=period + 1)
    try:
        count = cache.incr(cache_key)
    except ValueError:  # expired between add and incr
        cache.set(cache_key, 1, timeout=period + 1)
        count = 1
    return count <= allowed


def search_limit_hit(request: HttpRequest) -> bool:
    """Count one search by this client; True while within ``KEFU_SEARCH_LIMIT_PER_IP``. The help
    center's search pages, its suggestions and ``/api/v1/search`` share the one allowance."""
    return limit_hit(
        scope="search", key=client_ip(request), limit=settings.KEFU_SEARCH_LIMIT_PER_IP
    )
