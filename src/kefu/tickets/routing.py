"""Skill-based routing. PLACEHOLDER: the routing/SLA work replaces this module."""

from __future__ import annotations

from kefu.accounts.models import User
from kefu.tickets.models import Ticket


def ticket_route(*, ticket_id: int) -> User | None:
    """Assign the ticket to the best available agent, or leave it in its queue."""
    return None
