"""One way in for every channel (email, help center form, API; chat and SMS next).

``channel_receive`` identifies the contact behind a message, links the help center visitor,
finds or opens the ticket, appends the message and lets the ticket services send their
notifications. Adapters (``inbound`` for email, the portal form, the ticket API) only translate
their input into this call. Runs inside a tenant schema.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from kefu.accounts.models import User
from kefu.contacts.models import Contact, ContactIdentity
from kefu.contacts.services import (
    contact_by_identity,
    contact_for_email,
    contact_for_user,
    contact_visitor_link,
    identity_add,
)
from kefu.core.parsing import id_or_none
from kefu.jobs import enqueue_on_commit
from kefu.tickets.jobs import phrasing_lessons_review_job
from kefu.tickets.models import Ticket, TicketMessage
from kefu.tickets.services.creation import ticket_create
from kefu.tickets.services.thread import message_create, ticket_reply


@dataclass
class ChannelResult:
    ticket: Ticket
    message: TicketMessage
    created: bool


def contact_identify(
    *, identity_kind: str, identity_value: str, name: str = "", language: str = ""
) -> Contact | None:
    """The contact behind an identity (email, account = user id, phone, chat visitor), created
    when there is none; None for an anonymous message (no identity)."""
    value = (identity_value or "").strip()
    if not value:
        return None
    if identity_kind == ContactIdentity.Kind.EMAIL:
        return contact_for_email(email=value, name=name, language=language)
    if identity_kind == ContactIdentity.Kind.ACCOUNT:
        user = User.objects.filter(pk=id_or_none(value) or 0).first()
        return contact_for_user(user=user) if user is not None else None
    found = contact_by_identity(kind=identity_kind, value=value)
    if found is not None:
        return found
    contact = Contact.objects.create(name=(name or "").strip()[:200], language=language)
    identity_add(contact=contact, kind=identity_kind, value=value)
    return contact


def _surviving_ticket(ticket: Ticket) -> Ticket:
    seen: set[int] = set()
    while ticket.merged_into_id and ticket.pk not in seen:
        seen.add(ticket.pk)
        ticket = Ticket.objects.get(pk=ticket.merged_into_id)
    return ticket


def _append(
    *,
    ticket: Ticket,
    contact: Contact | None,
    channel: str,
    body: str,
    attachments: Sequence[UploadedFile],
    quiet: bool,
) -> TicketMessage:
    if quiet:  # automatic mail (out of office, bounce): recorded, changes nothing
        return message_create(
            ticket=ticket,
            body=body,
            author=None,
            author_contact=contact,
            channel=channel,
            attachments=attachments,
        )
    return ticket_reply(
        ticket=ticket,
        author=None,
        author_contact=contact,
        body=body,
        channel=channel,
        attachments=attachments,
    )


@transaction.atomic
def channel_receive(
    *,
    channel: str,
    identity_kind: str,
    identity_value: str,
    name: str = "",
    subject: str,
    body: str,
    body_html: str = "",
    quoted_text: str = "",
    attachments: Sequence[UploadedFile] = (),
    thread_ticket: Ticket | None = None,
    visitor_key: str = "",
    message_id: str = "",
    contact_language: str = "",
    quiet: bool = False,
    **ticket_options: Any,
) -> ChannelResult:
    """A customer's message from any channel: onto ``thread_ticket`` (a reply) or a new ticket
    (``ticket_options`` go to ``ticket_create``: category, field_values, actor, language, ...).
    ``quiet`` appends to an existing ticket without reopening it or notifying anybody.
    Raises TicketError (FieldErrors) like the ticket services."""
    contact = contact_identify(
        identity_kind=identity_kind,
        identity_value=identity_value,
        name=name,
        language=contact_language,
    )
    if contact is not None and visitor_key:
        contact_visitor_link(contact=contact, visitor_key=visitor_key)
    if thread_ticket is not None:
        ticket = _surviving_ticket(thread_ticket)
        message = _append(
            ticket=ticket,
            contact=contact,
            channel=channel,
            body=body,
            attachments=attachments,
            quiet=quiet,
        )
        created = False
    else:
        ticket = ticket_create(
            subject=subject,
            description=body,
            requester=contact,
            attachments=attachments,
            channel=channel,
            **ticket_options,
        )
        message = ticket.messages.order_by("created_at", "pk").first()
        created = True
        enqueue_on_commit(phrasing_lessons_review_job, ticket.pk)
    extra = {"body_html": body_html, "quoted_text": quoted_text, "email_message_id": message_id}
    if message is not None and any(extra.values()):
        for field, value in extra.items():
            setattr(message, field, value)
        message.save(update_fields=list(extra))
    assert message is not None
    return ChannelResult(ticket=ticket, message=message, created=created)
