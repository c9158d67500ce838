"""Reads about contacts (tenant schema): the desk's list and search, access, and one timeline
of everything a person did across channels and the help center."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404

from kefu.accounts.models import User
from kefu.contacts.models import Contact, ContactIdentity
from kefu.contacts.services import normalize_identity
from kefu.core.parsing import id_or_none
from kefu.kb.models import Article, ArticleView, GuidedOutcome
from kefu.search.models import SearchLog
from kefu.tickets.models import DeflectionEvent, Ticket, TicketMessage, TicketRating


def contact_list(*, query: str = "", tier: str = "") -> QuerySet[Contact]:
    """Contacts that were not merged away, matching a name, email or phone fragment, with their
    number of tickets (``ticket_count``)."""
    contacts = Contact.objects.filter(merged_into__isnull=True)
    query = (query or "").strip()[:200]
    if query:
        identity = ContactIdentity.objects.filter(contact=OuterRef("pk"), value__icontains=query)
        matches = (
            Q(name__icontains=query)
            | Q(email__icontains=query)
            | Q(claimed_email__icontains=query)
            | Exists(identity)
        )
        phone = normalize_identity(ContactIdentity.Kind.PHONE, query)
        if len(phone.lstrip("+")) >= 3:
            matches |= Exists(
                ContactIdentity.objects.filter(
                    contact=OuterRef("pk"),
                    kind=ContactIdentity.Kind.PHONE,
                    value__contains=phone.lstrip("+"),
                )
            )
        contacts = contacts.filter(matches)
    if tier in Contact.Tier.values:
        contacts = contacts.filter(tier=tier)
    return (
        contacts.select_related("user")
        .annotate(ticket_count=Count("tickets"))
        .order_by("name", "email", "pk")
    )


def access_contact(user: User | AnonymousUser, contact_id: int) -> Contact:
    """A contact for staff, else 404 (merged contacts too: the view redirects those)."""
    if not (user.is_authenticated and user.is_desk_user):
        raise Http404
    found = Contact.objects.select_related("user", "merged_into").filter(pk=contact_id).first()
    if found is None:
        raise Http404
    return found


def contact_find(text: str) -> Contact | None:
    """The contact an admin means by ``text``: an id (``12`` or ``#12``), an email address or a
    phone number of theirs. Merged contacts resolve to the one they were merged into."""
    from kefu.contacts.services import contact_by_identity

    text = (text or "").strip()
    contact_id = id_or_none(text.lstrip("#")) if len(text) < 12 else None  # longer: a phone
    if contact_id is not None:
        return Contact.objects.filter(pk=contact_id).first()
    if "@" in text:
        found = contact_by_identity(kind=ContactIdentity.Kind.EMAIL, value=text)
        return found or Contact.objects.filter(email__iexact=text).first()
    if text:
        return contact_by_identity(kind=ContactIdentity.Kind.PHONE, value=text)
    return None


def contact_visitor_keys(contact: Contact) -> list[str]:
    return list(contact.visitors.values_list("visitor_key", flat=True))


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


def _ticket_items(contact: Contact, limit: int) -> list[TimelineItem]:
    tickets = Ticket.objects.filter(requester=contact).order_by("-created_at")[:limit]
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
    contact: Contact, *, limit: int = 200, include_internal: bool = True
) -> list[TimelineItem]:
    """Everything the contact did and was told, newest first: tickets opened (with their
    channel), messages on every channel (internal notes only with ``include_internal``), help
    center searches, articles read, guided answers, deflections and satisfaction ratings.

    A fixed number of queries however long the history: each source gives its newest
    ``limit`` rows, merged here.
    """
    keys = contact_visitor_keys(contact)
    items: list[TimelineItem] = []
    items += _ticket_items(contact, limit)
    items += _message_items(contact, limit, include_internal)
    items += _deflection_items(contact, keys, limit)
    items += _rating_items(contact, limit)
    if keys:
        items += _search_items(keys, limit)
        items += _read_items(keys, limit)
    items.sort(key=lambda item: item.at, reverse=True)
    return items[:limit]
