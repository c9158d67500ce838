"""Billing jobs (public schema; they take ids and are safe to run twice)."""

from __future__ import annotations

import dramatiq

QUEUE = "billing"


@dramatiq.actor(queue_name=QUEUE, max_retries=10, min_backoff=5_000, max_backoff=600_000)
def stripe_event_process(event_id: str) -> None:
    """Apply a stored Stripe webhook event (once; a failure is recorded and retried)."""
    from billing.events import stripe_event_handle

    stripe_event_handle(event_id=event_id)


@dramatiq.actor(queue_name=QUEUE, max_retries=5)
def billing_notice_send(notice_id: int) -> None:
    """Email a billing notice to the workspace's owners (nothing if it was sent already)."""
    from billing.notices import billing_notice_deliver

    billing_notice_deliver(notice_id=notice_id)


@dramatiq.actor(queue_name=QUEUE, max_retries=0)
def billing_dunning_check_job() -> None:
    """Workspaces whose grace period ran out become read-only (sent by the scheduler)."""
    from billing.services import billing_dunning_check, trials_end

    billing_dunning_check()
    trials_end()
