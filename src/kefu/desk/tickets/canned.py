"""Canned responses: filling their placeholders for one ticket, and counting their use."""

from __future__ import annotations

import re

from django.db.models import F

from kefu.accounts.models import User
from kefu.tickets.models import CannedResponse, Ticket

_PLACEHOLDER = re.compile(r"\{\{\s*([a-z_]+\.[a-z_]+)\s*\}\}")


def placeholder_values(*, ticket: Ticket, agent: User) -> dict[str, str]:
    requester = ticket.requester
    return {
        "customer.name": (requester.name or requester.email) if requester else "",
        "customer.email": requester.email if requester else "",
        "ticket.number": f"#{ticket.number}",
        "ticket.subject": ticket.subject,
        "agent.name": agent.get_full_name() or agent.email,
    }


def canned_render(body: str, *, ticket: Ticket, agent: User) -> str:
    """``body`` with known ``{{ name }}`` placeholders replaced (plain text substitution: the
    text is never run through a template engine; unknown placeholders are left as written)."""
    values = placeholder_values(ticket=ticket, agent=agent)
    return _PLACEHOLDER.sub(lambda match: values.get(match.group(1), match.group(0)), body)


def canned_response_used(*, canned_id: int) -> None:
    """Count one sent use of a canned response (missing ids are ignored)."""
    CannedResponse.objects.filter(pk=canned_id).update(usage_count=F("usage_count") + 1)
