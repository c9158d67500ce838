"""Ticket notifications by email, sent by the worker (the services enqueue them after commit).

Every job takes ids, looks its rows up again and mails each recipient once: it claims an
OutboundNotice key such as ``reply:<message id>:<email>`` in the transaction that sends the mail.
A retry after the commit finds the key taken and skips that recipient; a send that fails, or a
worker killed before the commit, leaves no key, so the retry sends.

Customers never get internal notes. Only the requester's links carry the signed access token;
a customer who merely follows a public ticket gets the plain help center link.

Every mail is addressed and threaded by ``kefu.messaging.outbound``: from the workspace's
support address, a Reply-To with the ticket's token, its own Message-ID (recorded once sent),
In-Reply-To / References of the ticket's thread and ``[#N]`` in the subject.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import connection, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from kefu.accounts.models import User
from kefu.jobs import tenant_actor
from kefu.messaging import outbound
from kefu.tickets.models import OutboundNotice, Ticket, TicketEvent, TicketMessage

#: History entries that do not interest followers (or that have their own mail).
QUIET_EVENT_KINDS = frozenset(
    {TicketEvent.Kind.CREATED, TicketEvent.Kind.FOLLOWED, TicketEvent.Kind.UNFOLLOWED}
)
#: A status change this soon after the same person's public reply came with that reply (reply
#: and resolve, or the first reply opening the ticket): the reply's mail carries the news.
REPLY_FOLD_WINDOW = timedelta(minutes=1)
_BLANK_LINES = re.compile(r"\n[ \t]*(?:\n[ \t]*)+\n")
_KEY_LENGTH = OutboundNotice._meta.get_field("key").max_length


@dataclass(frozen=True)
class Recipient:
    email: str
    language: str
    name: str = ""


def mail_language(*candidates: str | None) -> str:
    """The first supported language among ``candidates`` (zh, zh-cn → zh-hans), else the
    workspace's own language (inside a workspace's schema), else the site default."""
    for code in candidates:
        if not code:
            continue
        try:
            return translation.get_supported_language_variant(code.lower())
        except LookupError:
            continue
    return workspace_language()


def workspace_language() -> str:
    """The language a workspace writes to people whose own is not known (the site default in
    the public schema)."""
    from kefu.tenancy import in_public_schema

    if in_public_schema():
        return settings.LANGUAGE_CODE
    from kefu.desk.selectors import workspace_settings_get

    return workspace_settings_get().default_language or settings.LANGUAGE_CODE


def requester_recipient(ticket: Ticket) -> Recipient | None:
    """The requester, in their language (contact, account, then the ticket's own), or None
    when there is no address to write to. An account that has not verified its address is
    still written to there (as allauth does): the mails only concern its own tickets."""
    contact = ticket.requester
    address = (contact.email or contact.claimed_email) if contact is not None else ""
    if contact is None or not address:
        return None
    account_language = contact.user.language if contact.user_id and contact.user else ""
    language = mail_language(contact.language, account_language, ticket.language)
    return Recipient(email=address, language=language, name=contact.name)


def user_recipient(user: User) -> Recipient:
    return Recipient(
        email=user.email, language=mail_language(user.language), name=user.get_full_name()
    )


def _notice_key(prefix: str, email: str) -> str:
    key = f"{prefix}:{email.lower()}"
    if len(key) <= _KEY_LENGTH:
        return key
    return f"{prefix}:{hashlib.sha256(email.lower().encode()).hexdigest()[:32]}"


class TicketMailer:
    """Mails about one ticket, from the workspace's name, each in its recipient's language."""

    def __init__(self, ticket: Ticket) -> None:
        from kefu.tickets.calendar import workspace_timezone
        from tenants.models import Tenant

        self.ticket = ticket
        self.workspace = Tenant.objects.get(schema_name=connection.schema_name)
        self.local_part = outbound.support_local_part()
        self.time_zone = workspace_timezone()

    def from_address(self) -> str:
        return outbound.from_header(self.workspace, local_part=self.local_part)

    def compose(
        self,
        *,
        recipient: Recipient,
        template: str,
        context: dict[str, Any],
        automated: bool,
        headers: dict[str, str] | None = None,
    ) -> tuple[EmailMultiAlternatives, str]:
        """The mail and its Message-ID. ``template`` is a name under tickets/email/ or a full
        template path prefix (``messaging/email/auto_reply``)."""
        context = {
            **context,
            "ticket": self.ticket,
            "workspace": self.workspace,
            "recipient": recipient,
            "time_zone": str(self.time_zone),
        }
        name = template if "/" in template else f"tickets/email/{template}"
        with translation.override(recipient.language), timezone.override(self.time_zone):
            subject = render_to_string(f"{name}_subject.txt", context)
            body = render_to_string(f"{name}.txt", context)
            html = render_to_string(f"{name}.html", context)
        all_headers = {"X-Kefu-Ticket": str(self.ticket.number)}
        if automated:  # RFC 3834: auto-responders must not answer this (Outlook: the last one)
            all_headers["Auto-Submitted"] = "auto-generated"
            all_headers["X-Auto-Response-Suppress"] = "All"
        all_headers.update(headers or {})
        message = EmailMultiAlternatives(
            subject=" ".join(subject.split()),
            body=_BLANK_LINES.sub("\n\n", body).strip() + "\n",
            to=[recipient.email],
            headers=all_headers,
        )
        message.attach_alternative(html, "text/html")
        message_id = outbound.ticket_mail_prepare(
            message, ticket=self.ticket, workspace=self.workspace, local_part=self.local_part
        )
        return message, message_id

    def send_once(
        self,
        *,
        key: str,
        recipient: Recipient,
        template: str,
        context: dict[str, Any],
        automated: bool = True,
        headers: dict[str, str] | None = None,
        ticket_message: TicketMessage | None = None,
    ) -> bool:
        """Claim the key, send, and record the sent Message-ID in the ticket's thread (and on
        ``ticket_message``, for a reply), all in one transaction; False if the key was taken
        (sent before).

        The claim commits only with the send: a worker that dies before the mail server
        accepted the mail leaves no claim, and the job's retry sends it. A job running the same
        key meanwhile waits on the claim's row and then skips. The one window left for a second
        copy is a crash after the server's "accepted" and before the commit."""
        with transaction.atomic():
            _notice, created = OutboundNotice.objects.get_or_create(
                key=_notice_key(key, recipient.email),
                defaults={"ticket": self.ticket, "recipient": recipient.email},
            )
            if not created:
                return False
            message, message_id = self.compose(
                recipient=recipient,
                template=template,
                context=context,
                automated=automated,
                headers=headers,
            )
            message.send()
            outbound.ticket_mail_sent(
                ticket=self.ticket, message_id=message_id, ticket_message=ticket_message
            )
        return True


def _ticket_query():
    return Ticket.objects.select_related("requester", "requester__user", "assignee")


def _customer_page_url(mailer: TicketMailer) -> str:
    """The help center page of the ticket without an access token (for followers)."""
    from kefu.tenancy import tenant_base_url, tenant_reverse

    path = tenant_reverse("ticket_detail", args=(mailer.ticket.pk,))
    return f"{tenant_base_url(mailer.workspace)}{path}"


def came_with_reply(event: TicketEvent) -> bool:
    """Whether a status change was part of a public reply by the same person (or, with no
    actor, by the customer through their emailed link)."""
    if event.kind != TicketEvent.Kind.STATUS:
        return False
    previous = (
        TicketEvent.objects.filter(ticket_id=event.ticket_id, pk__lt=event.pk)
        .order_by("-pk")
        .first()
    )
    return (
        previous is not None
        and previous.kind == TicketEvent.Kind.REPLIED
        and previous.actor_id == event.actor_id
        and event.created_at - previous.created_at <= REPLY_FOLD_WINDOW
    )


def _survey(ticket: Ticket) -> list[tuple[int, str]]:
    """Links that rate the ticket 1 to 5 in one click, once it is resolved."""
    from kefu.tickets.links import ticket_rating_url

    if ticket.status != Ticket.Status.RESOLVED:
        return []
    return [(score, ticket_rating_url(ticket, score=score)) for score in range(1, 6)]


def _person_name(user: User | None, fallback: str = "") -> str:
    if user is None:
        return fallback
    return user.get_full_name() or user.email


@tenant_actor(queue_name="mail", max_retries=5)
def notify_ticket_received(ticket_id: int) -> None:
    """Tell the requester their ticket arrived: number, promised time, link. Not for a ticket
    that came by email: its acknowledgement is the automatic reply (kefu.messaging.autoreply),
    which also suggests articles and never answers auto-responders or loops."""
    from kefu.tickets.links import ticket_customer_url

    ticket = _ticket_query().filter(pk=ticket_id).first()
    recipient = requester_recipient(ticket) if ticket else None
    if ticket is None or recipient is None or ticket.channel == Ticket.Channel.EMAIL:
        return
    TicketMailer(ticket).send_once(
        key=f"received:{ticket.pk}",
        recipient=recipient,
        template="received",
        context={"url": ticket_customer_url(ticket)},
    )


@tenant_actor(queue_name="mail", max_retries=5)
def notify_customer_reply(message_id: int) -> None:
    """Send an agent's public reply to the requester (internal notes never leave the desk;
    customer followers hear of public replies through notify_followers)."""
    from kefu.tickets.links import ticket_customer_url

    message = (
        TicketMessage.objects.select_related("author")
        .filter(pk=message_id, kind=TicketMessage.Kind.PUBLIC)
        .first()
    )
    if message is None or not message.from_staff:
        return
    ticket = _ticket_query().get(pk=message.ticket_id)
    recipient = requester_recipient(ticket)
    if recipient is None:
        return
    TicketMailer(ticket).send_once(
        key=f"reply:{message.pk}",
        recipient=recipient,
        template="reply",
        context={
            "message": message,
            "author_name": _person_name(message.author),
            "attachments": list(message.attachments.values_list("filename", flat=True)),
            "status": ticket.status,
            "status_label": ticket.get_status_display(),
            "survey": _survey(ticket),
            "url": ticket_customer_url(ticket),
        },
        automated=False,
        ticket_message=message,
    )


@tenant_actor(queue_name="mail", max_retries=5)
def notify_status_changed(event_id: int) -> None:
    """Tell the requester the status changed (resolved: with the satisfaction survey). A change
    that came with an agent's reply is told in the reply's mail instead."""
    from kefu.tickets.links import ticket_customer_url

    event = TicketEvent.objects.filter(pk=event_id, kind=TicketEvent.Kind.STATUS).first()
    status = (event.data or {}).get("to") if event else None
    if event is None or status not in Ticket.Status.values or came_with_reply(event):
        return
    ticket = _ticket_query().get(pk=event.ticket_id)
    recipient = requester_recipient(ticket)
    if recipient is None:
        return
    survey = _survey(ticket) if status == Ticket.Status.RESOLVED else []
    TicketMailer(ticket).send_once(
        key=f"status:{event.pk}",
        recipient=recipient,
        template="status",
        context={
            "status": status,
            "status_label": Ticket.Status(status).label,
            "survey": survey,
            "url": ticket_customer_url(ticket),
        },
    )


@tenant_actor(queue_name="mail", max_retries=5)
def notify_assigned(ticket_id: int, assignee_id: int) -> None:
    """Tell an agent a ticket was assigned to them (nothing if it moved on since)."""
    from kefu.tickets.links import ticket_desk_url

    ticket = _ticket_query().filter(pk=ticket_id, assignee_id=assignee_id).first()
    if ticket is None or ticket.assignee is None:
        return
    assignee = ticket.assignee
    if not (assignee.is_active and assignee.is_desk_user and assignee.email):
        return
    # One mail per assignment: handed back and assigned again later is news again.
    stamp = int(ticket.assigned_at.timestamp()) if ticket.assigned_at else 0
    TicketMailer(ticket).send_once(
        key=f"assigned:{ticket.pk}:{stamp}",
        recipient=user_recipient(assignee),
        template="assigned",
        context={"promised_at": ticket.promised_at, "url": ticket_desk_url(ticket)},
    )


def _staff_watchers(ticket: Ticket, event: TicketEvent) -> list[User]:
    """Staff following the ticket and its assignee, minus whoever made the change (and a new
    assignee, who has their own mail)."""
    watchers = {
        user.pk: user for user in ticket.followers.filter(role__in=User.STAFF_ROLES, is_active=True)
    }
    assignee = ticket.assignee
    if assignee is not None and assignee.is_active and assignee.is_desk_user:
        watchers.setdefault(assignee.pk, assignee)
    watchers.pop(event.actor_id, None)
    if event.kind == TicketEvent.Kind.ASSIGNED:
        watchers.pop((event.data or {}).get("assignee"), None)
    return [user for user in watchers.values() if user.email]


def _customer_followers(ticket: Ticket, event: TicketEvent, message: TicketMessage) -> list[User]:
    """Customers following a public ticket, for a public reply only (never a note); the
    requester already gets an agent's reply by notify_customer_reply."""
    if not (
        ticket.is_public and event.kind == TicketEvent.Kind.REPLIED and not message.is_internal
    ):
        return []
    followers = ticket.followers.filter(role=User.Role.CUSTOMER, is_active=True)
    followers = followers.exclude(pk=event.actor_id) if event.actor_id else followers
    requester_email = (ticket.requester.email if ticket.requester else "").lower()
    return [
        user
        for user in followers
        if user.email and not (message.from_staff and user.email.lower() == requester_email)
    ]


def _event_message(event: TicketEvent) -> TicketMessage | None:
    message_id = (event.data or {}).get("message")
    if event.kind not in (TicketEvent.Kind.REPLIED, TicketEvent.Kind.NOTE) or not message_id:
        return None
    return (
        TicketMessage.objects.select_related("author", "author_contact")
        .filter(pk=message_id, ticket_id=event.ticket_id)
        .first()
    )


def _status_labels(event: TicketEvent) -> dict[str, Any]:
    data = event.data or {}
    if event.kind != TicketEvent.Kind.STATUS:
        return {}
    labels = dict(Ticket.Status.choices)
    return {
        "status_from": labels.get(data.get("from"), ""),
        "status_to": labels.get(data.get("to"), ""),
    }


@tenant_actor(queue_name="mail", max_retries=5)
def notify_followers(event_id: int) -> None:
    """Tell staff followers (and the assignee) that a followed ticket changed; customers who
    follow a public ticket hear of its public replies."""
    from kefu.tickets.links import ticket_desk_url

    event = TicketEvent.objects.select_related("actor").filter(pk=event_id).first()
    if event is None or event.kind in QUIET_EVENT_KINDS or came_with_reply(event):
        return
    message = _event_message(event)
    if event.kind in (TicketEvent.Kind.REPLIED, TicketEvent.Kind.NOTE) and message is None:
        return
    ticket = _ticket_query().get(pk=event.ticket_id)
    mailer = TicketMailer(ticket)
    fallback = message.author_contact.display_name if message and message.author_contact else ""
    actor_name = _person_name(event.actor, fallback) or mailer.workspace.name
    context = {
        "event": event,
        "message": message,
        "actor_name": actor_name,
        "status_label": ticket.get_status_display(),
        **_status_labels(event),
    }
    _send_each(mailer, event, _staff_watchers(ticket, event), "activity",
               {**context, "url": ticket_desk_url(ticket)})  # fmt: skip
    if message is not None:
        customers = _customer_followers(ticket, event, message)
        if customers:
            _send_each(mailer, event, customers, "followed_reply",
                       {**context, "url": _customer_page_url(mailer)})  # fmt: skip


def _send_each(
    mailer: TicketMailer,
    event: TicketEvent,
    users: Iterable[User],
    template: str,
    context: dict[str, Any],
) -> None:
    for user in users:
        mailer.send_once(
            key=f"event:{event.pk}",
            recipient=user_recipient(user),
            template=template,
            context=context,
        )
