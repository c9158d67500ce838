"""``kefu bench_provision --tenants N``: how long a new workspace takes, by each path.

Creates N workspaces by the fast path (claiming a warm pool schema, as signup does), N by cloning
the template with the pool empty (what signup falls back to when the pool runs dry), and N by
plain django-tenants migration; deletes them all and restores the pool. Prints one JSON line.
"""

from __future__ import annotations

import json
import math
import secrets
import time
from collections.abc import Callable
from typing import Any

from django.core.management.base import BaseCommand

from tenants.models import Tenant
from tenants.services import (
    pool_drain,
    pool_refill,
    tenant_delete,
    tenant_provision,
    tenant_provision_by_migration,
)


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile (p99 of 20 samples is the slowest one)."""
    ordered = sorted(values)
    rank = max(math.ceil(fraction * len(ordered)), 1)
    return ordered[rank - 1]


class Command(BaseCommand):
    help = "Measure workspace provisioning: warm pool, template clone and plain migration."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--tenants", type=int, default=20)

    def handle(self, *args: Any, **options: Any) -> None:
        count = options["tenants"]
        run_id = secrets.token_hex(3)
        created: list[Tenant] = []

        def timed(provision: Callable[..., Tenant], slug: str) -> float:
            started = time.perf_counter()
            created.append(provision(slug=slug, name=slug))
            return (time.perf_counter() - started) * 1000

        try:
            started = time.perf_counter()
            refilled = pool_refill(size=count)
            refill_ms = (time.perf_counter() - started) * 1000 / max(refilled, 1)
            fast = [timed(tenant_provision, f"bench-{run_id}-f{i}") for i in range(count)]
            pool_drain()
            clone = [timed(tenant_provision, f"bench-{run_id}-c{i}") for i in range(count)]
            migrate = [
                timed(tenant_provision_by_migration, f"bench-{run_id}-m{i}") for i in range(count)
            ]
        finally:
            for tenant in created:
                tenant_delete(tenant=tenant)
            pool_drain()
            pool_refill()

        result = {
            "tenants": count,
            "fast_p50_ms": round(percentile(fast, 0.50), 2),
            "fast_p99_ms": round(percentile(fast, 0.99), 2),
            "clone_p50_ms": round(percentile(clone, 0.50), 2),
            "clone_p99_ms": round(percentile(clone, 0.99), 2),
            "migrate_p50_ms": round(percentile(migrate, 0.50), 2),
            "migrate_p99_ms": round(percentile(migrate, 0.99), 2),
            "pool_refill_ms_per_schema": round(refill_ms, 2),
            "ratio": round(percentile(migrate, 0.50) / percentile(fast, 0.50), 1),
        }
        self.stdout.write(json.dumps(result))
