"""The quarantine: inbound email that could not be processed, kept for people to handle
(tenant schema). Retry, assign by hand (``inbound.email_assign``), or discard (raw kept)."""

from __future__ import annotations

from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from kefu.accounts.models import User
from kefu.messaging.inbound import email_process
from kefu.messaging.models import InboundEmail
from kefu.tickets.errors import TicketError

RECENT_LIMIT = 200


def quarantine_list() -> QuerySet[InboundEmail]:
    """Quarantined messages, newest first."""
    return InboundEmail.objects.filter(status=InboundEmail.Status.QUARANTINED).order_by(
        "-received_at", "-pk"
    )


def inbound_list_recent(*, status: str = "") -> QuerySet[InboundEmail]:
    """The inbox log: recent inbound messages with their status and ticket."""
    rows = InboundEmail.objects.select_related("ticket").order_by("-received_at", "-pk")
    if status in InboundEmail.Status.values:
        rows = rows.filter(status=status)
    return rows


def access_inbound(inbound_id: int) -> InboundEmail:
    """The inbound message of this workspace (the schema is the wall), else 404."""
    inbound = InboundEmail.objects.filter(pk=inbound_id).first()
    if inbound is None:
        raise Http404
    return inbound


def inbound_retry(*, inbound: InboundEmail, actor: User) -> InboundEmail:
    """Run processing again on a quarantined (or never processed) message."""
    if inbound.status not in (InboundEmail.Status.QUARANTINED, InboundEmail.Status.RECEIVED):
        raise TicketError(_("Only quarantined email can be retried."))
    return email_process(inbound=inbound, retry=True)


@transaction.atomic
def inbound_discard(*, inbound: InboundEmail, actor: User) -> InboundEmail:
    """Set a message aside for good (spam, junk); its raw file stays."""
    if inbound.status in (InboundEmail.Status.PROCESSED, InboundEmail.Status.DUPLICATE):
        raise TicketError(_("This email is already on a ticket."))
    inbound.status = InboundEmail.Status.DISCARDED
    note = _("Discarded by %(person)s.") % {"person": actor.email}
    inbound.reason = f"{inbound.reason}\n{note}".strip()
    inbound.save(update_fields=["status", "reason"])
    return inbound
