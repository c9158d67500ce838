"""The ticket history: every change is an event (who, what, when)."""

from __future__ import annotations

from typing import Any

from kefu.accounts.models import User
from kefu.tickets.models import Ticket, TicketEvent


def event_record(
    *, ticket: Ticket, kind: str, actor: User | None = None, **data: Any
) -> TicketEvent:
    return TicketEvent.objects.create(ticket=ticket, kind=kind, actor=actor, data=data)
