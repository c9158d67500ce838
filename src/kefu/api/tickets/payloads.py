"""The ticket API's JSON out: tickets and messages."""

from __future__ import annotations

from typing import Any

from django.urls import NoReverseMatch

from kefu.accounts.models import User
from kefu.tickets.models import Ticket, TicketMessage

# --- JSON out -------------------------------------------------------------------------------


def _iso(value: Any) -> str | None:
    return value.isoformat() if value else None


def _person(user: User | None) -> dict[str, Any] | None:
    if user is None:
        return None
    return {"id": user.pk, "name": user.get_full_name() or user.email}


def _desk_path(ticket: Ticket) -> str | None:
    from kefu.tenancy import tenant_reverse

    try:
        return tenant_reverse("desk:ticket_detail", args=(ticket.pk,))
    except NoReverseMatch:  # the desk page is not installed
        return None


def ticket_json(ticket: Ticket) -> dict[str, Any]:
    requester = ticket.requester
    return {
        "id": ticket.pk,
        "number": ticket.number,
        "subject": ticket.subject,
        "description": ticket.description,
        "status": ticket.status,
        "priority": ticket.priority,
        "category": (
            {"id": ticket.category.pk, "name": ticket.category.name} if ticket.category else None
        ),
        "requester": (
            {"id": requester.pk, "name": requester.name, "email": requester.email}
            if requester
            else None
        ),
        "assignee": _person(ticket.assignee),
        "tags": list(ticket.tags),
        "is_public": ticket.is_public,
        "channel": ticket.channel,
        "fields": ticket.fields,
        "sla": {
            "first_response_due_at": _iso(ticket.first_response_due_at),
            "resolution_due_at": _iso(ticket.resolution_due_at),
            "state": ticket.sla_state or None,
        },
        "created_at": _iso(ticket.created_at),
        "updated_at": _iso(ticket.updated_at),
        "url": _desk_path(ticket),
    }


def message_json(message: TicketMessage) -> dict[str, Any]:
    if message.author is not None:
        kind = "staff" if message.author.is_desk_user else "customer"
        author = {"type": kind, **(_person(message.author) or {})}
    elif message.author_contact is not None:
        author = {"type": "customer", "id": None, "name": message.author_contact.display_name}
    else:
        author = {"type": "system", "id": None, "name": ""}
    return {
        "id": message.pk,
        "internal": message.is_internal,
        "body": message.body,
        "author": author,
        "channel": message.channel,
        "attachments": [
            {"id": a.pk, "filename": a.filename, "size": a.size, "content_type": a.content_type}
            for a in message.attachments.all()
        ],
        "created_at": _iso(message.created_at),
    }


def ticket_detail_json(ticket: Ticket) -> dict[str, Any]:
    """The ticket with its thread; internal notes included (every API caller is staff)."""
    messages = ticket.messages.select_related("author", "author_contact").prefetch_related(
        "attachments"
    )
    return {**ticket_json(ticket), "messages": [message_json(m) for m in messages]}
