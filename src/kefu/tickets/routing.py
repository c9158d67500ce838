"""Skill-based routing: who gets a new ticket, and what happens when nobody can take it.

A ticket goes to an *eligible* agent: an active owner, admin or agent who is available (their
profile says online, or "online while at the desk" and they opened a desk page in the last
``PRESENT_FOR``), who belongs to the ticket's skill group (any agent when the ticket has none),
speaks its language and serves its requester's tier (an empty list means "any"), and holds fewer
open tickets (``Ticket.LOAD_STATUSES``) than their capacity. Among them the lowest load wins,
then the one who was assigned longest ago (never assigned first), then the lowest id: round
robin among equals.

Concurrency: one routing is one transaction that locks the ticket row and then the candidate
agent profiles, always in id order. Two routers that could give work to the same agent
therefore take turns, and the second counts loads only after the first committed, so a ticket
never gets two agents and no agent goes over capacity. Nobody eligible: the ticket waits
unassigned in its queue until ``queue_drain`` (run when an agent comes online, when capacity
frees and every minute by the scheduler) assigns it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.accounts.models import User
from kefu.jobs import enqueue_on_commit
from kefu.tickets.errors import TicketError
from kefu.tickets.models import AgentProfile, SkillGroup, Ticket, TicketEvent

#: Tickets that queue_drain looks at in one run (the oldest first; the next run continues).
DRAIN_BATCH = 500
#: "Online while at the desk" counts as online this long after the last desk page.
PRESENT_FOR = timedelta(minutes=15)
#: A desk page writes last_seen_at only when the stored time is older than this.
SEEN_EVERY = timedelta(minutes=1)


def agent_profile_for(user: User) -> AgentProfile:
    """The staff member's routing profile (created "online while at the desk", with no skills,
    on first use)."""
    profile, _created = AgentProfile.objects.get_or_create(user=user)
    return profile


def _available() -> Q:
    """Profiles the router may give work to now (ignoring skills and load)."""
    return Q(availability=AgentProfile.Availability.ONLINE) | Q(
        availability=AgentProfile.Availability.AUTO,
        last_seen_at__gte=timezone.now() - PRESENT_FOR,
    )


def is_available(profile: AgentProfile) -> bool:
    if profile.availability == AgentProfile.Availability.ONLINE:
        return True
    return (
        profile.availability == AgentProfile.Availability.AUTO
        and profile.last_seen_at is not None
        and profile.last_seen_at >= timezone.now() - PRESENT_FOR
    )


def _available_profiles() -> QuerySet[AgentProfile]:
    return AgentProfile.objects.filter(
        _available(), user__is_active=True, user__role__in=User.STAFF_ROLES
    )


def _eligible_profiles(ticket: Ticket, *, exclude_user_id: int | None) -> QuerySet[AgentProfile]:
    profiles = _available_profiles()
    if ticket.skill_group_id is not None:
        profiles = profiles.filter(skill_groups=ticket.skill_group_id)
    if ticket.language:
        profiles = profiles.filter(Q(languages=[]) | Q(languages__contains=[ticket.language]))
    tier = ticket.requester.tier if ticket.requester_id else ""
    if tier:
        profiles = profiles.filter(Q(tiers=[]) | Q(tiers__contains=[tier]))
    if exclude_user_id is not None:
        profiles = profiles.exclude(user_id=exclude_user_id)
    return profiles


def loads_of(user_ids: list[int]) -> dict[int, int]:
    """Open tickets (the ones that count against capacity) per assignee."""
    rows = (
        Ticket.objects.filter(assignee_id__in=user_ids, status__in=Ticket.LOAD_STATUSES)
        .values("assignee_id")
        .annotate(load=Count("id"))
    )
    return {row["assignee_id"]: row["load"] for row in rows}


def _pick_agent(ticket: Ticket, *, exclude_user_id: int | None) -> AgentProfile | None:
    """Lock the eligible profiles (id order: concurrent routers queue up here) and choose."""
    profiles = list(
        _eligible_profiles(ticket, exclude_user_id=exclude_user_id)
        .select_for_update(of=("self",))
        .select_related("user")
        .order_by("id")
    )
    if not profiles:
        return None
    loads = loads_of([profile.user_id for profile in profiles])
    free = [p for p in profiles if loads.get(p.user_id, 0) < p.max_open_tickets]
    if not free:
        return None
    never = datetime.min.replace(tzinfo=UTC)
    return min(
        free,
        key=lambda p: (loads.get(p.user_id, 0), p.last_assigned_at or never, p.id),
    )


def _notify_assigned(ticket_id: int, user_id: int) -> None:
    try:
        from kefu.tickets.notifications import notify_assigned
    except ImportError:  # the notifications module is optional for routing
        return
    enqueue_on_commit(notify_assigned, ticket_id, user_id)


def _assign(ticket: Ticket, user: User, *, actor: User | None, data: dict) -> None:
    ticket.assignee = user
    ticket.assigned_at = timezone.now()
    ticket.save(update_fields=["assignee", "assigned_at", "updated_at"])
    TicketEvent.objects.create(
        ticket=ticket,
        actor=actor,
        kind=TicketEvent.Kind.ASSIGNED,
        data={"assignee": user.pk, **data},
    )


def _give(ticket: Ticket, profile: AgentProfile, *, data: dict) -> None:
    """Routing's assignment: the agent moves to the back of the round robin and is told."""
    _assign(ticket, profile.user, actor=None, data=data)
    profile.last_assigned_at = ticket.assigned_at
    profile.save(update_fields=["last_assigned_at", "updated_at"])
    _notify_assigned(ticket.pk, profile.user_id)


def _route_locked(
    ticket_id: int, *, skip_locked: bool = False, exclude_user_id: int | None = None
) -> User | None:
    ticket = (
        Ticket.objects.select_for_update(of=("self",), skip_locked=skip_locked)
        .select_related("requester")
        .filter(pk=ticket_id)
        .first()
    )
    if ticket is None or ticket.assignee_id is not None or not ticket.is_active:
        return None
    profile = _pick_agent(ticket, exclude_user_id=exclude_user_id)
    if profile is None:
        return None
    _give(ticket, profile, data={"by": "routing"})
    return profile.user


@transaction.atomic
def ticket_route(*, ticket_id: int, exclude_user_id: int | None = None) -> User | None:
    """Assign the ticket to the best available agent, or leave it in its queue (returns None).

    Does nothing to a ticket that already has an assignee or is no longer active.
    ``exclude_user_id`` keeps one agent out (an SLA escalation reassigns to somebody else).
    """
    return _route_locked(ticket_id, exclude_user_id=exclude_user_id)


def _anyone_has_capacity() -> bool:
    online = list(_available_profiles().values_list("user_id", "max_open_tickets"))
    loads = loads_of([user_id for user_id, _capacity in online])
    return any(loads.get(user_id, 0) < capacity for user_id, capacity in online)


@dataclass(frozen=True)
class QueueHealth:
    """What the desk home says about the queue: tickets nobody has, and why they wait."""

    waiting: int  # active tickets without an assignee
    available: int  # staff the router may give work to now
    with_room: int  # of those, the ones below their capacity

    @property
    def stuck(self) -> bool:
        return self.waiting > 0


def queue_health() -> QueueHealth:
    waiting = Ticket.objects.filter(assignee=None, status__in=Ticket.ACTIVE_STATUSES).count()
    if not waiting:
        return QueueHealth(waiting=0, available=0, with_room=0)
    online = list(_available_profiles().values_list("user_id", "max_open_tickets"))
    loads = loads_of([user_id for user_id, _capacity in online])
    with_room = sum(1 for user_id, capacity in online if loads.get(user_id, 0) < capacity)
    return QueueHealth(waiting=waiting, available=len(online), with_room=with_room)


def queue_drain(*, limit: int = DRAIN_BATCH) -> int:
    """Route waiting tickets (unassigned and active), oldest first; returns how many were
    assigned. Each ticket is its own transaction; a ticket another router holds is skipped.
    Stops early once no online agent has room left."""
    waiting = list(
        Ticket.objects.filter(assignee=None, status__in=Ticket.ACTIVE_STATUSES)
        .order_by("created_at", "id")
        .values_list("id", flat=True)[:limit]
    )
    assigned = 0
    for ticket_id in waiting:
        if not _anyone_has_capacity():
            break
        with transaction.atomic():
            if _route_locked(ticket_id, skip_locked=True) is not None:
                assigned += 1
    return assigned


def queue_drain_later() -> None:
    """Drain the queue in a job after the current transaction commits (for services that free
    capacity inside a transaction: resolving, closing, reassigning)."""
    from kefu.tickets.jobs_sla import queue_drain_job

    enqueue_on_commit(queue_drain_job)


def agent_set_availability(*, user: User, availability: str) -> AgentProfile:
    """Set a staff member's availability; coming online assigns waiting tickets at once."""
    if not user.is_desk_user:
        raise TicketError(_("Only staff members have an availability."))
    if availability not in AgentProfile.Availability.values:
        raise TicketError(_("Choose online, away or offline."))
    with transaction.atomic():
        profile = agent_profile_for(user)
        was_available = is_available(profile)
        changed = profile.availability != availability
        profile.availability = availability
        profile.last_seen_at = timezone.now()  # they are at the desk, setting it
        profile.save(update_fields=["availability", "last_seen_at", "updated_at"])
    if is_available(profile) and (changed or not was_available):
        queue_drain()
    return profile


def _anything_waiting() -> bool:
    return Ticket.objects.filter(assignee=None, status__in=Ticket.ACTIVE_STATUSES).exists()


def agent_seen(*, user: User) -> AgentProfile:
    """A staff member opened a desk page: "online while at the desk" starts (or goes on)
    counting. Writes at most once per ``SEEN_EVERY``; coming back (the first page after
    ``PRESENT_FOR`` away, or after signing in) assigns waiting tickets in a job."""
    try:
        profile = user.agent_profile  # cached on the user: the desk menu reads it too
    except AgentProfile.DoesNotExist:
        profile = agent_profile_for(user)
    now = timezone.now()
    if profile.last_seen_at is not None and now - profile.last_seen_at < SEEN_EVERY:
        return profile
    was_available = is_available(profile)
    profile.last_seen_at = now
    AgentProfile.objects.filter(pk=profile.pk).update(last_seen_at=now)
    if is_available(profile) and not was_available and _anything_waiting():
        queue_drain_later()  # a job: the page does not wait for the assignments
    return profile


def agent_signed_out(*, user: User) -> None:
    """Signing out ends "online while at the desk" at once (not after ``PRESENT_FOR``)."""
    AgentProfile.objects.filter(user=user).update(last_seen_at=None)


def ticket_route_elsewhere(*, ticket: Ticket) -> User | None:
    """Give an assigned ticket to another eligible agent (an SLA escalation); keeps the current
    assignee when nobody else can take it. Runs inside the caller's transaction, which holds
    the ticket's row lock."""
    previous = ticket.assignee_id
    profile = _pick_agent(ticket, exclude_user_id=previous)
    if profile is None:
        return None
    _give(ticket, profile, data={"by": "escalation", "from": previous})
    if previous is not None:
        queue_drain_later()
    return profile.user


@transaction.atomic
def agent_profile_update(
    *,
    user: User,
    skill_groups: Iterable[SkillGroup],
    languages: list[str],
    tiers: list[str],
    max_open_tickets: int,
    availability: str,
) -> AgentProfile:
    """An admin sets a staff member's skills, capacity and availability. Anything that could
    let them take more work drains the queue after commit."""
    if not user.is_desk_user:
        raise TicketError(_("Only staff members have routing skills."))
    if availability not in AgentProfile.Availability.values:
        raise TicketError(_("Choose online, away or offline."))
    profile = AgentProfile.objects.select_for_update().get(pk=agent_profile_for(user).pk)
    profile.languages = sorted(set(languages))
    profile.tiers = sorted(set(tiers))
    profile.max_open_tickets = max_open_tickets
    profile.availability = availability
    profile.save()
    profile.skill_groups.set(list(skill_groups))
    if is_available(profile):
        queue_drain_later()
    return profile


@transaction.atomic
def ticket_reassign(*, ticket: Ticket, assignee: User | None, actor: User | None) -> Ticket:
    """An admin gives the ticket to any active staff member (capacity is not enforced: the
    admin decides), or back to the queue with ``assignee=None``."""
    if actor is not None and actor.role not in (User.Role.OWNER, User.Role.ADMIN):
        raise TicketError(_("Only an admin can reassign tickets."))
    if assignee is not None and not (assignee.is_active and assignee.is_desk_user):
        raise TicketError(_("Tickets can only be assigned to active staff members."))
    ticket = Ticket.objects.select_for_update(of=("self",)).get(pk=ticket.pk)
    previous = ticket.assignee_id
    if previous == (assignee.pk if assignee else None):
        return ticket
    if assignee is None:
        ticket.assignee = None
        ticket.assigned_at = None
        ticket.save(update_fields=["assignee", "assigned_at", "updated_at"])
        TicketEvent.objects.create(
            ticket=ticket, actor=actor, kind=TicketEvent.Kind.UNASSIGNED, data={"from": previous}
        )
    else:
        _assign(ticket, assignee, actor=actor, data={"by": "admin", "from": previous})
        if actor is None or assignee.pk != actor.pk:
            _notify_assigned(ticket.pk, assignee.pk)
    if previous is not None:
        queue_drain_later()  # the previous assignee has room for a waiting ticket
    return ticket


@transaction.atomic
def ticket_take(*, ticket: Ticket, agent: User) -> Ticket:
    """An agent takes a waiting ticket by hand, if the workspace allows it and they have room."""
    from kefu.desk.selectors import workspace_settings_get

    if not workspace_settings_get().agents_pick_from_queue:
        raise TicketError(_("Tickets are assigned by routing; ask an admin to assign this one."))
    if not (agent.is_active and agent.is_desk_user):
        raise TicketError(_("Only staff members can take tickets."))
    ticket = Ticket.objects.select_for_update(of=("self",)).get(pk=ticket.pk)
    if not ticket.is_active:
        raise TicketError(_("This ticket is no longer open."))
    if ticket.assignee_id == agent.pk:
        return ticket
    if ticket.assignee_id is not None:
        raise TicketError(_("Somebody else already has this ticket."))
    profile = AgentProfile.objects.select_for_update().get(pk=agent_profile_for(agent).pk)
    capacity = profile.max_open_tickets
    if loads_of([agent.pk]).get(agent.pk, 0) >= capacity:
        raise TicketError(
            _("You already have %(count)d open tickets, your limit.") % {"count": capacity}
        )
    _assign(ticket, agent, actor=agent, data={"by": "take"})
    return ticket
