"""Two routers at once: no ticket gets two agents and no agent goes over capacity.

The rows are committed (each router has its own connection and only sees committed data), so
the test runs in a workspace of its own, deleted afterwards.
"""

from __future__ import annotations

import random
from collections import Counter

import pytest
from django.db import transaction
from django.db.models import Count, Q

from kefu.tenancy import tenant_context
from kefu.tickets.models import AgentProfile, Ticket, TicketEvent
from kefu.tickets.routing import loads_of, queue_drain, ticket_route
from tenants.models import Tenant
from tests.helpers import committed_tenant, run_together
from tests.tickets.routing_helpers import make_agent

AGENTS = 5
CAPACITY = 30
TICKETS = 200


@pytest.fixture
def race_tenant(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), committed_tenant("routing-race", "Routing race") as tenant:
        yield tenant


def _route_all(tenant: Tenant, ticket_ids: list[int]) -> int:
    assigned = 0
    with tenant_context(tenant):
        for ticket_id in ticket_ids:
            if ticket_route(ticket_id=ticket_id) is not None:
                assigned += 1
    return assigned


def test_two_workers_routing_200_tickets_never_double_assign_and_respect_capacity(race_tenant):
    with tenant_context(race_tenant):
        agents = [make_agent(capacity=CAPACITY) for _ in range(AGENTS)]
        Ticket.objects.bulk_create(Ticket(subject=f"Question {n}") for n in range(TICKETS))
        ids = list(Ticket.objects.order_by("pk").values_list("pk", flat=True))
    shuffled = random.Random(5).sample(ids, len(ids))

    results = run_together([lambda: _route_all(race_tenant, ids),
                             lambda: _route_all(race_tenant, shuffled)])  # fmt: skip

    assert not [r for r in results if isinstance(r, Exception)], results
    assert sum(results) == AGENTS * CAPACITY  # each assignment was made by exactly one worker
    with tenant_context(race_tenant):
        assigned_events = Counter(
            TicketEvent.objects.filter(kind=TicketEvent.Kind.ASSIGNED).values_list(
                "ticket_id", flat=True
            )
        )
        assigned = set(Ticket.objects.exclude(assignee=None).values_list("pk", flat=True))
        assert len(assigned) == AGENTS * CAPACITY
        assert Ticket.objects.filter(assignee=None).count() == TICKETS - AGENTS * CAPACITY
        assert set(assigned_events) == assigned
        assert set(assigned_events.values()) == {1}, "a ticket was assigned twice"
        loads = loads_of([agent.pk for agent in agents])
        assert loads == {agent.pk: CAPACITY for agent in agents}

        # One agent gets more room: the queue drains into it, oldest tickets first.
        profile = AgentProfile.objects.get(user=agents[0])
        profile.max_open_tickets = CAPACITY + 10
        profile.save()
        oldest_waiting = list(
            Ticket.objects.filter(assignee=None).order_by("pk").values_list("pk", flat=True)[:10]
        )
        assert queue_drain() == 10
        assert set(
            Ticket.objects.filter(assignee=agents[0])
            .filter(pk__in=oldest_waiting)
            .values_list("pk", flat=True)
        ) == set(oldest_waiting)
        assert Ticket.objects.filter(assignee=None).count() == TICKETS - AGENTS * CAPACITY - 10
        per_ticket = Ticket.objects.annotate(
            n=Count("events", filter=Q(events__kind="assigned"))
        ).filter(n__gt=1)
        assert not per_ticket.exists()


@pytest.mark.django_db
def test_routing_inside_the_transaction_that_creates_the_ticket(in_tenant_a):
    """Ticket creation routes before it commits; the router's savepoint must not lose it.
    (This test also makes pytest-django set up the database when the module runs alone.)"""
    agent = make_agent()
    with transaction.atomic():
        ticket = Ticket.objects.create(subject="Fresh")
        assert ticket_route(ticket_id=ticket.pk) == agent
    ticket.refresh_from_db()
    assert ticket.assignee == agent
