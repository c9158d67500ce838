"""Routing by skill, language, tier and load; the queue; manual assignment rules."""

from __future__ import annotations

import pytest

from kefu.accounts.models import User
from kefu.contacts.models import Contact
from kefu.desk.selectors import workspace_settings_get
from kefu.tickets.errors import TicketError
from kefu.tickets.models import AgentProfile, SkillGroup, Ticket, TicketEvent
from kefu.tickets.routing import (
    agent_set_availability,
    queue_drain,
    ticket_reassign,
    ticket_route,
    ticket_take,
)
from tests.tickets.routing_helpers import make_agent, make_ticket

pytestmark = pytest.mark.django_db

OFFLINE = AgentProfile.Availability.OFFLINE
AWAY = AgentProfile.Availability.AWAY
ONLINE = AgentProfile.Availability.ONLINE


def route(ticket: Ticket) -> User | None:
    assignee = ticket_route(ticket_id=ticket.pk)
    ticket.refresh_from_db()
    return assignee


def test_a_ticket_goes_to_an_agent_of_its_skill_group_and_the_history_says_so(in_tenant_a):
    billing = SkillGroup.objects.create(name="Billing")
    make_agent(groups=[SkillGroup.objects.create(name="Technical")])
    biller = make_agent(groups=[billing])
    ticket = make_ticket(skill_group=billing)

    assert route(ticket) == biller
    assert ticket.assignee == biller
    assert ticket.assigned_at is not None
    assert ticket.status == Ticket.Status.NEW  # routing assigns, it does not answer
    event = TicketEvent.objects.get(ticket=ticket, kind=TicketEvent.Kind.ASSIGNED)
    assert event.actor is None
    assert event.data == {"assignee": biller.pk, "by": "routing"}


def test_language_and_tier_must_match_unless_the_agent_takes_any(in_tenant_a):
    english_only = make_agent(languages=["en"])
    premium_chinese = make_agent(languages=["zh-hans"], tiers=[Contact.Tier.PREMIUM])

    assert route(make_ticket(language="zh-hans", tier=Contact.Tier.PREMIUM)) == premium_chinese
    assert route(make_ticket(language="en", tier=Contact.Tier.PREMIUM)) == english_only
    chinese_standard = make_ticket(language="zh-hans", tier=Contact.Tier.STANDARD)
    assert route(chinese_standard) is None

    generalist = make_agent()
    assert route(chinese_standard) == generalist


def test_the_agent_with_the_lowest_load_wins(in_tenant_a):
    busy = make_agent()
    quiet = make_agent()
    for _ in range(3):
        make_ticket(assignee=busy, status=Ticket.Status.OPEN)
    make_ticket(assignee=quiet, status=Ticket.Status.OPEN)
    # Resolved and pending tickets do not count against capacity.
    make_ticket(assignee=quiet, status=Ticket.Status.RESOLVED)
    make_ticket(assignee=quiet, status=Ticket.Status.PENDING)
    make_ticket(assignee=quiet, status=Ticket.Status.PENDING)

    assert route(make_ticket()) == quiet
    assert route(make_ticket()) == quiet
    # Now both hold three open tickets: the one assigned longest ago is next.
    assert route(make_ticket()) == busy


def test_equal_agents_take_turns(in_tenant_a):
    agents = [make_agent(), make_agent(), make_agent()]
    first_round = [route(make_ticket()) for _ in range(3)]
    assert sorted(a.pk for a in first_round) == sorted(a.pk for a in agents)
    second_round = [route(make_ticket()) for _ in range(3)]
    assert second_round == first_round


def test_offline_away_inactive_and_full_agents_get_nothing(in_tenant_a):
    make_agent(availability=OFFLINE)
    make_agent(availability=AWAY)
    gone = make_agent()
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    customer = make_agent(role=User.Role.CUSTOMER)
    full = make_agent(capacity=1)
    make_ticket(assignee=full, status=Ticket.Status.OPEN)

    ticket = make_ticket()
    assert route(ticket) is None
    assert ticket.assignee is None
    assert customer != ticket.assignee
    assert not TicketEvent.objects.filter(ticket=ticket).exists()


def test_assigned_and_finished_tickets_are_left_alone(in_tenant_a):
    make_agent()
    holder = make_agent(availability=OFFLINE)
    assigned = make_ticket(assignee=holder)
    closed = make_ticket(status=Ticket.Status.CLOSED)
    assert route(assigned) is None
    assert assigned.assignee == holder
    assert route(closed) is None
    assert closed.assignee is None


def test_a_ticket_waits_in_the_queue_until_an_agent_comes_online(in_tenant_a):
    billing = SkillGroup.objects.create(name="Billing")
    make_agent(groups=[SkillGroup.objects.create(name="Other")])
    later = make_agent(availability=OFFLINE, groups=[billing], capacity=2)
    waiting = [make_ticket(f"Refund {n}", skill_group=billing) for n in range(3)]
    assert [route(ticket) for ticket in waiting] == [None, None, None]

    agent_set_availability(user=later, availability=ONLINE)

    assigned = Ticket.objects.filter(assignee=later).order_by("pk")
    assert list(assigned) == waiting[:2]  # oldest first, up to capacity
    waiting[2].refresh_from_db()
    assert waiting[2].assignee is None
    # Capacity frees up: the next drain gives the agent the last one.
    Ticket.objects.filter(pk=waiting[0].pk).update(status=Ticket.Status.RESOLVED)
    assert queue_drain() == 1
    waiting[2].refresh_from_db()
    assert waiting[2].assignee == later


def test_availability_is_for_staff_and_takes_known_values(in_tenant_a):
    agent = make_agent(availability=OFFLINE)
    with pytest.raises(TicketError):
        agent_set_availability(user=agent, availability="sleeping")
    with pytest.raises(TicketError):
        agent_set_availability(user=make_agent(role=User.Role.CUSTOMER), availability=ONLINE)
    assert agent_set_availability(user=agent, availability=AWAY).availability == AWAY


def test_an_admin_reassigns_to_anyone_on_the_team_regardless_of_capacity(in_tenant_a):
    admin = make_agent(role=User.Role.ADMIN, availability=OFFLINE)
    first = make_agent(capacity=1)
    full = make_agent(capacity=1, availability=OFFLINE)
    make_ticket(assignee=full, status=Ticket.Status.OPEN)
    ticket = make_ticket()
    route(ticket)
    assert ticket.assignee == first

    ticket_reassign(ticket=ticket, assignee=full, actor=admin)
    ticket.refresh_from_db()
    assert ticket.assignee == full
    event = TicketEvent.objects.filter(ticket=ticket, kind=TicketEvent.Kind.ASSIGNED).last()
    assert event.actor == admin
    assert event.data == {"assignee": full.pk, "by": "admin", "from": first.pk}

    ticket_reassign(ticket=ticket, assignee=None, actor=admin)
    ticket.refresh_from_db()
    assert ticket.assignee is None
    assert TicketEvent.objects.filter(ticket=ticket, kind=TicketEvent.Kind.UNASSIGNED).exists()


def test_agents_cannot_reassign_and_customers_cannot_be_assigned(in_tenant_a):
    agent = make_agent()
    admin = make_agent(role=User.Role.ADMIN)
    ticket = make_ticket()
    with pytest.raises(TicketError, match="Only an admin"):
        ticket_reassign(ticket=ticket, assignee=agent, actor=agent)
    with pytest.raises(TicketError, match="active staff"):
        ticket_reassign(ticket=ticket, assignee=make_agent(role=User.Role.CUSTOMER), actor=admin)


def test_agents_take_from_the_queue_only_when_an_admin_allows_it(in_tenant_a):
    agent = make_agent(availability=OFFLINE, capacity=1)
    ticket = make_ticket()
    workspace = workspace_settings_get()
    workspace.agents_pick_from_queue = False
    workspace.save()
    with pytest.raises(TicketError, match="assigned by routing"):
        ticket_take(ticket=ticket, agent=agent)

    workspace = workspace_settings_get()
    workspace.agents_pick_from_queue = True
    workspace.save()
    ticket_take(ticket=ticket, agent=agent)
    ticket.refresh_from_db()
    assert ticket.assignee == agent
    with pytest.raises(TicketError, match="your limit"):
        ticket_take(ticket=make_ticket(), agent=agent)
    with pytest.raises(TicketError, match="Somebody else"):
        ticket_take(ticket=ticket, agent=make_agent())


# --- a small team's defaults ---------------------------------------------------------------


def test_a_new_staff_member_gets_tickets_while_at_the_desk_and_not_after(in_tenant_a):
    from datetime import timedelta

    from django.utils import timezone

    from kefu.accounts.services import user_create
    from kefu.tickets.routing import PRESENT_FOR, agent_seen, agent_signed_out

    owner = user_create(email="owner-alone@example.com", password=None, role=User.Role.OWNER)
    assert route(make_ticket("Before they open the desk")) is None  # never seen: not there

    profile = agent_seen(user=owner)
    assert profile.availability == AgentProfile.Availability.AUTO
    assert profile.max_open_tickets == 25
    assert route(make_ticket("While at the desk")) == owner

    AgentProfile.objects.filter(pk=profile.pk).update(
        last_seen_at=timezone.now() - PRESENT_FOR - timedelta(seconds=1)
    )
    assert route(make_ticket("After a long break")) is None

    owner = User.objects.get(pk=owner.pk)  # their next page: a new request
    agent_seen(user=owner)
    assert route(make_ticket("Back")) == owner
    agent_signed_out(user=owner)
    assert route(make_ticket("Signed out")) is None


def test_coming_back_to_the_desk_drains_the_queue_in_a_job(
    in_tenant_a, django_capture_on_commit_callbacks
):
    from kefu.accounts.services import user_create
    from kefu.tickets.routing import agent_seen

    agent = user_create(email="back@example.com", password=None, role=User.Role.AGENT)
    with django_capture_on_commit_callbacks() as nothing_waits:
        agent_seen(user=agent)
    assert nothing_waits == []  # nothing waiting: no job

    waiting = make_ticket("Waiting")
    from kefu.tickets.routing import agent_signed_out

    agent_signed_out(user=agent)
    agent = User.objects.get(pk=agent.pk)  # a new request: no cached profile
    with django_capture_on_commit_callbacks() as coming_back:
        agent_seen(user=agent)
    assert len(coming_back) == 1  # the drain job
    with django_capture_on_commit_callbacks() as still_here:
        agent_seen(user=agent)
    assert still_here == []  # seen a moment ago: no write, no job
    waiting.refresh_from_db()
    assert waiting.assignee_id is None  # the job assigns it, not the page


def test_new_workspaces_let_agents_take_from_the_queue(in_tenant_a):
    # The test workspaces are copies of the template, like every new workspace.
    assert workspace_settings_get().agents_pick_from_queue is True
    agent = make_agent(availability=OFFLINE)
    ticket = make_ticket()
    ticket_take(ticket=ticket, agent=agent)
    ticket.refresh_from_db()
    assert ticket.assignee == agent


def test_the_queue_health_says_why_tickets_wait(in_tenant_a):
    from kefu.tickets.routing import queue_health

    assert queue_health().stuck is False
    make_ticket("Nobody online")
    health = queue_health()
    assert (health.waiting, health.available, health.with_room) == (1, 0, 0)
    busy = make_agent(capacity=1)
    make_ticket("Theirs", assignee=busy, status=Ticket.Status.OPEN)
    health = queue_health()
    assert (health.waiting, health.available, health.with_room) == (1, 1, 0)
