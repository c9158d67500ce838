"""Outbound mail about a ticket: the workspace's own address, headers that keep the customer's
mail client threading, and the Message-IDs Kefu sent, recorded so a reply finds its ticket.

Every mail about ticket N of workspace ``acme`` (on root domain ``kefu.example``):

- From ``Acme <support@acme.kefu.example>`` (the workspace's support address on the platform
  domain: the workspace name as the display name, the address Kefu receives at);
- Reply-To ``support+t1001@acme.kefu.example``: the plus token finds the ticket even when a
  mail client drops the threading headers;
- Message-ID ``<kefu.t_acme.1001.<random>@kefu.example>`` (unique per mail), In-Reply-To the
  customer's last mail (else Kefu's last one), References the thread so far (capped);
- the subject carries ``[#1001]``.

Runs inside the tenant schema.
"""

from __future__ import annotations

import secrets
from email.utils import formataddr
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import connection, transaction

from kefu.messaging.models import EmailThreadId
from kefu.tickets.models import Ticket, TicketMessage

if TYPE_CHECKING:
    from tenants.models import Tenant

#: At most this many Message-IDs in References: the first of the thread and the latest ones
#: (RFC 5322 §3.6.4 allows trimming; clients thread by any id they know).
MAX_REFERENCES = 10
DEFAULT_LOCAL_PART = "support"


def support_local_part() -> str:
    """The part before @ of this workspace's Kefu address (``support`` unless configured)."""
    from kefu.desk.selectors import workspace_settings_get

    return workspace_settings_get().support_local_part or DEFAULT_LOCAL_PART


def platform_mail_domain(workspace: Tenant) -> str:
    """``acme.kefu.example``: the workspace's mail domain on the platform."""
    return f"{workspace.slug}.{settings.ROOT_DOMAIN}"


def ticket_token(ticket: Ticket) -> str:
    """The plus token of a ticket's reply address: ``t1001``."""
    return f"t{ticket.number}"


def support_address(
    workspace: Tenant, *, local_part: str | None = None, ticket: Ticket | None = None
) -> str:
    """``support@acme.kefu.example``, or with a ticket ``support+t1001@acme.kefu.example``."""
    local = local_part or support_local_part()
    if ticket is not None:
        local = f"{local}+{ticket_token(ticket)}"
    return f"{local}@{platform_mail_domain(workspace)}"


def from_header(workspace: Tenant, *, local_part: str | None = None) -> str:
    """``Acme <support@acme.kefu.example>``."""
    return formataddr((workspace.name, support_address(workspace, local_part=local_part)))


def new_message_id(ticket: Ticket) -> str:
    """A fresh Message-ID (without angle brackets) that names the workspace and the ticket."""
    return (
        f"kefu.{connection.schema_name}.{ticket.pk}.{secrets.token_hex(8)}@{settings.ROOT_DOMAIN}"
    )


def _bracketed(message_id: str) -> str:
    return f"<{message_id.strip('<> ')}>"


def thread_headers(ticket: Ticket) -> dict[str, str]:
    """In-Reply-To and References for the next mail of the ticket's thread ({} for the first)."""
    rows = list(
        EmailThreadId.objects.filter(ticket=ticket)
        .order_by("created_at", "pk")
        .values_list("message_id", "direction")
    )
    if not rows:
        return {}
    received = [mid for mid, direction in rows if direction == EmailThreadId.Direction.RECEIVED]
    parent = received[-1] if received else rows[-1][0]
    ordered = [mid for mid, _direction in rows if mid != parent] + [parent]
    if len(ordered) > MAX_REFERENCES:
        ordered = [ordered[0], *ordered[-(MAX_REFERENCES - 1) :]]
    return {
        "In-Reply-To": _bracketed(parent),
        "References": " ".join(_bracketed(mid) for mid in ordered),
    }


def subject_with_number(subject: str, ticket: Ticket) -> str:
    """The subject with ``[#N]`` in it (added in front when missing)."""
    tag = f"[#{ticket.number}]"
    return subject if tag in subject else f"{tag} {subject}".strip()


def ticket_mail_prepare(
    message: EmailMessage, *, ticket: Ticket, workspace: Tenant, local_part: str | None = None
) -> str:
    """Address and thread ``message`` as a mail about ``ticket``; returns its new Message-ID
    (without brackets), to be recorded by ``ticket_mail_sent`` once the mail went out."""
    local = local_part or support_local_part()
    message_id = new_message_id(ticket)
    message.from_email = from_header(workspace, local_part=local)
    message.reply_to = [support_address(workspace, local_part=local, ticket=ticket)]
    message.subject = subject_with_number(message.subject, ticket)
    message.extra_headers = {
        **message.extra_headers,
        **thread_headers(ticket),
        "Message-ID": _bracketed(message_id),
    }
    return message_id


@transaction.atomic
def ticket_mail_sent(
    *, ticket: Ticket, message_id: str, ticket_message: TicketMessage | None = None
) -> EmailThreadId:
    """Remember a Message-ID Kefu sent for the ticket (and on the reply it carried), so the
    customer's answer threads into the ticket."""
    thread_id, _created = EmailThreadId.objects.get_or_create(
        message_id=message_id,
        defaults={
            "ticket": ticket,
            "ticket_message": ticket_message,
            "direction": EmailThreadId.Direction.SENT,
        },
    )
    if ticket_message is not None and not ticket_message.email_message_id:
        ticket_message.email_message_id = message_id
        TicketMessage.objects.filter(pk=ticket_message.pk, email_message_id="").update(
            email_message_id=message_id
        )
    return thread_id
