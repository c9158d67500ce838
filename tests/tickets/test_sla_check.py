"""The periodic SLA check: at risk, breached, notified once, paused tickets spared, escalation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from kefu.accounts.models import User
from kefu.tickets.jobs_sla import sla_check
from kefu.tickets.models import SlaNotice, SlaPolicy, Ticket, TicketEvent
from tests.tickets.routing_helpers import make_agent, make_ticket

pytestmark = pytest.mark.django_db


def policy(**options) -> SlaPolicy:
    """Wall-clock targets, so the test does not depend on today's working hours."""
    options = {"name": "Standard", "first_response_minutes": 60, "resolution_minutes": 600,
               "business_hours_only": False, **options}  # fmt: skip
    return SlaPolicy.objects.create(**options)


def ticket_due_in(minutes: float, *, sla_policy: SlaPolicy, **fields) -> Ticket:
    """A ticket whose first response is due ``minutes`` from now (negative: overdue)."""
    now = timezone.now()
    return make_ticket(
        sla_policy=sla_policy,
        sla_state="ok",
        first_response_due_at=now + timedelta(minutes=minutes),
        resolution_due_at=now + timedelta(minutes=minutes + 540),
        **fields,
    )


def test_a_breach_job_run_twice_notifies_once(in_tenant_a):
    agent = make_agent()
    ticket = ticket_due_in(-5, sla_policy=policy(), assignee=agent, subject="Printer on fire")

    sla_check()
    sla_check()

    ticket.refresh_from_db()
    assert ticket.sla_state == "breached"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [agent.email]
    assert message.subject == f"SLA breached: #{ticket.pk} Printer on fire"
    assert "first response" in message.body
    assert SlaNotice.objects.filter(ticket=ticket).count() == 1
    assert TicketEvent.objects.filter(ticket=ticket, kind="sla_breached").count() == 1


def test_a_ticket_is_at_risk_once_most_of_its_time_is_used(in_tenant_a):
    agent = make_agent()
    sla_policy = policy(at_risk_percent=75)  # 60 minutes: at risk with less than 15 left
    calm = ticket_due_in(30, sla_policy=sla_policy, assignee=agent)
    tight = ticket_due_in(10, sla_policy=sla_policy, assignee=agent, subject="Hurry")

    sla_check()
    sla_check()

    calm.refresh_from_db()
    tight.refresh_from_db()
    assert calm.sla_state == "ok"
    assert tight.sla_state == "at_risk"
    assert [m.subject for m in mail.outbox] == [f"SLA at risk: #{tight.pk} Hurry"]
    assert TicketEvent.objects.filter(ticket=tight, kind="sla_at_risk").count() == 1


def test_unassigned_tickets_warn_the_admins(in_tenant_a):
    admin = make_agent(role=User.Role.ADMIN, availability="offline")
    agent = make_agent(availability="offline")
    ticket_due_in(-1, sla_policy=policy())

    sla_check()

    recipients = {address for message in mail.outbox for address in message.to}
    assert admin.email in recipients
    assert agent.email not in recipients


def test_a_paused_ticket_does_not_breach(in_tenant_a):
    agent = make_agent()
    ticket = ticket_due_in(-30, sla_policy=policy(), assignee=agent,
                           status=Ticket.Status.PENDING, sla_paused_at=timezone.now())  # fmt: skip
    sla_check()
    ticket.refresh_from_db()
    assert ticket.sla_state == "ok"
    assert mail.outbox == []
    assert not SlaNotice.objects.exists()


def test_finished_and_first_responded_targets_are_not_checked(in_tenant_a):
    agent = make_agent()
    sla_policy = policy()
    resolved = ticket_due_in(-30, sla_policy=sla_policy, assignee=agent, status="resolved")
    answered = ticket_due_in(-30, sla_policy=sla_policy, assignee=agent,
                             first_responded_at=timezone.now())  # fmt: skip
    sla_check()
    resolved.refresh_from_db()
    answered.refresh_from_db()
    assert resolved.sla_state == "ok"
    assert answered.sla_state == "ok"  # resolution is still 8.5 hours away
    assert mail.outbox == []


def test_a_breach_raises_the_priority_one_step_once(in_tenant_a):
    agent = make_agent()
    ticket = ticket_due_in(-5, sla_policy=policy(escalation="raise_priority"), assignee=agent)

    sla_check()
    sla_check()

    ticket.refresh_from_db()
    assert ticket.priority == Ticket.Priority.HIGH
    escalation = TicketEvent.objects.get(ticket=ticket, kind="escalated")
    assert escalation.data["from"] == "normal"
    assert escalation.data["to"] == "high"


def test_a_breach_reassigns_to_another_agent(in_tenant_a):
    slow = make_agent()
    ticket = ticket_due_in(-5, sla_policy=policy(escalation="reassign"), assignee=slow)
    other = make_agent()

    sla_check()

    ticket.refresh_from_db()
    assert ticket.assignee == other
    escalation = TicketEvent.objects.get(ticket=ticket, kind="escalated")
    assert escalation.data["from"] == slow.pk
    assert escalation.data["to"] == other.pk


def test_reassignment_keeps_the_agent_when_nobody_else_can_take_it(in_tenant_a):
    only = make_agent()
    ticket = ticket_due_in(-5, sla_policy=policy(escalation="reassign"), assignee=only)
    sla_check()
    ticket.refresh_from_db()
    assert ticket.assignee == only
    assert ticket.sla_state == "breached"
