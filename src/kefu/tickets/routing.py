"""Skill-based routing. PLACEHOLDER: the routing/SLA work replaces this module."""

from __future__ import annotations

from kefu.accounts.models import User


def ticket_route(*, ticket_id: int) -> User | None:
    """Assign the ticket to the best available agent, or leave it in its queue."""
    return None


def queue_drain() -> int:
    """Route waiting tickets oldest first; returns how many were assigned."""
    return 0
