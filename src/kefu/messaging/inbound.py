"""Inbound email (tenant schema): the raw message is stored before anything else, then
processed (parse, contact, thread, append) or quarantined with a reason a person understands.

``email_receive`` is what the provider webhook and ``kefu ingest_email`` call; processing runs
in a job (``inbound_process_job``) or directly through ``email_process``.
"""

from __future__ import annotations

import datetime
import hashlib
import logging

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.accounts.models import User
from kefu.messaging.channels import ChannelResult, channel_receive
from kefu.messaging.mail_threading import thread_find
from kefu.messaging.models import EmailThreadId, InboundEmail
from kefu.messaging.parsing import (
    ParsedEmail,
    content_digest_quick,
    message_id_quick,
    parse_email,
)
from kefu.tickets.errors import TicketError
from kefu.tickets.models import Ticket, TicketMessage
from kefu.tickets.services.thread import MAX_ATTACHMENTS, MAX_BODY, message_create

logger = logging.getLogger(__name__)

DUPLICATE_WINDOW = datetime.timedelta(days=1)
MAX_SUBJECT = 300


class InboundRejected(Exception):  # noqa: N818 - a rejection, with the reason to show
    """Processing cannot go on; the message (translated) says why, for the quarantine list."""


# --- receiving --------------------------------------------------------------------------------


def _original_of(*, message_id: str, sha256: str, content_sha256: str) -> InboundEmail | None:
    """The message this one is a redelivery of: the same Message-ID and the same content (a
    different message under a reused ID is not one), or without an ID the same bytes lately."""
    kept = InboundEmail.objects.exclude(status=InboundEmail.Status.DUPLICATE)
    if message_id:
        same = Q(content_sha256=content_sha256) | Q(content_sha256="", sha256=sha256)
        return kept.filter(same, message_id=message_id).order_by("pk").first()
    since = timezone.now() - DUPLICATE_WINDOW
    return kept.filter(sha256=sha256, message_id="", received_at__gte=since).order_by("pk").first()


def _identity(fields: dict[str, str]) -> dict[str, str]:
    return {key: fields[key] for key in ("message_id", "sha256", "content_sha256")}


def _store(raw: bytes, **fields: str) -> InboundEmail:
    inbound = InboundEmail(size=len(raw), **fields)
    inbound.raw.save("message.eml", ContentFile(raw), save=False)
    inbound.save()
    return inbound


def email_receive(
    *, raw: bytes, source: str, envelope_sender: str = "", envelope_recipient: str = ""
) -> InboundEmail:
    """Store the raw message first (nothing is ever lost), then process it (a job): parse,
    find the contact, thread into a ticket or open one, or quarantine with the reason.
    The same message delivered again is kept as a duplicate and the original is returned.
    Runs inside the receiving workspace's schema."""
    from kefu.jobs import enqueue_on_commit
    from kefu.messaging.jobs import inbound_process_job

    raw = bytes(raw or b"")
    fields = {
        "sha256": hashlib.sha256(raw).hexdigest(),
        "message_id": message_id_quick(raw),
        "content_sha256": content_digest_quick(raw),
        "source": (source or "unknown")[:30],
        "envelope_sender": (envelope_sender or "")[:320],
        "envelope_recipient": (envelope_recipient or "")[:320],
    }
    with transaction.atomic():
        original = _original_of(**_identity(fields))
        if original is None:
            try:
                with transaction.atomic():
                    inbound = _store(raw, **fields)
            except IntegrityError:  # the same message arrived concurrently a moment ago
                original = _original_of(**_identity(fields))
                if original is None:
                    raise
        if original is not None:
            reason = _("Delivered again: the same message as #%(id)d.") % {"id": original.pk}
            _store(raw, status=InboundEmail.Status.DUPLICATE, reason=reason, **fields)
            return original
        enqueue_on_commit(inbound_process_job, inbound.pk)
    logger.info("inbound email %s stored (%s) in %s", inbound.pk, source, connection.schema_name)
    return inbound


# --- processing -------------------------------------------------------------------------------


def _read_raw(inbound: InboundEmail) -> bytes:
    try:
        with inbound.raw.open("rb") as handle:
            return handle.read()
    except (OSError, ValueError) as error:
        raise InboundRejected(_("The stored message file cannot be read.")) from error


def _uploads(parsed: ParsedEmail) -> list[SimpleUploadedFile]:
    kept = parsed.attachments[:MAX_ATTACHMENTS]
    for extra in parsed.attachments[MAX_ATTACHMENTS:]:
        parsed.problems.append(
            _("%(name)s: more than %(count)d attachments; it is only in the original message.")
            % {"name": extra.filename, "count": MAX_ATTACHMENTS}
        )
    return [SimpleUploadedFile(item.filename, item.content, item.content_type) for item in kept]


def _body(parsed: ParsedEmail, has_files: bool) -> str:
    text = parsed.text.strip()
    if len(text) > MAX_BODY:
        parsed.problems.append(_("The text was shortened; all of it is in the original message."))
        text = text[: MAX_BODY - 100]
    if not text and not has_files:
        text = _("(The email had no text.)")
    return text


def _closed_reply(ticket: Ticket, *, by_hand: bool = False) -> tuple[Ticket | None, Ticket | None]:
    """(ticket to reply on, closed ticket a follow-up continues) for a reply to ``ticket``."""
    from kefu.desk.models import WorkspaceSettings
    from kefu.desk.selectors import workspace_settings_get
    from kefu.tickets.services.changes import ticket_status_set

    if ticket.status != Ticket.Status.CLOSED:
        return ticket, None
    setting = workspace_settings_get().email_closed_reply
    if by_hand or setting == WorkspaceSettings.ClosedReply.REOPEN:
        ticket_status_set(ticket=ticket, status=Ticket.Status.OPEN, actor=None)
        return ticket, None
    return None, ticket


def _note(ticket: Ticket, text: str) -> None:
    message_create(
        ticket=ticket,
        body=text,
        author=None,
        kind=TicketMessage.Kind.INTERNAL,
        channel=Ticket.Channel.EMAIL,
    )


def _deliver(
    inbound: InboundEmail, parsed: ParsedEmail, *, ticket: Ticket | None = None
) -> ChannelResult:
    """Onto ``ticket`` when given (assigned by hand), else the thread found or a new ticket."""
    from kefu.contacts.services import contact_for_email

    contact = None
    if parsed.from_address:
        contact = contact_for_email(email=parsed.from_address, name=parsed.from_name)
    thread = ticket or thread_find(
        parsed=parsed, contact=contact, envelope_recipient=inbound.envelope_recipient
    )
    follows = None
    if thread is not None and (ticket is not None or not inbound.is_automatic):
        thread, follows = _closed_reply(thread, by_hand=ticket is not None)
    uploads = _uploads(parsed)
    result = channel_receive(
        channel=Ticket.Channel.EMAIL,
        identity_kind="email",
        identity_value=parsed.from_address,
        name=parsed.from_name,
        subject=parsed.subject[:MAX_SUBJECT] or _("(no subject)"),
        body=_body(parsed, bool(uploads)),
        body_html=parsed.html,
        quoted_text=parsed.quoted_text,
        attachments=uploads,
        thread_ticket=thread,
        message_id=parsed.message_id,
        quiet=ticket is None and inbound.is_automatic and thread is not None,
    )
    if follows is not None:
        _note(
            result.ticket,
            _("Follow-up to #%(number)d, which was closed when this email answered it.")
            % {"number": follows.pk},
        )
    if parsed.problems:
        _note(
            result.ticket,
            _("From the email: %(problems)s") % {"problems": " ".join(parsed.problems)},
        )
    if parsed.message_id:
        EmailThreadId.objects.get_or_create(
            message_id=parsed.message_id,
            defaults={
                "ticket": result.ticket,
                "ticket_message": result.message,
                "direction": EmailThreadId.Direction.RECEIVED,
            },
        )
    return result


@transaction.atomic
def email_assign(*, inbound: InboundEmail, ticket: Ticket, actor: User) -> InboundEmail:
    """A person puts a quarantined (or any unhandled) message onto a ticket by hand."""
    if inbound.status in (InboundEmail.Status.PROCESSED, InboundEmail.Status.DUPLICATE):
        raise TicketError(_("This email is already on a ticket."))
    parsed = parse_email(_read_raw(inbound))
    if not parsed.text.strip() and not parsed.attachments:
        parsed.text = _("(The email could not be read; see the original message.)")
    result = _deliver(inbound, parsed, ticket=ticket)
    inbound.status = InboundEmail.Status.PROCESSED
    inbound.ticket, inbound.ticket_message = result.ticket, result.message
    inbound.processed_at = timezone.now()
    inbound.reason = _("Added to #%(number)d by hand by %(person)s.") % {
        "number": result.ticket.pk,
        "person": actor.email,
    }
    inbound.save()
    return inbound


def _route(inbound: InboundEmail) -> ChannelResult | None:
    """Onto a ticket; None for Kefu's own test message of the support address (no ticket)."""
    from kefu.messaging.verification import is_test_message, support_email_arrival

    parsed = parse_email(_read_raw(inbound))
    inbound.subject = parsed.subject[:998]
    inbound.from_address = parsed.from_address[:320]
    inbound.is_automatic = parsed.is_automatic or inbound.envelope_sender.strip() == "<>"
    if not parsed.headers_readable:
        raise InboundRejected(" ".join(parsed.problems))
    if not parsed.from_address:
        problems = " ".join(parsed.problems)
        raise InboundRejected(
            _("No sender address: the message has no usable From address.")
            + (f" {problems}" if problems else "")
        )
    support_email_arrival(parsed=parsed, envelope_recipient=inbound.envelope_recipient)
    if is_test_message(parsed):
        return None
    own = EmailThreadId.objects.filter(
        message_id=parsed.message_id, direction=EmailThreadId.Direction.SENT
    )
    if parsed.message_id and own.exists():
        raise InboundRejected(_("This is mail Kefu sent, come back (a forwarding loop?)."))
    _note_reused_message_id(inbound, parsed)
    result = _deliver(inbound, parsed)
    inbound.reason = " ".join(parsed.problems)[:2000]
    return result


def _note_reused_message_id(inbound: InboundEmail, parsed: ParsedEmail) -> None:
    """Say so when an earlier, different message had this Message-ID (a broken mailer): both
    are kept, and agents can tell why a reply may thread to the earlier one."""
    if not inbound.message_id:
        return
    earlier = (
        InboundEmail.objects.filter(message_id=inbound.message_id, pk__lt=inbound.pk)
        .exclude(status=InboundEmail.Status.DUPLICATE)
        .order_by("pk")
        .first()
    )
    if earlier is not None:
        parsed.problems.append(
            _(
                "Another message (#%(id)d) arrived earlier with the same Message-ID but "
                "different content; this one was taken as a message of its own."
            )
            % {"id": earlier.pk}
        )


def _quarantine_reason(error: Exception) -> str:
    if isinstance(error, InboundRejected):
        return str(error)
    if isinstance(error, TicketError):
        return _("The ticket refused it: %(message)s") % {"message": error}
    return _("Processing failed (%(kind)s): %(message)s") % {
        "kind": type(error).__name__,
        "message": str(error)[:500],
    }


def email_process(*, inbound: InboundEmail, retry: bool = False) -> InboundEmail:
    """Process a received message once: onto a ticket, or quarantined with the reason.
    ``retry`` also takes a quarantined one. Never raises; safe to call twice."""
    from kefu.messaging.autoreply import auto_reply_maybe

    allowed = [InboundEmail.Status.RECEIVED]
    if retry:
        allowed.append(InboundEmail.Status.QUARANTINED)
    with transaction.atomic():
        locked = InboundEmail.objects.select_for_update().filter(pk=inbound.pk, status__in=allowed)
        current = locked.first()
        if current is None:
            inbound.refresh_from_db()
            return inbound
        current.attempts += 1
        try:
            with transaction.atomic():
                result = _route(current)
        except Exception as error:  # kept in quarantine, never retried forever
            current.status = InboundEmail.Status.QUARANTINED
            current.reason = _quarantine_reason(error)[:2000]
            logger.warning(
                "inbound email %s quarantined in %s: %s",
                current.pk,
                connection.schema_name,
                current.reason,
                exc_info=not isinstance(error, InboundRejected),
            )
            current.save()
            return current
        if result is None:
            current.status = InboundEmail.Status.DISCARDED
            current.reason = _(
                "Kefu's test message of your support address: it arrived, so the address "
                "forwards to Kefu. It was not made a ticket."
            )
            current.processed_at = timezone.now()
            current.save()
            return current
        current.status = InboundEmail.Status.PROCESSED
        current.ticket, current.ticket_message = result.ticket, result.message
        current.processed_at = timezone.now()
        current.save()
        if result.created:
            try:
                with transaction.atomic():
                    auto_reply_maybe(inbound=current, ticket=result.ticket)
            except Exception:
                logger.exception(
                    "auto-reply failed for inbound email %s in %s",
                    current.pk,
                    connection.schema_name,
                )
    return current
