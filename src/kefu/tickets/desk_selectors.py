"""Reads for the agent desk (inside a tenant schema): the ticket views with their counts, the
filtered list, the thread and the history (a customer's timeline: kefu.tickets.timeline)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from kefu.accounts.models import User
from kefu.core.parsing import id_or_none
from kefu.tickets.models import SavedView, Ticket, TicketCategory

#: The built-in views of the ticket list, in sidebar order.
BUILTIN_VIEWS = ("mine", "unassigned", "open", "overdue", "all")
#: Query parameters the list understands (and a saved view stores).
FILTER_KEYS = ("view", "status", "category", "priority", "assignee", "q", "tag")


def ticket_filters_clean(params: Mapping[str, Any]) -> dict[str, str]:
    """The known, non-empty filters of a query string, trimmed (unknown values dropped)."""
    cleaned: dict[str, str] = {}
    for key in FILTER_KEYS:
        value = str(params.get(key) or "").strip()[:200]
        if value:
            cleaned[key] = value
    if cleaned.get("view") not in BUILTIN_VIEWS:
        cleaned.pop("view", None)
    if cleaned.get("status") not in Ticket.Status.values:
        cleaned.pop("status", None)
    if cleaned.get("priority") not in Ticket.Priority.values:
        cleaned.pop("priority", None)
    if id_or_none(cleaned.get("category")) is None:
        cleaned.pop("category", None)
    assignee = cleaned.get("assignee", "")
    if assignee not in ("me", "none") and id_or_none(assignee) is None:
        cleaned.pop("assignee", None)
    return cleaned


def ticket_overdue_q(now: datetime | None = None) -> Q:
    """Active tickets whose promised time has passed, or whose SLA is marked breached."""
    now = now or timezone.now()
    late = (
        Q(first_responded_at__isnull=True, first_response_due_at__lt=now)
        | Q(resolution_due_at__lt=now)
        | Q(sla_state=Ticket.SlaState.BREACHED)
    )
    return Q(status__in=Ticket.ACTIVE_STATUSES) & late


def _view_q(view: str, user: User, now: datetime) -> Q:
    active = Q(status__in=Ticket.ACTIVE_STATUSES)
    if view == "mine":
        return active & Q(assignee=user)
    if view == "unassigned":
        return active & Q(assignee__isnull=True)
    if view == "open":
        return active
    if view == "overdue":
        return ticket_overdue_q(now)
    return Q()


def _keyword_q(text: str) -> Q:
    keyword = Q(subject__icontains=text) | Q(description__icontains=text)
    if number := id_or_none(text.lstrip("#").strip()):
        keyword |= Q(pk=number)
    return keyword


def ticket_filter_q(filters: Mapping[str, str], *, user: User, now: datetime | None = None) -> Q:
    """The condition of cleaned ``filters`` (see ticket_filters_clean) for ``user``."""
    now = now or timezone.now()
    condition = _view_q(filters.get("view", "all"), user, now)
    if status := filters.get("status"):
        condition &= Q(status=status)
    if priority := filters.get("priority"):
        condition &= Q(priority=priority)
    if category := filters.get("category"):
        condition &= Q(category_id=int(category))
    assignee = filters.get("assignee", "")
    if assignee == "me":
        condition &= Q(assignee=user)
    elif assignee == "none":
        condition &= Q(assignee__isnull=True)
    elif assignee:
        condition &= Q(assignee_id=int(assignee))
    if tag := filters.get("tag"):
        condition &= Q(tags__contains=[tag.lower()])
    if keyword := filters.get("q"):
        condition &= _keyword_q(keyword)
    return condition


def ticket_list_for_desk(filters: Mapping[str, str], *, user: User) -> QuerySet[Ticket]:
    """Tickets matching ``filters``, most recently updated first, with what the table shows."""
    return (
        Ticket.objects.filter(ticket_filter_q(filters, user=user))
        .select_related("requester", "assignee", "category")
        .order_by("-updated_at", "-pk")
    )


def saved_view_list(user: User) -> QuerySet[SavedView]:
    """The user's own saved views and those a teammate shared."""
    return (
        SavedView.objects.filter(Q(owner=user) | Q(shared=True))
        .select_related("owner")
        .order_by("position", "name", "pk")
    )


@dataclass
class ViewCounts:
    """Numbers for the sidebar of the ticket list."""

    builtin: dict[str, int]
    by_status: dict[str, int]
    by_category: dict[int, int]
    saved: dict[int, int] = field(default_factory=dict)


def ticket_view_counts(
    *, user: User, categories: list[TicketCategory], saved_views: list[SavedView]
) -> ViewCounts:
    """Every sidebar count in one aggregate query (one filtered COUNT per number)."""
    now = timezone.now()
    active = Q(status__in=Ticket.ACTIVE_STATUSES)
    counts: dict[str, Count] = {
        f"view_{view}": Count("pk", filter=_view_q(view, user, now)) for view in BUILTIN_VIEWS
    }
    for status in Ticket.Status.values:
        counts[f"status_{status}"] = Count("pk", filter=Q(status=status))
    for category in categories:
        counts[f"category_{category.pk}"] = Count("pk", filter=active & Q(category=category))
    for saved in saved_views:
        filters = ticket_filters_clean(saved.filters if isinstance(saved.filters, dict) else {})
        counts[f"saved_{saved.pk}"] = Count("pk", filter=ticket_filter_q(filters, user=user))
    row = Ticket.objects.aggregate(**counts)
    return ViewCounts(
        builtin={view: row[f"view_{view}"] for view in BUILTIN_VIEWS},
        by_status={status: row[f"status_{status}"] for status in Ticket.Status.values},
        by_category={category.pk: row[f"category_{category.pk}"] for category in categories},
        saved={saved.pk: row[f"saved_{saved.pk}"] for saved in saved_views},
    )


def ticket_thread(ticket: Ticket) -> QuerySet:
    """The ticket's messages, oldest first, with authors and attachments."""
    return ticket.messages.select_related("author", "author_contact").prefetch_related(
        "attachments"
    )


def ticket_history(ticket: Ticket) -> QuerySet:
    return ticket.events.select_related("actor").order_by("-created_at", "-pk")


def staff_for_assignment() -> QuerySet[User]:
    return User.objects.filter(role__in=User.STAFF_ROLES, is_active=True).order_by(
        "first_name", "email"
    )
