"""One timeline of everything a customer did and was told, across channels and the help center
(tenant schema): the contact's page shows all of it, the ticket page the requester's other
tickets and their ratings. Here, not in kefu.contacts, because it reads tickets (tickets ->
contacts is the direction that stays)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Exists, OuterRef, Q

from kefu.contacts.models import Contact
from kefu.contacts.selectors import contact_visitor_keys
from kefu.kb.models import Article, ArticleView, GuidedOutcome
from kefu.search.models import SearchLog
from kefu.tickets.models import DeflectionEvent, Ticket, TicketMessage, TicketRating

#: Every kind of item, in no particular order.
TIMELINE_KINDS = frozenset(
    {"ticket", "message", "note", "search", "article", "guided", "deflection", "rating"}
)
#: What the ticket page shows of the requester: their tickets and how they rated them.
TICKET_PAGE_KINDS = frozenset({"ticket", "rating"})


@dataclass(frozen=True)
class TimelineItem:
    """One thing on a contact's timeline. ``kind`` is ticket, message, note, search, article,
    guided, deflection or rating; the other fields are set as the kind needs them."""

    at: datetime
    kind: str
    text: str = ""
    channel: str = ""
    ticket: Ticket | None = None
    article: Article | None = None
    from_staff: bool = False
    author: str = ""
    count: int | None = None
    score: int | None = None
    solved: bool | None = None

    @property
    def channel_label(self) -> str:
        return str(dict(Ticket.Channel.choices).get(self.channel, self.channel))


def _ticket_items(contact: Contact, limit: int, besides: Ticket | None) -> list[TimelineItem]:
    tickets = Ticket.objects.filter(requester=contact)
    if besides is not None:
        tickets = tickets.exclude(pk=besides.pk)
    tickets = tickets.order_by("-created_at")[:limit]
    return [
        TimelineItem(at=ticket.created_at, kind="ticket", text=ticket.description,
                     channel=ticket.channel, ticket=ticket)
        for ticket in tickets
    ]  # fmt: skip


def _message_items(contact: Contact, limit: int, include_internal: bool) -> list[TimelineItem]:
    # The first message of a ticket is its description, shown with the ticket itself.
    earlier = TicketMessage.objects.filter(ticket=OuterRef("ticket"), pk__lt=OuterRef("pk"))
    messages = (
        TicketMessage.objects.filter(Q(ticket__requester=contact) | Q(author_contact=contact))
        .filter(Exists(earlier))
        .select_related("ticket", "author")
        .order_by("-created_at", "-pk")
    )
    if not include_internal:
        messages = messages.exclude(kind=TicketMessage.Kind.INTERNAL)
    items = []
    for message in messages[:limit]:
        staff = message.from_staff
        author = (message.author.get_full_name() or message.author.email) if staff else ""
        items.append(
            TimelineItem(at=message.created_at, kind="note" if message.is_internal else "message",
                         text=message.body, channel=message.channel, ticket=message.ticket,
                         from_staff=staff, author=author)
        )  # fmt: skip
    return items


def _search_items(keys: list[str], limit: int) -> list[TimelineItem]:
    searches = (
        SearchLog.objects.filter(visitor_key__in=keys)
        .select_related("clicked_article")
        .order_by("-created_at")[:limit]
    )
    return [
        TimelineItem(at=log.created_at, kind="search", text=log.query,
                     count=log.result_count, article=log.clicked_article)
        for log in searches
    ]  # fmt: skip


def _read_items(keys: list[str], limit: int) -> list[TimelineItem]:
    views = (
        ArticleView.objects.filter(visitor_key__in=keys)
        .select_related("article")
        .order_by("-created_at")[:limit]
    )
    guided = (
        GuidedOutcome.objects.filter(visitor_key__in=keys)
        .select_related("article")
        .order_by("-created_at")[:limit]
    )
    items = [
        TimelineItem(at=view.created_at, kind="article", text=view.article.title,
                     article=view.article)
        for view in views
    ]  # fmt: skip
    items += [
        TimelineItem(at=outcome.created_at, kind="guided", article=outcome.article,
                     text=" › ".join(map(str, outcome.labels)), solved=outcome.solved)
        for outcome in guided
    ]  # fmt: skip
    return items


def _deflection_items(contact: Contact, keys: list[str], limit: int) -> list[TimelineItem]:
    condition = Q(contact=contact)
    if keys:
        condition |= Q(visitor_key__in=keys)
    deflections = (
        DeflectionEvent.objects.filter(condition)
        .select_related("chosen_article", "chosen_ticket")
        .order_by("-created_at")[:limit]
    )
    return [
        TimelineItem(at=event.created_at, kind="deflection", text=event.query,
                     article=event.chosen_article, ticket=event.chosen_ticket)
        for event in deflections
    ]  # fmt: skip


def _rating_items(contact: Contact, limit: int) -> list[TimelineItem]:
    ratings = (
        TicketRating.objects.filter(ticket__requester=contact)
        .select_related("ticket")
        .order_by("-updated_at")[:limit]
    )
    return [
        TimelineItem(at=rating.updated_at, kind="rating", text=rating.comment,
                     ticket=rating.ticket, score=rating.score)
        for rating in ratings
    ]  # fmt: skip


def contact_timeline(
    contact: Contact | None,
    *,
    limit: int = 200,
    include_internal: bool = True,
    kinds: Collection[str] = TIMELINE_KINDS,
    besides: Ticket | None = None,
) -> list[TimelineItem]:
    """Everything the contact did and was told, newest first: tickets opened (with their
    channel), messages on every channel (internal notes only with ``include_internal``), help
    center searches, articles read, guided answers, deflections and satisfaction ratings; only
    the ``kinds`` asked for. ``besides``: a ticket not listed itself (the page the timeline is
    shown on); its rating still is.

    A fixed number of queries however long the history: each source gives its newest
    ``limit`` rows, merged here.
    """
    if contact is None:
        return []
    wanted = set(kinds)
    visitor_kinds = {"search", "article", "guided", "deflection"}
    keys = contact_visitor_keys(contact) if wanted & visitor_kinds else []
    items: list[TimelineItem] = []
    if "ticket" in wanted:
        items += _ticket_items(contact, limit, besides)
    if wanted & {"message", "note"}:
        items += _message_items(contact, limit, include_internal and "note" in wanted)
    if "deflection" in wanted:
        items += _deflection_items(contact, keys, limit)
    if "rating" in wanted:
        items += _rating_items(contact, limit)
    if keys and "search" in wanted:
        items += _search_items(keys, limit)
    if keys and wanted & {"article", "guided"}:
        items += _read_items(keys, limit)
    items = [item for item in items if item.kind in wanted]
    items.sort(key=lambda item: item.at, reverse=True)
    return items[:limit]


def customer_timeline(ticket: Ticket, *, limit: int = 20) -> list[TimelineItem]:
    """The ticket page's part of the requester's timeline: their other tickets and their
    satisfaction ratings (this ticket's too), newest first."""
    return contact_timeline(ticket.requester, limit=limit, kinds=TICKET_PAGE_KINDS, besides=ticket)
