"""SLA deadlines in business time: which policy a ticket gets, its due dates, the pause while it
waits on the customer, and whether it is on track, at risk or breached.

Policy choice: among active policies whose category is empty or the ticket's, whose customer
tier is empty or the requester's, and (for ``tried_self_service_only`` policies) only when the
customer tried self-service first, the one that names the most of those three criteria wins;
``position`` (then id) breaks ties. Due dates count from the ticket's creation in business
minutes of the workspace calendar (or wall-clock minutes when the policy says so). A pause
(status "pending customer") stops the clock: on resume every target not yet met moves later
by the business time spent paused.

These functions set fields on the ticket and do not save it: the caller saves.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from kefu.tickets.calendar import (
    CalendarSpec,
    business_add,
    business_minutes_between,
    calendar_spec,
)
from kefu.tickets.models import SlaNotice, SlaPolicy, Ticket

Target = SlaNotice.Target


def sla_policy_for(ticket: Ticket) -> SlaPolicy | None:
    """The most specific active policy that matches the ticket, or None."""
    tier = ticket.requester.tier if ticket.requester_id else ""
    policies = SlaPolicy.objects.filter(is_active=True).filter(
        Q(category__isnull=True) | Q(category_id=ticket.category_id),
        Q(customer_tier="") | Q(customer_tier=tier),
    )
    if not ticket.tried_self_service:
        policies = policies.filter(tried_self_service_only=False)

    def rank(policy: SlaPolicy) -> tuple[int, int, int]:
        specificity = (
            (policy.category_id is not None)
            + bool(policy.customer_tier)
            + policy.tried_self_service_only
        )
        return (-specificity, policy.position, policy.id)

    return min(policies, key=rank, default=None)


def _add(start: datetime, minutes: float, policy: SlaPolicy, spec: CalendarSpec) -> datetime:
    if policy.business_hours_only:
        return business_add(start, minutes, spec)
    return start + timedelta(minutes=minutes)


def _minutes_between(
    start: datetime, end: datetime, policy: SlaPolicy, spec: CalendarSpec
) -> float:
    if policy.business_hours_only:
        return business_minutes_between(start, end, spec)
    return max(0.0, (end - start).total_seconds() / 60)


def sla_apply(*, ticket: Ticket, spec: CalendarSpec | None = None) -> None:
    """Choose the ticket's SLA policy and set its due dates and state (not saved)."""
    policy = sla_policy_for(ticket)
    ticket.sla_policy = policy
    if policy is None:
        ticket.first_response_due_at = None
        ticket.resolution_due_at = None
        ticket.sla_state = Ticket.SlaState.NONE
        return
    spec = spec or calendar_spec()
    start = ticket.created_at or timezone.now()
    ticket.first_response_due_at = _add(start, policy.first_response_minutes, policy, spec)
    ticket.resolution_due_at = _add(start, policy.resolution_minutes, policy, spec)
    ticket.sla_state = Ticket.SlaState.OK


def sla_pause(*, ticket: Ticket) -> None:
    """Stop the clock while the ticket waits on the customer (not saved)."""
    if ticket.sla_paused_at is None:
        ticket.sla_paused_at = timezone.now()


def sla_resume(*, ticket: Ticket, spec: CalendarSpec | None = None) -> None:
    """Restart the clock: targets not yet met move later by the time spent paused, counted the
    way the policy counts (business or wall-clock minutes). Not saved."""
    paused_at = ticket.sla_paused_at
    if paused_at is None:
        return
    ticket.sla_paused_at = None
    policy = ticket.sla_policy
    if policy is None:
        return
    spec = spec or calendar_spec()
    paused = _minutes_between(paused_at, timezone.now(), policy, spec)
    if paused <= 0:
        return
    if ticket.first_responded_at is None and ticket.first_response_due_at:
        ticket.first_response_due_at = _add(ticket.first_response_due_at, paused, policy, spec)
    if ticket.resolution_due_at:
        ticket.resolution_due_at = _add(ticket.resolution_due_at, paused, policy, spec)


@dataclass(frozen=True)
class TargetStatus:
    target: str  # SlaNotice.Target
    due_at: datetime
    state: str  # Ticket.SlaState: ok, at_risk or breached


def sla_target_statuses(ticket: Ticket, *, now: datetime, spec: CalendarSpec) -> list[TargetStatus]:
    """The targets still to meet (first response until it happened; resolution while the
    ticket is active) and how each stands. A target is at risk once more than the policy's
    ``at_risk_percent`` of its time is used up, breached once its due time has passed."""
    policy = ticket.sla_policy
    if policy is None or not ticket.is_active:
        return []
    pending = []
    if ticket.first_responded_at is None and ticket.first_response_due_at:
        pending.append(
            (Target.FIRST_RESPONSE, ticket.first_response_due_at, policy.first_response_minutes)
        )
    if ticket.resolution_due_at:
        pending.append((Target.RESOLUTION, ticket.resolution_due_at, policy.resolution_minutes))
    statuses = []
    for target, due_at, allowed in pending:
        if now > due_at:
            state = Ticket.SlaState.BREACHED
        elif _minutes_between(now, due_at, policy, spec) < allowed * (
            1 - policy.at_risk_percent / 100
        ):
            state = Ticket.SlaState.AT_RISK
        else:
            state = Ticket.SlaState.OK
        statuses.append(TargetStatus(target=target, due_at=due_at, state=state))
    return statuses


def sla_overall_state(ticket: Ticket, statuses: list[TargetStatus]) -> str:
    """The ticket's SLA state: the worst of its targets ("ok" when all are met)."""
    if ticket.sla_policy_id is None:
        return Ticket.SlaState.NONE
    states = {status.state for status in statuses}
    if Ticket.SlaState.BREACHED in states:
        return Ticket.SlaState.BREACHED
    if Ticket.SlaState.AT_RISK in states:
        return Ticket.SlaState.AT_RISK
    return Ticket.SlaState.OK
