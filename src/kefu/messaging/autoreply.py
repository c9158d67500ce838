"""Automatic replies to new email tickets. PLACEHOLDER: the outbound-email work replaces this
module; inbound processing calls ``auto_reply_maybe`` after it opened a ticket from an email."""

from __future__ import annotations

from kefu.messaging.models import InboundEmail
from kefu.tickets.models import Ticket


def auto_reply_maybe(*, inbound: InboundEmail, ticket: Ticket) -> None:
    """Acknowledge the new ticket (number, promise, suggested articles) unless the mail was
    automatic, the sender hit the loop limit, or the workspace turned it off."""
