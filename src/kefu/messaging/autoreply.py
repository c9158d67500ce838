"""Automatic replies to new email tickets: the ticket number, the promised time and up to three
articles that may already answer the mail, each with a "This solved it" link.

Inbound processing calls ``auto_reply_maybe`` after it opened a ticket from an email; the mail
itself is sent by the ``send_auto_reply`` job. Nothing is sent

- when the workspace turned acknowledgements off (``WorkspaceSettings.email_auto_reply``);
- to automatic mail (auto-replies, bounces, list mail: ``InboundEmail.is_automatic``, set by the
  parser from Auto-Submitted / Precedence / X-Autoreply / List-Id / a null sender);
- to no-reply style addresses, to the workspace's own address and to any address on the Kefu
  platform's domain (two workspaces must never answer each other);
- to an address that already got ``MAX_PER_HOUR`` automatic replies in the last hour or
  ``MAX_PER_DAY`` in the last day (``AutoReplyLog``): an auto-responder that ignores the
  Auto-Submitted header still stops after a few rounds.

Email tickets get no separate "we received your request" mail: this reply is their
acknowledgement (``notify_ticket_received`` skips channel=email).

Runs inside a tenant schema.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import re
from email.utils import parseaddr
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from kefu.core.signing import schema_checked_loads, workspace_dumps, workspace_loads
from kefu.jobs import enqueue_on_commit, tenant_actor
from kefu.kb.models import Article
from kefu.messaging.models import AutoReplyLog, InboundEmail
from kefu.tickets.models import DeflectionEvent, OutboundNotice, Ticket

logger = logging.getLogger(__name__)

MAX_PER_HOUR = 3
MAX_PER_DAY = 10
MAX_SUGGESTIONS = 3
#: How long a "This solved it" link works.
SOLVED_LINK_MAX_AGE = datetime.timedelta(days=30)
AUTO_REPLY_HEADERS = {
    # RFC 3834: an automatic answer; Exchange/Outlook: send no out-of-office back.
    "Auto-Submitted": "auto-replied",
    "X-Auto-Response-Suppress": "All",
}
_NO_REPLY_LOCAL = re.compile(
    r"^(?:no[-_.]?reply|do[-_.]?not[-_.]?reply|mailer[-_.]?daemon|postmaster|bounces?)"
    r"(?:[-_.+].*)?$",
    re.IGNORECASE,
)
_SOLVED_PURPOSE = "kefu.messaging.solved-by"


def reply_address(inbound: InboundEmail, ticket: Ticket) -> str:
    """Where the acknowledgement goes: the mail's From, else the requester's address."""
    _name, address = parseaddr(inbound.from_address or "")
    if "@" not in address and ticket.requester is not None:
        address = ticket.requester.email
    return address.strip().lower() if "@" in address else ""


def _own_addresses() -> set[str]:
    from kefu.desk.selectors import workspace_settings_get

    row = workspace_settings_get()
    own = {parseaddr(settings.DEFAULT_FROM_EMAIL)[1].lower()}
    if row.support_email:
        own.add(row.support_email.lower())
    return own


def is_unanswerable_address(address: str) -> bool:
    """No-reply style addresses, the workspace's own address and the platform's addresses."""
    local, _at, domain = address.rpartition("@")
    root = settings.ROOT_DOMAIN.lower()
    domain = domain.lower().rstrip(".")
    return (
        not local
        or bool(_NO_REPLY_LOCAL.match(local))
        or address in _own_addresses()
        or domain == root
        or domain.endswith(f".{root}")
    )


def sender_over_limit(address: str) -> bool:
    """Whether ``address`` already had its share of automatic replies (hour and day)."""
    now = timezone.now()
    recent = AutoReplyLog.objects.filter(
        address=address, created_at__gte=now - datetime.timedelta(days=1)
    )
    if recent.count() >= MAX_PER_DAY:
        return True
    return recent.filter(created_at__gte=now - datetime.timedelta(hours=1)).count() >= MAX_PER_HOUR


def auto_reply_refusal(*, inbound: InboundEmail, address: str) -> str:
    """Why no automatic reply may be sent ("" when one may)."""
    from kefu.desk.selectors import workspace_settings_get

    if not workspace_settings_get().email_auto_reply:
        return "turned off"
    if inbound.is_automatic:
        return "automatic mail"
    if not address or is_unanswerable_address(address):
        return "address not answered"
    if sender_over_limit(address):
        return "sender over the limit"
    return ""


def auto_reply_maybe(*, inbound: InboundEmail, ticket: Ticket) -> None:
    """Acknowledge the new ticket (number, promise, suggested articles) unless the mail was
    automatic, the sender hit the loop limit, or the workspace turned it off. The mail is sent
    by a job after the current transaction commits (and checked again there)."""
    refusal = auto_reply_refusal(inbound=inbound, address=reply_address(inbound, ticket))
    if refusal:
        logger.info("no auto-reply for ticket %s: %s", ticket.pk, refusal)
        return
    enqueue_on_commit(send_auto_reply, ticket.pk, inbound.pk)


def _lock_address(address: str) -> None:
    """Serialise auto-replies to one address (per schema) until the transaction ends, so two
    jobs cannot both pass the limit."""
    digest = hashlib.sha256(f"{connection.schema_name}:{address}".encode()).digest()
    key = int.from_bytes(digest[:8], "big", signed=True)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])


@tenant_actor(queue_name="mail", max_retries=5)
def send_auto_reply(ticket_id: int, inbound_id: int) -> None:
    """Send the acknowledgement of an email ticket, once, within the per-sender limit."""
    from kefu.tickets.notifications import TicketMailer

    ticket = (
        Ticket.objects.select_related("requester", "requester__user").filter(pk=ticket_id).first()
    )
    inbound = InboundEmail.objects.filter(pk=inbound_id).first()
    if ticket is None or inbound is None:
        return
    key = f"autoreply:{ticket.pk}"
    address = reply_address(inbound, ticket)
    if OutboundNotice.objects.filter(key__startswith=f"{key}:").exists():
        return  # a retry after the mail went out
    with transaction.atomic():
        _lock_address(address)
        refusal = auto_reply_refusal(inbound=inbound, address=address)
        if refusal:
            logger.info("no auto-reply for ticket %s: %s", ticket.pk, refusal)
            return
        AutoReplyLog.objects.create(address=address, ticket=ticket)
        mailer = TicketMailer(ticket)
        sent = mailer.send_once(
            key=key,
            recipient=_recipient(ticket, address),
            template="messaging/email/auto_reply",
            context=_context(ticket, mailer),
            headers=AUTO_REPLY_HEADERS,
        )
        if not sent:
            transaction.set_rollback(True)  # counted only when a mail went out


def _recipient(ticket: Ticket, address: str):
    from kefu.tickets.notifications import Recipient, mail_language

    contact = ticket.requester
    account_language = contact.user.language if contact and contact.user_id else ""
    return Recipient(
        email=address,
        language=mail_language(contact.language if contact else "", account_language,
                               ticket.language),
        name=contact.name if contact else "",
    )  # fmt: skip


def _context(ticket: Ticket, mailer: Any) -> dict[str, Any]:
    from kefu.tenancy import tenant_base_url, tenant_reverse
    from kefu.tickets.links import ticket_customer_url

    articles = suggested_articles(ticket)
    shown = [article.pk for article in articles]
    base = tenant_base_url(mailer.workspace)
    suggestions = [
        {
            "title": article.title,
            "url": base
            + tenant_reverse(
                "article_detail", kwargs={"article_id": article.pk, "slug": article.slug}
            ),
            "solved_url": base + solved_link_path(ticket, article_id=article.pk, shown=shown),
        }
        for article in articles
    ]
    return {
        "url": ticket_customer_url(ticket),
        "suggestions": suggestions,
    }


def suggested_articles(ticket: Ticket) -> list[Article]:
    """Up to three published articles that answer the mail (the search is logged as an email
    auto-reply search, so mails nothing answers show up as content gaps)."""
    from kefu.search.models import SearchLog
    from kefu.tickets.deflection import good_answers

    answers = good_answers(
        subject=ticket.subject, description=ticket.description, source=SearchLog.Source.EMAIL
    )
    return [hit.article for hit in answers.articles[:MAX_SUGGESTIONS]]


# --- "This solved it" ---------------------------------------------------------------------


def solved_link_token(ticket: Ticket, *, article_id: int, shown: list[int]) -> str:
    """Signed (ticket, requester, article, articles shown) for this workspace."""
    payload = [ticket.pk, ticket.requester_id, article_id, shown]
    return workspace_dumps(payload, purpose=_SOLVED_PURPOSE)


def solved_link_path(ticket: Ticket, *, article_id: int, shown: list[int]) -> str:
    from kefu.tenancy import tenant_reverse

    path = tenant_reverse("email_solved_by", args=(ticket.pk, article_id))
    return f"{path}?t={solved_link_token(ticket, article_id=article_id, shown=shown)}"


def solved_link_read(token: str, *, ticket_id: int, article_id: int) -> list[int] | None:
    """The articles shown with a valid link for this ticket and article in this workspace,
    else None (forged, expired, foreign, or the ticket changed hands)."""
    payload = workspace_loads(
        token, purpose=_SOLVED_PURPOSE, max_age=SOLVED_LINK_MAX_AGE
    ) or schema_checked_loads(token, salt=_SOLVED_PURPOSE, max_age=SOLVED_LINK_MAX_AGE)
    try:
        token_ticket, requester_id, token_article, shown = payload
    except (TypeError, ValueError):
        return None
    if (token_ticket, token_article) != (ticket_id, article_id) or not isinstance(shown, list):
        return None
    if not Ticket.objects.filter(pk=ticket_id, requester_id=requester_id).exists():
        return None
    return [int(pk) for pk in shown if isinstance(pk, int)]


@transaction.atomic
def ticket_solve_by_article(
    *, ticket: Ticket, article: Article, shown: list[int]
) -> DeflectionEvent | None:
    """The customer says a suggested article answered their mail: the ticket is resolved as
    deflected by email (a DeflectionEvent naming the article), and the mail's subject is
    learned as a phrasing of the article. None if the ticket was no longer open."""
    from kefu.search.learning import phrasing_learn
    from kefu.tickets.deflection import question_text
    from kefu.tickets.services.changes import ticket_status_set

    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if ticket.status not in Ticket.ACTIVE_STATUSES:
        return None
    titles = dict(Article.objects.filter(pk__in=shown).values_list("pk", "title"))
    event = DeflectionEvent.objects.create(
        query=question_text(ticket.subject, ticket.description),
        shown=[{"type": "article", "id": pk, "title": titles[pk]} for pk in shown if pk in titles],
        chosen_article=article,
        source=DeflectionEvent.Source.EMAIL,
        contact=ticket.requester,
    )
    ticket_status_set(ticket=ticket, status=Ticket.Status.RESOLVED, actor=None)
    phrasing_learn(article=article, query=ticket.subject)
    return event
