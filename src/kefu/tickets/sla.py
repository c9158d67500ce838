"""SLA deadlines in business time. PLACEHOLDER: the routing/SLA work replaces this module."""

from __future__ import annotations

from kefu.tickets.models import Ticket


def sla_apply(*, ticket: Ticket) -> None:
    """Choose the ticket's SLA policy and set its due dates (not saved)."""


def sla_pause(*, ticket: Ticket) -> None:
    """Stop the clock while the ticket waits on the customer (not saved)."""


def sla_resume(*, ticket: Ticket) -> None:
    """Restart the clock, moving the due dates by the paused business time (not saved)."""
