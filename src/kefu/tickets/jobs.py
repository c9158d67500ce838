"""Ticket jobs (dramatiq finds modules named ``jobs``): SLA checks and queue draining, mail, and
clean-up of held submissions nobody finished."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from kefu.jobs import tenant_actor
from kefu.tickets.jobs_sla import *  # noqa: F403
from kefu.tickets.notifications import (  # noqa: F401 - registered with the worker here
    notify_assigned,
    notify_customer_reply,
    notify_followers,
    notify_status_changed,
    notify_ticket_received,
)

#: How long a held submission (the ticket form waiting on "did this answer it?") is kept.
DRAFT_DAYS = 7


@tenant_actor(queue_name="maintenance", max_retries=3)
def drafts_cleanup_job() -> int:
    """Delete held submissions older than DRAFT_DAYS that became neither a ticket nor a
    deflection, with their held files. Returns how many went."""
    from kefu.tickets.models import SubmissionDraft, TicketAttachment

    cutoff = timezone.now() - timedelta(days=DRAFT_DAYS)
    stale = SubmissionDraft.objects.filter(
        created_at__lt=cutoff, ticket__isnull=True, deflection__isnull=True
    )
    held = TicketAttachment.objects.filter(draft__in=stale, ticket__isnull=True)
    files = [attachment.file for attachment in held]
    with transaction.atomic():
        held.delete()
        count, _ = stale.delete()
    for file in files:  # after the rows: a crash here leaves a stray file, never a dead row
        file.delete(save=False)
    return count


@tenant_actor(queue_name="search", max_retries=3)
def phrasing_lessons_review_job(ticket_id: int) -> int:
    """A customer filed a ticket: what they taught search in the days before, about the same
    subject, did not solve it after all — those lessons are withdrawn. Returns how many."""
    from kefu.contacts.models import ContactVisitor
    from kefu.search.learning import lessons_withdraw
    from kefu.tickets.deflection import question_text
    from kefu.tickets.models import Ticket

    ticket = Ticket.objects.filter(pk=ticket_id, requester__isnull=False).first()
    if ticket is None:
        return 0
    keys = ContactVisitor.objects.filter(contact_id=ticket.requester_id).values_list(
        "visitor_key", flat=True
    )
    return lessons_withdraw(
        visitor_keys=list(keys),
        contact_id=ticket.requester_id,
        subject=question_text(ticket.subject, ticket.description),
        at=ticket.created_at,
        ticket_id=ticket.pk,
    )
