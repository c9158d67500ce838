"""Ticket notifications by email, sent by the worker. PLACEHOLDER: the notifications work fills
in these jobs; the services already enqueue them with these names and arguments."""

from __future__ import annotations

from kefu.jobs import tenant_actor


@tenant_actor(queue_name="mail", max_retries=5)
def notify_ticket_received(ticket_id: int) -> None:
    """Tell the requester their ticket arrived: number, promised time, link."""


@tenant_actor(queue_name="mail", max_retries=5)
def notify_customer_reply(message_id: int) -> None:
    """Send an agent's public reply to the requester (and customer followers)."""


@tenant_actor(queue_name="mail", max_retries=5)
def notify_status_changed(event_id: int) -> None:
    """Tell the requester the status changed (resolved: with the satisfaction survey)."""


@tenant_actor(queue_name="mail", max_retries=5)
def notify_assigned(ticket_id: int, assignee_id: int) -> None:
    """Tell an agent a ticket was assigned to them."""


@tenant_actor(queue_name="mail", max_retries=5)
def notify_followers(event_id: int) -> None:
    """Tell staff followers (and the assignee) that a followed ticket changed."""
