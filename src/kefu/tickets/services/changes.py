"""Changing a ticket: status, priority, category, assignee, tags, visibility; following and
rating. Each change is a TicketEvent and, where someone should know, a notification."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from billing.metering.services import usage_record_resolved_ticket
from kefu.accounts.models import User
from kefu.contacts.models import Contact
from kefu.core import limits
from kefu.jobs import enqueue_on_commit
from kefu.tickets import notifications
from kefu.tickets.errors import TicketError
from kefu.tickets.models import (
    SkillGroup,
    Ticket,
    TicketCategory,
    TicketEvent,
    TicketRating,
)
from kefu.tickets.services.creation import clean_tags
from kefu.tickets.services.fields import fields_clean

#: Status changes the customer hears about by email.
CUSTOMER_NOTIFIED_STATUSES = frozenset(
    {Ticket.Status.PENDING, Ticket.Status.RESOLVED, Ticket.Status.CLOSED, Ticket.Status.OPEN}
)
_UNSET: Any = object()


def ticket_status_set(*, ticket: Ticket, status: str, actor: User | None) -> TicketEvent | None:
    """Move the ticket to ``status`` (saved): timestamps, SLA pause/resume, history, mail."""
    from kefu.tickets.sla import sla_pause, sla_resume

    if status not in Ticket.Status.values:
        raise TicketError(_("Unknown status."))
    old = ticket.status
    if status == old:
        return None
    now = timezone.now()
    if status == Ticket.Status.PENDING:
        sla_pause(ticket=ticket)
    elif old == Ticket.Status.PENDING:
        sla_resume(ticket=ticket)
    if status == Ticket.Status.RESOLVED:
        ticket.resolved_at = now
    elif status == Ticket.Status.CLOSED:
        ticket.closed_at = now
        ticket.resolved_at = ticket.resolved_at or now
    elif status in Ticket.ACTIVE_STATUSES:
        ticket.resolved_at = None
        ticket.closed_at = None
    ticket.status = status
    ticket.save()
    event = TicketEvent.objects.create(
        ticket=ticket, actor=actor, kind=TicketEvent.Kind.STATUS, data={"from": old, "to": status}
    )
    usage_record_resolved_ticket(ticket=ticket)  # billed once, the first time it is answered
    customer_acted = actor is not None and not actor.is_desk_user
    if status in CUSTOMER_NOTIFIED_STATUSES and not customer_acted:
        enqueue_on_commit(notifications.notify_status_changed, event.pk)
    enqueue_on_commit(notifications.notify_followers, event.pk)
    if old in Ticket.LOAD_STATUSES and status not in Ticket.LOAD_STATUSES:
        from kefu.tickets.routing import queue_drain_later

        queue_drain_later()  # capacity freed: a waiting ticket may fit now
    return event


def _changed(ticket: Ticket, actor: User | None, kind: str, old: Any, new: Any) -> TicketEvent:
    return TicketEvent.objects.create(
        ticket=ticket, actor=actor, kind=kind, data={"from": old, "to": new}
    )


@transaction.atomic
def ticket_update(
    *,
    ticket: Ticket,
    actor: User,
    status: str | None = None,
    priority: str | None = None,
    category: TicketCategory | None = _UNSET,
    skill_group: SkillGroup | None = _UNSET,
    assignee: User | None = _UNSET,
    tags: Sequence[str] | None = None,
    is_public: bool | None = None,
    field_values: dict[str, Any] | None = None,
) -> Ticket:
    """Staff edits of a ticket. Only the arguments given change; each change is an event."""
    if not actor.is_desk_user:
        raise TicketError(_("Only staff can change tickets."))
    Ticket.objects.select_for_update().filter(pk=ticket.pk).first()
    if priority is not None and priority != ticket.priority:
        if priority not in Ticket.Priority.values:
            raise TicketError(_("Unknown priority."))
        _changed(ticket, actor, TicketEvent.Kind.PRIORITY, ticket.priority, priority)
        ticket.priority = priority
    if category is not _UNSET and category != ticket.category:
        _changed(
            ticket,
            actor,
            TicketEvent.Kind.CATEGORY,
            ticket.category_id,
            getattr(category, "pk", None),
        )
        ticket.category = category
        if skill_group is _UNSET and category is not None and category.skill_group_id:
            skill_group = category.skill_group
    if skill_group is not _UNSET and skill_group != ticket.skill_group:
        _changed(
            ticket,
            actor,
            TicketEvent.Kind.SKILL_GROUP,
            ticket.skill_group_id,
            getattr(skill_group, "pk", None),
        )
        ticket.skill_group = skill_group
    if tags is not None and clean_tags(tags) != ticket.tags:
        new_tags = clean_tags(tags)
        _changed(ticket, actor, TicketEvent.Kind.TAGS, ticket.tags, new_tags)
        ticket.tags = new_tags
    if is_public is not None and is_public != ticket.is_public:
        _changed(ticket, actor, TicketEvent.Kind.VISIBILITY, ticket.is_public, is_public)
        ticket.is_public = is_public
    if field_values is not None:
        values, _uploads = fields_clean(category=ticket.category, data=field_values)
        if values != ticket.fields:
            _changed(ticket, actor, TicketEvent.Kind.FIELDS, ticket.fields, values)
            ticket.fields = values
    ticket.save()
    if assignee is not _UNSET and assignee != ticket.assignee:
        ticket_assign(ticket=ticket, assignee=assignee, actor=actor)
    if status is not None:
        ticket_status_set(ticket=ticket, status=status, actor=actor)
    return ticket


def ticket_assign(*, ticket: Ticket, assignee: User | None, actor: User) -> Ticket:
    """Assign by hand. Admins give a ticket to anyone on the staff (or back to the queue); an
    agent may hand back their own ticket, or take one from the queue when the workspace allows
    it. A ticket handed back is routed again, to someone else."""
    from kefu.tickets.routing import ticket_reassign, ticket_route, ticket_take

    if actor.role in (User.Role.OWNER, User.Role.ADMIN):
        ticket_reassign(ticket=ticket, assignee=assignee, actor=actor)
    elif assignee is not None and assignee.pk == actor.pk:
        ticket_take(ticket=ticket, agent=actor)
    elif assignee is None and ticket.assignee_id == actor.pk:
        ticket_reassign(ticket=ticket, assignee=None, actor=None)
        handed_back = TicketEvent.objects.filter(
            ticket=ticket, kind=TicketEvent.Kind.UNASSIGNED, actor=None
        ).order_by("-id")
        TicketEvent.objects.filter(pk__in=handed_back.values("pk")[:1]).update(actor=actor)
    else:
        raise TicketError(_("Only an admin can assign this ticket."))
    ticket.refresh_from_db()  # the routing functions worked on their own locked copy
    if ticket.assignee_id is None and ticket.is_active:
        ticket_route(ticket_id=ticket.pk, exclude_user_id=actor.pk)
        ticket.refresh_from_db()
    return ticket


@transaction.atomic
def ticket_close_by_customer(*, ticket: Ticket, user: User | None) -> Ticket:
    """The customer says it is sorted: the ticket is resolved and the survey opens."""
    if ticket.status not in Ticket.ACTIVE_STATUSES:
        raise TicketError(_("This ticket is already resolved."))
    ticket_status_set(ticket=ticket, status=Ticket.Status.RESOLVED, actor=user)
    return ticket


@transaction.atomic
def ticket_reopen_by_customer(*, ticket: Ticket, user: User | None) -> Ticket:
    if ticket.status in Ticket.ACTIVE_STATUSES:
        raise TicketError(_("This ticket is still open."))
    if ticket.merged_into_id:
        raise TicketError(_("This ticket was merged into another one."))
    ticket_status_set(ticket=ticket, status=Ticket.Status.OPEN, actor=user)
    return ticket


@transaction.atomic
def ticket_follow(*, ticket: Ticket, user: User, follow: bool = True) -> bool:
    """Follow (or stop following) a ticket; returns whether anything changed."""
    following = ticket.followers.filter(pk=user.pk).exists()
    if following == follow:
        return False
    if follow:
        ticket.followers.add(user)
    else:
        ticket.followers.remove(user)
    kind = TicketEvent.Kind.FOLLOWED if follow else TicketEvent.Kind.UNFOLLOWED
    TicketEvent.objects.create(ticket=ticket, actor=user, kind=kind)
    return True


@transaction.atomic
def ticket_rate(
    *, ticket: Ticket, score: int, comment: str = "", contact: Contact | None = None
) -> TicketRating:
    """The requester's satisfaction (1-5 and a comment); rating again replaces it."""
    if ticket.status not in (Ticket.Status.RESOLVED, Ticket.Status.CLOSED):
        raise TicketError(_("You can rate a ticket once it is resolved."))
    try:
        score = int(score)
    except (TypeError, ValueError):
        score = 0
    if not 1 <= score <= 5:
        raise TicketError(_("Choose a rating from 1 to 5."))
    comment = (comment or "").strip()
    if problem := limits.length_problem(comment, limit=limits.COMMENT):
        raise TicketError(_("Comment: %(problem)s") % {"problem": problem})
    rating, _created = TicketRating.objects.update_or_create(
        ticket=ticket, defaults={"score": score, "comment": comment}
    )
    TicketEvent.objects.create(
        ticket=ticket,
        actor=contact.user if contact and contact.user_id else None,
        kind=TicketEvent.Kind.RATED,
        data={"score": score},
    )
    return rating
