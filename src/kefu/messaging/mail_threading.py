"""Which ticket an email belongs to (tenant schema).

1. ``In-Reply-To`` / ``References`` against the Message-IDs of the ticket's thread (those Kefu
   sent and those it received): hard to guess, so trusted from anybody.
2. A ticket token: plus-addressing in a recipient (``support+t1042@…``) or the subject
   (``[#1042]``, then a bare ``#1042``). Easy to guess, so only trusted when the ticket's
   requester is the sender; a token from a stranger opens a new ticket.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from kefu.contacts.models import Contact
from kefu.messaging.models import EmailThreadId
from kefu.messaging.parsing import ParsedEmail
from kefu.tickets.models import Ticket

_ADDRESS_TOKEN = re.compile(r"\+t(\d{1,10})@", re.IGNORECASE)
_SUBJECT_TOKENS = (re.compile(r"\[#(\d{1,10})\]"), re.compile(r"(?<![\w#])#(\d{1,10})\b"))
MAX_TICKET_ID = 2**63 - 1


def _surviving(ticket: Ticket) -> Ticket:
    seen: set[int] = set()
    while ticket.merged_into_id and ticket.pk not in seen:
        seen.add(ticket.pk)
        ticket = Ticket.objects.get(pk=ticket.merged_into_id)
    return ticket


def _same_person(first: Contact | None, second: Contact | None) -> bool:
    def root(contact: Contact | None) -> int | None:
        seen: set[int] = set()
        while contact is not None and contact.merged_into_id and contact.pk not in seen:
            seen.add(contact.pk)
            contact = contact.merged_into
        return contact.pk if contact is not None else None

    return first is not None and second is not None and root(first) == root(second)


def ticket_by_message_ids(message_ids: Iterable[str]) -> Ticket | None:
    """The ticket of the nearest known Message-ID (the list is nearest first)."""
    ids = [item for item in message_ids if item]
    if not ids:
        return None
    rows = {
        row.message_id: row
        for row in EmailThreadId.objects.filter(message_id__in=ids).select_related("ticket")
    }
    for item in ids:
        if item in rows:
            return _surviving(rows[item].ticket)
    return None


def ticket_tokens(*, subject: str, recipients: Iterable[str]) -> list[int]:
    """Ticket numbers named by plus-addressing in the recipients, then in the subject."""
    numbers = [int(n) for address in recipients for n in _ADDRESS_TOKEN.findall(address or "")]
    for pattern in _SUBJECT_TOKENS:
        numbers.extend(int(n) for n in pattern.findall(subject or ""))
    return [n for n in dict.fromkeys(numbers) if 0 < n <= MAX_TICKET_ID]


def thread_find(
    *, parsed: ParsedEmail, contact: Contact | None, envelope_recipient: str = ""
) -> Ticket | None:
    """The ticket this email continues, or None for a new ticket."""
    found = ticket_by_message_ids(parsed.thread_ids)
    if found is not None:
        return found
    recipients = [envelope_recipient, *parsed.recipients]
    for number in ticket_tokens(subject=parsed.subject, recipients=recipients):
        ticket = Ticket.objects.select_related("requester").filter(pk=number).first()
        if ticket is not None and _same_person(ticket.requester, contact):
            return _surviving(ticket)
    return None
