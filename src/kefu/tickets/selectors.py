"""Reading tickets for the customer side of the help center: my tickets, followed ones, hot and
public issues, and keyword search. Runs inside a tenant schema.

Permission filtering stays in ``kefu.tickets.access``: the lists here start from
``tickets_visible_to`` (or from public tickets only) so nothing here widens access.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Iterable

from django.contrib.auth.models import AnonymousUser
from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from kefu.accounts.models import User
from kefu.core.parsing import id_or_none
from kefu.search import segment
from kefu.tickets.access import tickets_visible_to
from kefu.tickets.models import Ticket, TicketEvent, TicketView

#: Query words looked up at most (a long description does not become a huge query).
MAX_SEARCH_WORDS = 8
HOT_DAYS = 7
ANSWERED_STATUSES = (Ticket.Status.RESOLVED, Ticket.Status.CLOSED)


def _ticket_number(query: str) -> int | None:
    """The ticket number a query is (``1042`` or ``#1042``), or None."""
    return id_or_none(query.removeprefix("#"))


def _with_list_columns(tickets: QuerySet[Ticket]) -> QuerySet[Ticket]:
    return (
        tickets.select_related("category", "requester")
        .annotate(follower_count=Count("followers", distinct=True))
        .order_by("-updated_at", "-pk")
    )


def ticket_list_for_requester(
    user: User | AnonymousUser, *, linked_ticket_ids: Iterable[int] = ()
) -> QuerySet[Ticket]:
    """Tickets the person asked (signed in), plus those opened by a signed link this session."""
    scope = Q(pk__in=list(linked_ticket_ids))
    if user.is_authenticated:
        scope |= Q(requester__user=user)
    return _with_list_columns(Ticket.objects.filter(scope)).order_by("-updated_at", "-pk")


def ticket_list_followed(user: User | AnonymousUser) -> QuerySet[Ticket]:
    if not user.is_authenticated:
        return Ticket.objects.none()
    visible = tickets_visible_to(user).filter(followers=user)
    return _with_list_columns(Ticket.objects.filter(pk__in=visible.values("pk"))).order_by(
        "-updated_at", "-pk"
    )


def ticket_list_public() -> QuerySet[Ticket]:
    """Every public issue (merged duplicates left out), most recently active first."""
    return _with_list_columns(
        Ticket.objects.filter(is_public=True, merged_into__isnull=True)
    ).order_by("-updated_at", "-pk")


def ticket_list_hot(*, days: int = HOT_DAYS, limit: int = 20) -> list[Ticket]:
    """Public tickets most followed and viewed in the last ``days``: new follows plus views
    (one per visitor per day), highest first. Tickets nobody touched this week are left out."""
    now = timezone.now()
    since_day = (now - datetime.timedelta(days=days)).date()
    views = (
        TicketView.objects.filter(ticket=OuterRef("pk"), day__gte=since_day)
        .order_by()
        .values("ticket")
        .annotate(count=Count("pk"))
        .values("count")
    )
    follows = (
        TicketEvent.objects.filter(
            ticket=OuterRef("pk"),
            kind=TicketEvent.Kind.FOLLOWED,
            created_at__gte=now - datetime.timedelta(days=days),
        )
        .order_by()
        .values("ticket")
        .annotate(count=Count("pk"))
        .values("count")
    )
    tickets = (
        ticket_list_public()
        .annotate(
            week_views=Coalesce(Subquery(views, output_field=IntegerField()), 0),
            week_follows=Coalesce(Subquery(follows, output_field=IntegerField()), 0),
        )
        .annotate(heat=F("week_views") + F("week_follows"))
        .filter(heat__gt=0)
        .order_by("-heat", "-updated_at", "-pk")
    )
    return list(tickets[:limit])


def search_words(query: str) -> list[str]:
    """Words of a query to look for in ticket text: the surface words (jieba splits Chinese),
    plus the stem of each Latin word so "refunds" also finds "refund"."""
    words = list(segment.highlight_words(query))
    for word in list(words):
        if word.isascii():
            stem = segment.terms(word)
            if stem and stem[0] != word and len(stem[0]) > 2:
                words.append(stem[0])
    return list(dict.fromkeys(words))[:MAX_SEARCH_WORDS]


def ticket_search(tickets: QuerySet[Ticket], query: str) -> QuerySet[Ticket]:
    """``tickets`` whose subject or description contain the query's words, most words first.

    At least half of the words must occur (a ticket sharing one word of a long question is not
    a match). ``#1042`` or ``1042`` finds that ticket by number.
    """
    query = (query or "").strip()
    if number := _ticket_number(query):
        return tickets.filter(pk=number)
    words = search_words(query)
    if not words:
        return tickets.none()
    matches = [
        Case(
            When(Q(subject__icontains=word) | Q(description__icontains=word), then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        )
        for word in words
    ]
    score = matches[0]
    for match in matches[1:]:
        score = score + match
    needed = max(1, math.ceil(len(words) / 2))
    return (
        tickets.annotate(match_count=score)
        .filter(match_count__gte=needed)
        .order_by("-match_count", "-updated_at", "-pk")
    )


def ticket_search_visible(
    user: User | AnonymousUser, query: str, *, linked_ticket_ids: Iterable[int] = ()
) -> QuerySet[Ticket]:
    """Keyword search over the tickets ``user`` may read (and those linked in the session)."""
    visible = Q(pk__in=tickets_visible_to(user).values("pk")) | Q(pk__in=list(linked_ticket_ids))
    return ticket_search(_with_list_columns(Ticket.objects.filter(visible)), query)


def ticket_list_answered_matching(query: str, *, limit: int = 3) -> list[Ticket]:
    """Public resolved (or closed) tickets about the same thing: answers other customers got."""
    answered = Ticket.objects.filter(
        is_public=True, status__in=ANSWERED_STATUSES, merged_into__isnull=True
    )
    if _ticket_number((query or "").strip()):
        return []  # a bare number is not a question
    return list(ticket_search(answered, query)[:limit])
