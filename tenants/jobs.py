"""Public-schema jobs for workspaces."""

from __future__ import annotations

import dramatiq


@dramatiq.actor(queue_name="provisioning", max_retries=3)
def pool_refill_job() -> None:
    """Keep the warm schema pool full after a signup claimed one (safe to run twice)."""
    from tenants.services import pool_refill

    pool_refill()
