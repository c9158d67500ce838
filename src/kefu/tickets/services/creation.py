"""Opening a ticket, whatever the channel (help center form, API, email)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from kefu.accounts.models import User
from kefu.contacts.models import Contact
from kefu.core import limits
from kefu.jobs import enqueue_on_commit
from kefu.tickets import notifications
from kefu.tickets.errors import TicketError
from kefu.tickets.models import Ticket, TicketAttachment, TicketCategory, TicketEvent
from kefu.tickets.services.fields import attachment_problem, fields_clean
from kefu.tickets.services.thread import message_attach, message_create

MAX_SUBJECT = limits.SUBJECT
MAX_DESCRIPTION = limits.DESCRIPTION
MAX_TAGS = 20


def clean_tags(tags: Sequence[str]) -> list[str]:
    """Lower-case, trimmed, unique tags without spaces, in the order given."""
    cleaned = [str(tag).strip().lower().replace(" ", "-")[:50] for tag in tags]
    return list(dict.fromkeys(tag for tag in cleaned if tag))[:MAX_TAGS]


def _validate_text(subject: str, description: str) -> tuple[str, str]:
    subject, description = (subject or "").strip(), (description or "").strip()
    if not subject:
        raise TicketError(_("Write a subject."))
    if problem := limits.length_problem(subject, limit=MAX_SUBJECT):
        raise TicketError(_("Subject: %(problem)s") % {"problem": problem})
    if problem := limits.length_problem(description, limit=MAX_DESCRIPTION):
        raise TicketError(_("Description: %(problem)s") % {"problem": problem})
    return subject, description


def _default_public(channel: str) -> bool:
    from kefu.desk.selectors import workspace_settings_get

    return channel == Ticket.Channel.WEB and workspace_settings_get().new_tickets_public


@transaction.atomic
def ticket_create(
    *,
    subject: str,
    description: str,
    requester: Contact | None,
    category: TicketCategory | None = None,
    field_values: Mapping[str, Any] | None = None,
    field_files: Mapping[str, UploadedFile] | None = None,
    attachments: Sequence[UploadedFile] = (),
    channel: str = Ticket.Channel.WEB,
    language: str = "",
    priority: str = Ticket.Priority.NORMAL,
    is_public: bool | None = None,
    tags: Sequence[str] = (),
    self_service_trail: Sequence[Mapping[str, Any]] = (),
    actor: User | None = None,
    route: bool = True,
) -> Ticket:
    """Validate and open a ticket: first message, history, SLA deadlines, routing, mail.

    Raises TicketError (or FieldErrors for custom fields) with a message for the person.
    """
    from kefu.kb.content import detect_language
    from kefu.tickets.routing import ticket_route
    from kefu.tickets.sla import sla_apply

    subject, description = _validate_text(subject, description)
    if priority not in Ticket.Priority.values:
        raise TicketError(_("Unknown priority."))
    if channel not in Ticket.Channel.values:
        raise TicketError(_("Unknown channel."))
    for upload in attachments:
        if problem := attachment_problem(upload):
            raise TicketError(f"{upload.name}: {problem}")
    values, uploads = fields_clean(category=category, data=field_values or {}, files=field_files)
    trail = [dict(item) for item in self_service_trail]
    ticket = Ticket(
        subject=subject,
        description=description,
        category=category,
        fields=values,
        requester=requester,
        skill_group=category.skill_group if category else None,
        channel=channel,
        language=language or detect_language(f"{subject} {description}"),
        priority=priority,
        is_public=_default_public(channel) if is_public is None else is_public,
        tags=clean_tags(tags),
        tried_self_service=any(item.get("kind") == "article" for item in trail),
        self_service_trail=trail,
    )
    sla_apply(ticket=ticket)
    ticket.save()
    message_create(
        ticket=ticket,
        body=description or subject,
        author=requester.user if requester else None,  # the customer's words, whoever typed
        author_contact=requester,
        channel=channel,
        attachments=attachments,
    )
    for key, upload in uploads.items():
        TicketAttachment.objects.create(
            ticket=ticket,
            field_key=key,
            file=upload,
            filename=upload.name[:255],
            content_type=getattr(upload, "content_type", "") or "",
            size=upload.size or 0,
        )
    TicketEvent.objects.create(
        ticket=ticket, kind=TicketEvent.Kind.CREATED, actor=actor, data={"channel": channel}
    )
    if route:
        ticket_route(ticket_id=ticket.pk)
        ticket.refresh_from_db()
    enqueue_on_commit(notifications.notify_ticket_received, ticket.pk)
    return ticket


__all__ = ["clean_tags", "message_attach", "ticket_create"]
