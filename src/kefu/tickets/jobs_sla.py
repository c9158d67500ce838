"""Jobs for SLA deadlines and the routing queue.

``sla_check_all_tenants`` (sent every minute by ``kefu scheduler``) fans out one ``sla_check``
and one ``queue_drain_job`` per active workspace; both are safe to run twice or at once.
"""

from __future__ import annotations

import dramatiq
from django.conf import settings

from kefu.jobs import tenant_actor

__all__ = ["queue_drain_job", "sla_check", "sla_check_all_tenants"]


@tenant_actor(queue_name="sla", max_retries=3, time_limit=600_000)
def sla_check() -> None:
    """Mark this workspace's tickets at risk or breached, notify once and escalate."""
    from kefu.tickets.sla_watch import sla_check_run

    sla_check_run()


@tenant_actor(queue_name="sla", max_retries=3, time_limit=600_000)
def queue_drain_job() -> None:
    """Assign waiting tickets to agents who have room (oldest first)."""
    from kefu.tickets.routing import queue_drain

    queue_drain()


def workspace_schemas(*, include_suspended: bool = False) -> list[str]:
    """Schemas of the workspaces that are active, or also suspended ones (whose data is kept
    and may still owe usage), never the public, template or pool schemas."""
    from tenants.models import Tenant
    from tenants.services import POOL_PREFIX

    tenants = Tenant.objects.all()
    if not include_suspended:
        tenants = tenants.filter(status=Tenant.Status.ACTIVE)
    schemas = (
        tenants.exclude(schema_name="public")
        .exclude(schema_name=settings.KEFU_TEMPLATE_SCHEMA)
        .exclude(schema_name__startswith=POOL_PREFIX)
        .order_by("pk")
        .values_list("schema_name", flat=True)
    )
    return list(schemas)


@dramatiq.actor(queue_name="sla", max_retries=0)
def sla_check_all_tenants() -> None:
    """Send the SLA check and the queue drain to every active workspace (public job)."""
    for schema_name in workspace_schemas():
        sla_check.send_to_schema(schema_name)
        queue_drain_job.send_to_schema(schema_name)
