"""The periodic SLA check (runs inside a tenant schema, every minute from the scheduler).

For every active ticket with a policy whose clock runs (not paused) it recomputes the SLA state.
A target that turned at risk or breached gets one ``SlaNotice`` row per (ticket, kind, target,
due time): the unique constraint is what makes the check safe to run twice or concurrently,
because only the run that inserted the row records the history event, sends the email and, on
a breach, escalates per policy (raise the priority one step, or reassign to another agent).
A due time that moves (a pause, a new policy) is a new deadline and can warn again.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import NoReverseMatch
from django.utils import timezone, translation

from kefu.accounts.models import User
from kefu.tickets.calendar import CalendarSpec, calendar_spec
from kefu.tickets.models import SlaNotice, SlaPolicy, Ticket, TicketEvent
from kefu.tickets.sla import TargetStatus, sla_overall_state, sla_target_statuses

_EVENT_KIND = {
    SlaNotice.Kind.AT_RISK: TicketEvent.Kind.SLA_AT_RISK,
    SlaNotice.Kind.BREACHED: TicketEvent.Kind.SLA_BREACHED,
}
BATCH = 500


def _watched() -> Q:
    return Q(
        status__in=Ticket.ACTIVE_STATUSES, sla_paused_at__isnull=True, sla_policy__isnull=False
    )


def sla_check_run(*, now: datetime | None = None) -> int:
    """Update the SLA state of every watched ticket; returns how many notices were new."""
    now = now or timezone.now()
    spec = calendar_spec()
    new_notices = 0
    last_id = 0
    while True:
        tickets = list(
            Ticket.objects.filter(_watched(), pk__gt=last_id)
            .select_related("sla_policy")
            .prefetch_related("sla_notices")
            .order_by("pk")[:BATCH]
        )
        if not tickets:
            return new_notices
        last_id = tickets[-1].pk
        for ticket in tickets:
            if _needs_work(ticket, now=now, spec=spec):
                with transaction.atomic():
                    new_notices += _check_locked(ticket.pk, now=now, spec=spec)


def _notice_kind(status: TargetStatus) -> str | None:
    if status.state == Ticket.SlaState.BREACHED:
        return SlaNotice.Kind.BREACHED
    if status.state == Ticket.SlaState.AT_RISK:
        return SlaNotice.Kind.AT_RISK
    return None


def _needs_work(ticket: Ticket, *, now: datetime, spec: CalendarSpec) -> bool:
    """A cheap look without locks: does the state change, or is a notice missing?"""
    statuses = sla_target_statuses(ticket, now=now, spec=spec)
    if sla_overall_state(ticket, statuses) != ticket.sla_state:
        return True
    sent = {(n.kind, n.target, n.due_at) for n in ticket.sla_notices.all()}
    return any(
        (kind, status.target, status.due_at) not in sent
        for status in statuses
        if (kind := _notice_kind(status)) is not None
    )


def _check_locked(ticket_id: int, *, now: datetime, spec: CalendarSpec) -> int:
    ticket = (
        Ticket.objects.select_for_update(of=("self",), skip_locked=True)
        .select_related("sla_policy", "assignee", "requester")
        .filter(_watched(), pk=ticket_id)
        .first()
    )
    if ticket is None:  # changed meanwhile, or somebody is working on it: next run
        return 0
    statuses = sla_target_statuses(ticket, now=now, spec=spec)
    state = sla_overall_state(ticket, statuses)
    if state != ticket.sla_state:
        ticket.sla_state = state
        ticket.save(update_fields=["sla_state", "updated_at"])
    created = 0
    for status in statuses:
        kind = _notice_kind(status)
        if kind is not None and _notify_once(ticket, status, kind=kind, spec=spec):
            created += 1
    return created


def _recipients(ticket: Ticket) -> list[User]:
    if ticket.assignee is not None and ticket.assignee.is_active:
        return [ticket.assignee]
    return list(
        User.objects.filter(role__in=(User.Role.OWNER, User.Role.ADMIN), is_active=True).order_by(
            "pk"
        )
    )


def _notify_once(ticket: Ticket, status: TargetStatus, *, kind: str, spec: CalendarSpec) -> bool:
    recipients = _recipients(ticket)
    notice, created = SlaNotice.objects.get_or_create(
        ticket=ticket,
        kind=kind,
        target=status.target,
        due_at=status.due_at,
        defaults={"notified_user": recipients[0] if recipients else None},
    )
    if not created:
        return False
    TicketEvent.objects.create(
        ticket=ticket,
        kind=_EVENT_KIND[kind],
        data={"target": status.target, "due_at": status.due_at.isoformat()},
    )
    if kind == SlaNotice.Kind.BREACHED:
        _escalate(ticket, target=status.target)
    # Sent inside the transaction: a failed send rolls the notice back and the next run retries.
    for user in recipients:
        _send_notice_mail(ticket, notice, user=user, spec=spec)
    return True


def _escalate(ticket: Ticket, *, target: str) -> None:
    from kefu.tickets.routing import ticket_route_elsewhere

    policy = ticket.sla_policy
    if policy is None or policy.escalation == SlaPolicy.Escalation.NONE:
        return
    data: dict[str, object] = {"action": policy.escalation, "target": target}
    if policy.escalation == SlaPolicy.Escalation.RAISE_PRIORITY:
        order = list(Ticket.PRIORITY_ORDER)
        current = order.index(ticket.priority) if ticket.priority in order else 1
        if current == len(order) - 1:
            return  # already urgent
        data.update({"from": ticket.priority, "to": order[current + 1]})
        ticket.priority = order[current + 1]
        ticket.save(update_fields=["priority", "updated_at"])
    elif policy.escalation == SlaPolicy.Escalation.REASSIGN:
        previous = ticket.assignee
        new = ticket_route_elsewhere(ticket=ticket)
        data.update({"from": previous.pk if previous else None, "to": new.pk if new else None})
    TicketEvent.objects.create(ticket=ticket, kind=TicketEvent.Kind.ESCALATED, data=data)


def _desk_link(ticket: Ticket) -> str:
    try:
        from kefu.tickets.links import ticket_desk_url
    except ImportError:
        return ""
    try:
        return ticket_desk_url(ticket)
    except NoReverseMatch:
        return ""


def _send_notice_mail(ticket: Ticket, notice: SlaNotice, *, user: User, spec: CalendarSpec) -> None:
    if not user.email:
        return
    zone = ZoneInfo(spec.timezone)
    context = {
        "ticket": ticket,
        "notice": notice,
        "breached": notice.kind == SlaNotice.Kind.BREACHED,
        "first_response": notice.target == SlaNotice.Target.FIRST_RESPONSE,
        "due": notice.due_at.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
        "zone": spec.timezone,
        "url": _desk_link(ticket),
        "user": user,
    }
    with translation.override(user.language or settings.LANGUAGE_CODE):
        subject = render_to_string("tickets/email/sla_notice_subject.txt", context).strip()
        body = render_to_string("tickets/email/sla_notice_message.txt", context)
        html = render_to_string("tickets/email/sla_notice_message.html", context)
    message = EmailMultiAlternatives(subject=subject, body=body, to=[user.email])
    message.attach_alternative(html, "text/html")
    message.send()
