"""Canned responses: filling their placeholders for one ticket, and counting their use."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db.models import F
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from kefu.accounts.models import User
from kefu.tickets.models import CannedResponse, Ticket

_PLACEHOLDER = re.compile(r"\{\{\s*([a-z_]+\.[a-z_]+)\s*\}\}")


@dataclass(frozen=True)
class Placeholder:
    name: str
    meaning: Promise
    example: str


#: One meaning per placeholder, shown beside the canned response editor.
PLACEHOLDERS = (
    Placeholder("customer.name", _("The customer's name (their email address if no name)"),
                "Li Na"),
    Placeholder("customer.email", _("The customer's email address"), "li.na@example.com"),
    Placeholder("ticket.number", _("The ticket's number alone, without #"), "1001"),
    Placeholder("ticket.reference", _("The ticket's reference as customers see it, with #"),
                "#1001"),
    Placeholder("ticket.subject", _("The ticket's subject"), _("Where is my order?")),
    Placeholder("agent.name", _("Your name (your email address if no name)"), "Wang Fang"),
)  # fmt: skip


def placeholder_values(*, ticket: Ticket, agent: User) -> dict[str, str]:
    requester = ticket.requester
    return {
        "customer.name": (requester.name or requester.email) if requester else "",
        "customer.email": requester.email if requester else "",
        "ticket.number": str(ticket.number),
        "ticket.reference": f"#{ticket.number}",
        "ticket.subject": ticket.subject,
        "agent.name": agent.get_full_name() or agent.email,
    }


def canned_render(body: str, *, ticket: Ticket, agent: User) -> str:
    """``body`` with known ``{{ name }}`` placeholders replaced (plain text substitution: the
    text is never run through a template engine; unknown placeholders are left as written)."""
    values = placeholder_values(ticket=ticket, agent=agent)
    return _PLACEHOLDER.sub(lambda match: values.get(match.group(1), match.group(0)), body)


def canned_preview(body: str) -> str:
    """``body`` filled with the example values of ``PLACEHOLDERS`` (what the editor shows)."""
    values = {placeholder.name: str(placeholder.example) for placeholder in PLACEHOLDERS}
    return _PLACEHOLDER.sub(lambda match: values.get(match.group(1), match.group(0)), body)


def canned_response_used(*, canned_id: int) -> None:
    """Count one sent use of a canned response (missing ids are ignored)."""
    CannedResponse.objects.filter(pk=canned_id).update(usage_count=F("usage_count") + 1)
