"""Recording usage at the moment it happens (inside the workspace's schema)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils import timezone

from billing.metering.models import UsageEvent

if TYPE_CHECKING:
    from kefu.tickets.models import Ticket


def usage_record_resolved_ticket(*, ticket: Ticket) -> None:
    """Record one billable resolved ticket, once per ticket for ever.

    Called by ``ticket_status_set`` after every status change, in its transaction: a ticket
    counts the first time it is resolved, or closed without having been resolved. Resolving it
    again after a reopen, or closing it after resolving it, hits the unique (kind, ticket_id)
    constraint and records nothing (``ON CONFLICT DO NOTHING``: no error, no savepoint, and two
    concurrent resolutions cannot both insert). A ticket closed because it was merged into
    another is not billed: it was a duplicate, and the conversation goes on (and is billed) in
    the ticket it was merged into. Runs inside a tenant schema.
    """
    from kefu.tickets.models import Ticket

    if ticket.status not in (Ticket.Status.RESOLVED, Ticket.Status.CLOSED):
        return
    if ticket.merged_into_id:
        return
    UsageEvent.objects.bulk_create(
        [
            UsageEvent(
                kind=UsageEvent.Kind.RESOLVED_TICKET,
                ticket_id=ticket.pk,
                occurred_at=timezone.now(),
            )
        ],
        ignore_conflicts=True,
    )
