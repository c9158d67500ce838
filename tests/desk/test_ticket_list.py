"""The desk's ticket list: views with counts, filters, saved views, bulk actions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from kefu.accounts.models import User
from kefu.desk.models import WorkspaceSettings
from kefu.tenancy import tenant_context
from kefu.tickets.models import SavedView, Ticket, TicketCategory
from tests.conftest import host
from tests.desk.ticket_support import client_for, make_ticket_fixture  # noqa: F401

pytestmark = pytest.mark.django_db


def _rows(response) -> list[int]:
    return [ticket.pk for ticket in response.context["page"]]


def _counts(response, section: str) -> dict[str, int]:
    return {link.label: link.count for link in response.context["sidebar"][section]}


@pytest.fixture
def desk(tenant_a, make_user, make_ticket):
    """An agent, an admin, and tickets in several states."""
    agent = make_user(tenant_a, User.Role.AGENT, first_name="Alex")
    admin = make_user(tenant_a, User.Role.ADMIN, first_name="Ada")
    with tenant_context(tenant_a):
        billing = TicketCategory.objects.create(name="Billing")
    mine = make_ticket(tenant_a, "Refund for order 77", category=billing)
    unassigned = make_ticket(tenant_a, "Cannot sign in", tags=["login"])
    late = make_ticket(tenant_a, "Invoice is wrong", category=billing, priority="high")
    done = make_ticket(tenant_a, "Thanks, all good")
    with tenant_context(tenant_a):
        Ticket.objects.filter(pk=mine.pk).update(assignee=agent, status="open")
        Ticket.objects.filter(pk=late.pk).update(
            assignee=admin, first_response_due_at=timezone.now() - timedelta(hours=1)
        )
        Ticket.objects.filter(pk=done.pk).update(status="resolved")
    return {
        "agent": agent, "admin": admin, "billing": billing, "mine": mine,
        "unassigned": unassigned, "late": late, "done": done,
    }  # fmt: skip


def test_sidebar_counts_each_view(client, tenant_a, login_as, desk):
    login_as(tenant_a, desk["agent"])
    response = client.get("/desk/tickets/", HTTP_HOST=host(tenant_a))
    assert response.status_code == 200
    views = _counts(response, "views")
    assert views["Mine"] == 1
    assert views["Unassigned"] == 1
    assert views["All open"] == 3
    assert views["Overdue"] == 1
    assert views["All tickets"] == 4
    assert _counts(response, "statuses")["Resolved"] == 1
    assert _counts(response, "categories")["Billing"] == 2
    # The default view is every open ticket: the resolved one is not listed.
    assert set(_rows(response)) == {desk["mine"].pk, desk["unassigned"].pk, desk["late"].pk}
    assert "Refund for order 77" in response.content.decode()


def test_views_and_filters_narrow_the_list(client, tenant_a, login_as, desk):
    login_as(tenant_a, desk["agent"])

    def rows(query: str) -> set[int]:
        return set(_rows(client.get(f"/desk/tickets/?{query}", HTTP_HOST=host(tenant_a))))

    assert rows("view=mine") == {desk["mine"].pk}
    assert rows("view=unassigned") == {desk["unassigned"].pk}
    assert rows("view=overdue") == {desk["late"].pk}
    assert rows("view=all&status=resolved") == {desk["done"].pk}
    assert rows(f"view=open&category={desk['billing'].pk}") == {desk["mine"].pk, desk["late"].pk}
    assert rows("priority=high") == {desk["late"].pk}
    assert rows(f"assignee={desk['admin'].pk}") == {desk["late"].pk}
    assert rows("assignee=me") == {desk["mine"].pk}
    assert rows("tag=login") == {desk["unassigned"].pk}
    assert rows("q=invoice") == {desk["late"].pk}
    assert rows(f"q=%23{desk['done'].pk}") == {desk["done"].pk}
    assert rows(f"q={desk['done'].pk}") == {desk["done"].pk}
    # Unknown values are ignored: the list falls back to every open ticket.
    assert rows("view=bogus&status=bogus") == {
        desk["mine"].pk, desk["unassigned"].pk, desk["late"].pk
    }  # fmt: skip


def test_overdue_row_is_highlighted(client, tenant_a, login_as, desk):
    login_as(tenant_a, desk["agent"])
    html = client.get("/desk/tickets/?view=overdue", HTTP_HOST=host(tenant_a)).content.decode()
    assert 'class="ticket-row overdue"' in html
    assert "Overdue</span>" in html


def test_saving_a_view_keeps_the_filters_and_counts_it(client, tenant_a, login_as, desk):
    login_as(tenant_a, desk["agent"])
    response = client.post(
        "/desk/tickets/views/",
        {"name": "Billing, high", "view": "open", "category": desk["billing"].pk,
         "priority": "high", "shared": "1"},
        HTTP_HOST=host(tenant_a),
    )  # fmt: skip
    assert response.status_code == 302
    with tenant_context(tenant_a):
        saved = SavedView.objects.get(name="Billing, high")
    assert saved.owner_id == desk["agent"].pk
    assert saved.filters == {
        "view": "open",
        "category": str(desk["billing"].pk),
        "priority": "high",
    }
    page = client.get(response.url, HTTP_HOST=host(tenant_a))
    assert _rows(page) == [desk["late"].pk]
    [link] = page.context["sidebar"]["saved"]
    assert (link.label, link.count, link.current) == ("Billing, high", 1, True)


def test_shared_views_are_seen_by_teammates_but_only_deleted_by_the_owner(
    client, tenant_a, login_as, desk
):
    with tenant_context(tenant_a):
        shared = SavedView.objects.create(
            name="Team view", owner=desk["admin"], shared=True, filters={"view": "open"}
        )
        SavedView.objects.create(name="Private view", owner=desk["admin"], filters={})
    login_as(tenant_a, desk["agent"])
    page = client.get("/desk/tickets/", HTTP_HOST=host(tenant_a))
    assert [link.label for link in page.context["sidebar"]["saved"]] == ["Team view"]
    response = client.post(f"/desk/tickets/views/{shared.pk}/delete/", HTTP_HOST=host(tenant_a))
    assert response.status_code == 404
    with tenant_context(tenant_a):
        assert SavedView.objects.filter(pk=shared.pk).exists()
    login_as(tenant_a, desk["admin"])
    client.post(f"/desk/tickets/views/{shared.pk}/delete/", HTTP_HOST=host(tenant_a))
    with tenant_context(tenant_a):
        assert not SavedView.objects.filter(pk=shared.pk).exists()


def test_bulk_status_priority_and_tag(client, tenant_a, login_as, desk):
    login_as(tenant_a, desk["agent"])
    ids = [desk["mine"].pk, desk["unassigned"].pk]
    for data in (
        {"action": "status", "status": "on_hold"},
        {"action": "priority", "priority": "urgent"},
        {"action": "tag", "tag": "Wave 2"},
    ):
        response = client.post(
            "/desk/tickets/", {"ticket": ids, "next": "/desk/tickets/?view=all", **data},
            HTTP_HOST=host(tenant_a), follow=True,
        )  # fmt: skip
        assert "2 tickets updated." in response.content.decode()
    with tenant_context(tenant_a):
        for ticket in Ticket.objects.filter(pk__in=ids):
            assert (ticket.status, ticket.priority) == ("on_hold", "urgent")
            assert "wave-2" in ticket.tags
        assert Ticket.objects.get(pk=desk["late"].pk).status == "new"


def test_admin_bulk_assigns_to_anyone(client, tenant_a, login_as, desk):
    login_as(tenant_a, desk["admin"])
    ids = [desk["unassigned"].pk, desk["late"].pk]
    response = client.post(
        "/desk/tickets/", {"ticket": ids, "action": "assign", "assignee": desk["agent"].pk},
        HTTP_HOST=host(tenant_a), follow=True,
    )  # fmt: skip
    assert "2 tickets updated." in response.content.decode()
    with tenant_context(tenant_a):
        assert set(Ticket.objects.filter(pk__in=ids).values_list("assignee", flat=True)) == {
            desk["agent"].pk
        }


def test_agent_cannot_bulk_assign_others_and_sees_why(client, tenant_a, login_as, desk):
    login_as(tenant_a, desk["agent"])
    response = client.post(
        "/desk/tickets/",
        {"ticket": [desk["unassigned"].pk], "action": "assign", "assignee": desk["admin"].pk},
        HTTP_HOST=host(tenant_a), follow=True,
    )  # fmt: skip
    html = response.content.decode()
    assert "0 tickets updated." in html
    assert f"#{desk['unassigned'].pk}: Only an admin can assign this ticket." in html
    with tenant_context(tenant_a):
        assert Ticket.objects.get(pk=desk["unassigned"].pk).assignee_id is None


def test_agent_takes_from_the_queue_only_when_allowed(client, tenant_a, login_as, desk):
    with tenant_context(tenant_a):
        WorkspaceSettings.objects.update_or_create(pk=1, defaults={"agents_pick_from_queue": False})
    login_as(tenant_a, desk["agent"])
    page = client.get("/desk/tickets/", HTTP_HOST=host(tenant_a))
    assert page.context["can_assign"] is False
    with tenant_context(tenant_a):
        WorkspaceSettings.objects.update_or_create(pk=1, defaults={"agents_pick_from_queue": True})
    ids = [desk["unassigned"].pk, desk["late"].pk]
    response = client.post(
        "/desk/tickets/", {"ticket": ids, "action": "assign", "assignee": desk["agent"].pk},
        HTTP_HOST=host(tenant_a), follow=True,
    )  # fmt: skip
    html = response.content.decode()
    assert "1 ticket updated." in html
    assert f"#{desk['late'].pk}: Somebody else already has this ticket." in html  # not queued
    with tenant_context(tenant_a):
        assert Ticket.objects.get(pk=desk["unassigned"].pk).assignee_id == desk["agent"].pk
        assert Ticket.objects.get(pk=desk["late"].pk).assignee_id == desk["admin"].pk


def test_list_page_query_count_does_not_grow_with_tickets_views_or_categories(
    client, tenant_a, login_as, desk, make_ticket, django_assert_max_num_queries
):
    login_as(tenant_a, desk["agent"])
    with tenant_context(tenant_a):
        for index in range(5):
            TicketCategory.objects.create(name=f"Category {index}")
            SavedView.objects.create(
                name=f"View {index}", owner=desk["agent"], filters={"q": f"word{index}"}
            )
    for index in range(15):
        make_ticket(tenant_a, f"Question {index}", tags=["bulk"])
    client.get("/desk/tickets/", HTTP_HOST=host(tenant_a))  # warm the time zone cache
    # 13 queries (host, session, user, own availability, settings, categories, saved views, one
    # aggregate for every count, the page and its count, staff...), each after a "SET
    # search_path".
    with django_assert_max_num_queries(26):
        response = client.get("/desk/tickets/?view=all", HTTP_HOST=host(tenant_a))
    assert len(response.context["page"]) == 19
