"""Jobs that report usage to Stripe.

``usage_report_all_tenants`` (sent every 5 minutes by ``kefu scheduler``) fans out one
``usage_report`` per workspace (suspended ones too). Both are safe to run twice or at once:
rows are claimed with ``SKIP LOCKED`` and Stripe deduplicates on each row's identifier.
"""

from __future__ import annotations

import dramatiq

from kefu.jobs import tenant_actor

__all__ = ["usage_report", "usage_report_all_tenants"]


@tenant_actor(queue_name="billing", max_retries=0, time_limit=600_000)
def usage_report() -> None:
    """Send this workspace's pending usage to Stripe. No dramatiq retry: a failed run leaves
    its rows pending and the next scheduled run (5 minutes later) picks them up."""
    from billing.metering.reporting import usage_report_to_stripe

    usage_report_to_stripe()


@dramatiq.actor(queue_name="billing", max_retries=0)
def usage_report_all_tenants() -> None:
    """Send ``usage_report`` to every workspace, suspended ones too: what they resolved before
    an operator suspended them is still billed (public job)."""
    from kefu.tickets.jobs_sla import workspace_schemas

    for schema_name in workspace_schemas(include_suspended=True):
        usage_report.send_to_schema(schema_name)
