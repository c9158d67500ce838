"""A resolved ticket is recorded once, in the same transaction, whichever way it gets resolved."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from billing.metering.models import UsageEvent
from billing.metering.selectors import usage_in_period
from kefu.tenancy import tenant_context
from kefu.tickets.models import Ticket
from kefu.tickets.services.changes import ticket_status_set, ticket_update
from tests.desk.ticket_support import make_ticket_fixture  # noqa: F401

pytestmark = pytest.mark.django_db


def _usage(ticket: Ticket) -> list[str]:
    return list(UsageEvent.objects.filter(ticket_id=ticket.pk).values_list("kind", flat=True))


def test_resolving_records_one_usage_event_and_reopening_and_resolving_again_adds_none(
    make_ticket, make_user, tenant_a
):
    agent = make_user(tenant_a, "agent")
    ticket = make_ticket(tenant_a, "Refund please")
    with tenant_context(tenant_a):
        assert _usage(ticket) == []
        ticket_update(ticket=ticket, actor=agent, status=Ticket.Status.RESOLVED)
        first = UsageEvent.objects.get(ticket_id=ticket.pk)
        assert first.outcome == UsageEvent.Outcome.PENDING
        assert first.identifier.startswith("kefu_")
        ticket_update(ticket=ticket, actor=agent, status=Ticket.Status.OPEN)
        ticket_update(ticket=ticket, actor=agent, status=Ticket.Status.RESOLVED)
        ticket_update(ticket=ticket, actor=agent, status=Ticket.Status.CLOSED)
        assert _usage(ticket) == ["resolved_ticket"]
        assert UsageEvent.objects.get(ticket_id=ticket.pk).identifier == first.identifier


def test_closing_without_resolving_counts_but_pending_or_open_does_not(
    make_ticket, make_user, tenant_a
):
    agent = make_user(tenant_a, "agent")
    ticket = make_ticket(tenant_a, "Spam?")
    with tenant_context(tenant_a):
        ticket_status_set(ticket=ticket, status=Ticket.Status.PENDING, actor=agent)
        ticket_status_set(ticket=ticket, status=Ticket.Status.OPEN, actor=agent)
        assert _usage(ticket) == []
        ticket_status_set(ticket=ticket, status=Ticket.Status.CLOSED, actor=agent)
        assert _usage(ticket) == ["resolved_ticket"]


def test_a_rolled_back_resolution_records_nothing(make_ticket, make_user, tenant_a):
    agent = make_user(tenant_a, "agent")
    ticket = make_ticket(tenant_a, "Half done")

    @transaction.atomic
    def resolve_then_fail() -> None:
        ticket_update(ticket=ticket, actor=agent, status=Ticket.Status.RESOLVED)
        raise RuntimeError("the request failed after the status change")

    with tenant_context(tenant_a):
        with pytest.raises(RuntimeError):
            resolve_then_fail()
        assert _usage(ticket) == []


def test_merging_a_resolved_ticket_does_not_record_twice_and_a_merged_duplicate_is_not_billed(
    make_ticket, make_user, tenant_a
):
    from kefu.tickets.services.merging import ticket_merge

    agent = make_user(tenant_a, "agent")
    target = make_ticket(tenant_a, "Refund please")
    resolved = make_ticket(tenant_a, "Refund, solved already")
    duplicate = make_ticket(tenant_a, "Refund again")
    with tenant_context(tenant_a):
        ticket_status_set(ticket=resolved, status=Ticket.Status.RESOLVED, actor=agent)
        ticket_merge(source=resolved, target=target, actor=agent)
        ticket_merge(source=duplicate, target=target, actor=agent)
        assert _usage(resolved) == ["resolved_ticket"]
        assert _usage(duplicate) == []
        assert _usage(target) == []


def test_customer_closing_their_ticket_counts(make_ticket, tenant_a):
    from kefu.tickets.services.changes import ticket_close_by_customer

    ticket = make_ticket(tenant_a, "Sorted myself")
    with tenant_context(tenant_a):
        ticket_close_by_customer(ticket=ticket, user=None)
        assert _usage(ticket) == ["resolved_ticket"]


def test_bulk_status_change_in_the_desk_records_each_ticket_once(
    client, make_ticket, make_user, login_as, tenant_a
):
    from tests.conftest import host

    admin = make_user(tenant_a, "admin")
    tickets = [make_ticket(tenant_a, f"Bulk {n}") for n in range(3)]
    login_as(tenant_a, admin)
    for status in ("resolved", "open", "resolved"):
        response = client.post(
            "/desk/tickets/",
            {"action": "status", "status": status, "ticket": [t.pk for t in tickets]},
            HTTP_HOST=host(tenant_a),
        )
        assert response.status_code == 302
    with tenant_context(tenant_a):
        assert UsageEvent.objects.filter(ticket_id__in=[t.pk for t in tickets]).count() == 3


def test_usage_in_period_sums_quantities_in_a_half_open_range_in_one_query(
    tenant_a,
):
    start = timezone.now().replace(microsecond=0) - timedelta(days=10)
    end = start + timedelta(days=5)
    with tenant_context(tenant_a):
        for offset, quantity in ((-1, 7), (0, 1), (60, 2), (5 * 86400 - 1, 3), (5 * 86400, 11)):
            UsageEvent.objects.create(
                kind=UsageEvent.Kind.RESOLVED_TICKET,
                quantity=quantity,
                occurred_at=start + timedelta(seconds=offset),
            )
        with CaptureQueriesContext(connection) as queries:
            assert usage_in_period(start=start, end=end) == 1 + 2 + 3
        # one query (django-tenants may set the search path before it)
        assert [q for q in queries.captured_queries if "search_path" not in q["sql"]] == [
            queries.captured_queries[-1]
        ]
