"""Who may see which ticket. Every view and API handler fetches tickets through these, so the
permission filter is in the query and a forbidden ticket is indistinguishable from a missing one.

- staff (owner, admin, agent) see every ticket of the workspace;
- a customer sees tickets they requested or follow, and public tickets;
- anyone holding the signed link from their email sees that one ticket.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet
from django.http import Http404

from kefu.accounts.models import User
from kefu.tickets.models import Ticket


def tickets_visible_to(user: User | AnonymousUser) -> QuerySet[Ticket]:
    tickets = Ticket.objects.select_related("requester", "assignee", "category")
    if user.is_authenticated and user.is_desk_user:
        return tickets
    if not user.is_authenticated:
        return tickets.filter(is_public=True)
    return tickets.filter(
        Q(requester__user=user) | Q(is_public=True) | Q(followers=user)
    ).distinct()


def access_ticket(
    user: User | AnonymousUser, ticket_id: int, *, linked_ticket_ids: frozenset[int] = frozenset()
) -> Ticket:
    """The ticket if ``user`` may read it (``linked_ticket_ids``: opened by a signed link in
    this session), else 404."""
    if ticket_id in linked_ticket_ids:
        ticket = Ticket.objects.select_related("requester", "assignee", "category")
        found = ticket.filter(pk=ticket_id).first()
    else:
        found = tickets_visible_to(user).filter(pk=ticket_id).first()
    if found is None:
        raise Http404
    return found


def access_ticket_staff(user: User, ticket_id: int) -> Ticket:
    if not (user.is_authenticated and user.is_desk_user):
        raise Http404
    return access_ticket(user, ticket_id)


def is_requester(user: User | AnonymousUser, ticket: Ticket) -> bool:
    return bool(user.is_authenticated and ticket.requester and ticket.requester.user_id == user.pk)


def can_act_as_requester(
    user: User | AnonymousUser, ticket: Ticket, *, linked_ticket_ids: frozenset[int] = frozenset()
) -> bool:
    """May reply, close, reopen and rate as the customer (the requester, or their mail link)."""
    return is_requester(user, ticket) or ticket.pk in linked_ticket_ids
