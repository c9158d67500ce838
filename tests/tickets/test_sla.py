"""SLA policies and deadlines: which policy applies, due dates in business time, the pause."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from kefu.contacts.models import Contact
from kefu.tickets.models import BusinessCalendar, Holiday, SlaPolicy, Ticket, TicketCategory
from kefu.tickets.sla import sla_apply, sla_pause, sla_policy_for, sla_resume

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


def shanghai(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


@pytest.fixture
def clock(monkeypatch):
    """``clock(moment)`` makes ``timezone.now()`` return that moment."""

    def set_now(moment: datetime) -> None:
        monkeypatch.setattr(timezone, "now", lambda: moment)

    return set_now


@pytest.fixture
def calendar(in_tenant_a):
    BusinessCalendar.objects.all().delete()
    return BusinessCalendar.objects.create(timezone="Asia/Shanghai")  # Mon-Fri 09:00-18:00


def unsaved_ticket(*, tier: str = Contact.Tier.STANDARD, **fields) -> Ticket:
    requester = Contact.objects.create(name="C", tier=tier)
    return Ticket(subject="Help", requester=requester, **fields)


def test_the_most_specific_matching_policy_wins(in_tenant_a):
    billing = TicketCategory.objects.create(name="Billing")
    everyone = SlaPolicy.objects.create(name="Everyone")
    billing_policy = SlaPolicy.objects.create(name="Billing", category=billing)
    premium_billing = SlaPolicy.objects.create(
        name="Premium billing", category=billing, customer_tier=Contact.Tier.PREMIUM
    )
    SlaPolicy.objects.create(name="Retired", category=billing, customer_tier="premium",
                             tried_self_service_only=True, is_active=False)  # fmt: skip
    self_served = SlaPolicy.objects.create(
        name="Tried first", category=billing, customer_tier="premium", tried_self_service_only=True
    )

    assert sla_policy_for(unsaved_ticket()) == everyone
    assert sla_policy_for(unsaved_ticket(category=billing)) == billing_policy
    premium = unsaved_ticket(category=billing, tier=Contact.Tier.PREMIUM)
    assert sla_policy_for(premium) == premium_billing
    premium.tried_self_service = True
    assert sla_policy_for(premium) == self_served
    # Another tier does not match the premium policies; no requester matches tierless only.
    assert sla_policy_for(unsaved_ticket(category=billing, tier="enterprise")) == billing_policy
    assert sla_policy_for(Ticket(subject="x", category=billing)) == billing_policy


def test_position_breaks_ties_between_equally_specific_policies(in_tenant_a):
    billing = TicketCategory.objects.create(name="Billing")
    SlaPolicy.objects.create(name="Second", category=billing, position=2)
    first = SlaPolicy.objects.create(name="First", category=billing, position=1)
    assert sla_policy_for(unsaved_ticket(category=billing)) == first


def test_no_policy_means_no_deadline(in_tenant_a):
    ticket = unsaved_ticket()
    sla_apply(ticket=ticket)
    assert ticket.sla_policy is None
    assert ticket.first_response_due_at is None
    assert ticket.resolution_due_at is None
    assert ticket.sla_state == ""


def test_due_dates_count_business_hours_across_a_weekend_and_a_holiday(calendar):
    SlaPolicy.objects.create(name="Standard", first_response_minutes=240, resolution_minutes=960)
    Holiday.objects.create(date=date(2024, 5, 13), name="Bridge day")  # a Monday
    ticket = unsaved_ticket()
    ticket.created_at = shanghai(2024, 5, 10, 16, 0)  # Friday afternoon

    sla_apply(ticket=ticket)

    # Friday 16-18 (2 h), weekend, holiday Monday, then Tuesday 09-11 (2 h).
    assert ticket.first_response_due_at == shanghai(2024, 5, 14, 11, 0)
    # 16 h: Friday 2 h, Tuesday 9 h, Wednesday 5 h.
    assert ticket.resolution_due_at == shanghai(2024, 5, 15, 14, 0)
    assert ticket.sla_state == "ok"


def test_wall_clock_policies_ignore_the_calendar(calendar):
    SlaPolicy.objects.create(name="24/7", first_response_minutes=60, business_hours_only=False)
    ticket = unsaved_ticket()
    ticket.created_at = shanghai(2024, 5, 11, 23, 30)  # Saturday night
    sla_apply(ticket=ticket)
    assert ticket.first_response_due_at == shanghai(2024, 5, 12, 0, 30)


def test_a_pause_moves_the_deadlines_by_the_business_time_spent_waiting(calendar, clock):
    SlaPolicy.objects.create(name="Standard", first_response_minutes=240, resolution_minutes=960)
    Holiday.objects.create(date=date(2024, 5, 10), name="Holiday")  # a Friday
    ticket = unsaved_ticket()
    ticket.created_at = shanghai(2024, 5, 9, 16, 0)  # Thursday
    sla_apply(ticket=ticket)
    assert ticket.first_response_due_at == shanghai(2024, 5, 13, 11, 0)

    clock(shanghai(2024, 5, 9, 17, 0))  # one business hour used, three left
    sla_pause(ticket=ticket)
    clock(shanghai(2024, 5, 9, 17, 30))
    sla_pause(ticket=ticket)  # already paused: the pause keeps its start
    assert ticket.sla_paused_at == shanghai(2024, 5, 9, 17, 0)

    clock(shanghai(2024, 5, 13, 10, 0))  # Monday: paused Thu 17-18 and Mon 9-10 = 2 h
    sla_resume(ticket=ticket)

    assert ticket.sla_paused_at is None
    assert ticket.first_response_due_at == shanghai(2024, 5, 13, 13, 0)  # 10:00 + 3 h left
    # Resolution: 16 h from Thursday 16:00 = Thu 2 h, Mon 9 h, Tue 5 h -> Tue 14:00, plus 2 h.
    assert ticket.resolution_due_at == shanghai(2024, 5, 14, 16, 0)


def test_a_met_first_response_does_not_move_when_the_clock_resumes(calendar, clock):
    SlaPolicy.objects.create(name="Standard", first_response_minutes=60, resolution_minutes=600)
    ticket = unsaved_ticket()
    ticket.created_at = shanghai(2024, 5, 13, 9, 0)
    sla_apply(ticket=ticket)
    ticket.first_responded_at = shanghai(2024, 5, 13, 9, 30)
    clock(shanghai(2024, 5, 13, 9, 30))
    sla_pause(ticket=ticket)
    clock(shanghai(2024, 5, 13, 11, 30))
    sla_resume(ticket=ticket)
    assert ticket.first_response_due_at == shanghai(2024, 5, 13, 10, 0)
    assert ticket.resolution_due_at == shanghai(2024, 5, 14, 12, 0)  # 10 h + 2 h paused
