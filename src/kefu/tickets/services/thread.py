"""The ticket thread: public replies and internal notes, with attachments."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from billing.limits import PlanLimitError, storage_check
from kefu.accounts.models import User
from kefu.contacts.models import Contact
from kefu.contacts.services import contact_language_learn
from kefu.core import limits
from kefu.jobs import enqueue_on_commit
from kefu.tickets import notifications
from kefu.tickets.errors import TicketError
from kefu.tickets.models import Ticket, TicketAttachment, TicketEvent, TicketMessage
from kefu.tickets.services.fields import attachment_problem

MAX_BODY = limits.MESSAGE
MAX_ATTACHMENTS = 10


def message_attach(*, message: TicketMessage, uploads: Sequence[UploadedFile]) -> None:
    for upload in uploads:
        TicketAttachment.objects.create(
            ticket=message.ticket,
            message=message,
            file=upload,
            filename=(upload.name or "file")[:255],
            content_type=getattr(upload, "content_type", "") or "",
            size=upload.size or 0,
        )


def message_create(
    *,
    ticket: Ticket,
    body: str,
    author: User | None,
    author_contact: Contact | None = None,
    kind: str = TicketMessage.Kind.PUBLIC,
    channel: str = Ticket.Channel.WEB,
    attachments: Sequence[UploadedFile] = (),
) -> TicketMessage:
    """Append a message (no status or notification effects: see ticket_reply)."""
    if len(attachments) > MAX_ATTACHMENTS:
        raise TicketError(_("Attach at most %(count)d files.") % {"count": MAX_ATTACHMENTS})
    for upload in attachments:
        if problem := attachment_problem(upload):
            raise TicketError(f"{upload.name}: {problem}")
    if attachments and author is not None and author.is_desk_user:
        # Staff uploads count against the plan's storage; a customer's are always kept.
        try:
            storage_check(adding=sum(upload.size or 0 for upload in attachments))
        except PlanLimitError as error:
            raise TicketError(str(error)) from error
    message = TicketMessage.objects.create(
        ticket=ticket,
        body=body,
        author=author,
        author_contact=author_contact,
        kind=kind,
        channel=channel,
    )
    message_attach(message=message, uploads=attachments)
    if author_contact is not None and not (author is not None and author.is_desk_user):
        # The customer's own words (staff typing on their behalf write the customer's words
        # too): they tell which language the contact writes in, if nobody said.
        contact_language_learn(contact=author_contact, text=body)
    return message


def _validate_body(body: str, attachments: Sequence[UploadedFile]) -> str:
    body = (body or "").strip()
    if not body and not attachments:
        raise TicketError(_("Write a message or attach a file."))
    if problem := limits.length_problem(body, limit=MAX_BODY):
        raise TicketError(problem)
    return body


@transaction.atomic
def ticket_reply(
    *,
    ticket: Ticket,
    author: User | None,
    body: str,
    internal: bool = False,
    attachments: Sequence[UploadedFile] = (),
    channel: str = Ticket.Channel.WEB,
    author_contact: Contact | None = None,
    new_status: str | None = None,
) -> TicketMessage:
    """Add a reply or note. A staff reply is the first response (SLA), opens a new ticket and
    is mailed to the customer; a customer reply reopens a pending or resolved ticket."""
    from kefu.tickets.services.changes import ticket_status_set

    body = _validate_body(body, attachments)
    staff = author is not None and author.is_desk_user
    if internal and not staff:
        raise TicketError(_("Only staff can add internal notes."))
    if ticket.merged_into_id:
        raise TicketError(_("This ticket was merged into #%(number)d; reply there.") % {
            "number": ticket.merged_into_id
        })  # fmt: skip
    if ticket.status == Ticket.Status.CLOSED and not staff:
        raise TicketError(_("This ticket is closed. Please open a new one."))
    if author_contact is None and not staff and author is not None:
        author_contact = (
            ticket.requester if ticket.requester and ticket.requester.user_id == author.pk else None
        )
    kind = TicketMessage.Kind.INTERNAL if internal else TicketMessage.Kind.PUBLIC
    message = message_create(
        ticket=ticket,
        body=body,
        author=author,
        author_contact=author_contact,
        kind=kind,
        channel=channel,
        attachments=attachments,
    )
    event = TicketEvent.objects.create(
        ticket=ticket,
        actor=author,
        kind=TicketEvent.Kind.NOTE if internal else TicketEvent.Kind.REPLIED,
        data={"message": message.pk, "staff": staff},
    )
    if not internal:
        _after_public_reply(ticket=ticket, author=author, staff=staff, new_status=new_status)
        if staff:
            enqueue_on_commit(notifications.notify_customer_reply, message.pk)
    if new_status and new_status != ticket.status and staff:
        ticket_status_set(ticket=ticket, status=new_status, actor=author)
    ticket.save(update_fields=["first_responded_at", "updated_at"])
    enqueue_on_commit(notifications.notify_followers, event.pk)
    return message


def _after_public_reply(
    *, ticket: Ticket, author: User | None, staff: bool, new_status: str | None
) -> None:
    from kefu.tickets.services.changes import ticket_status_set

    if staff:
        if ticket.first_responded_at is None:
            ticket.first_responded_at = timezone.now()
        if new_status is None and ticket.status == Ticket.Status.NEW:
            ticket_status_set(ticket=ticket, status=Ticket.Status.OPEN, actor=author)
    elif ticket.status in (Ticket.Status.PENDING, Ticket.Status.RESOLVED, Ticket.Status.CLOSED):
        ticket_status_set(ticket=ticket, status=Ticket.Status.OPEN, actor=author)
