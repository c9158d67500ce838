"""Presence on a ticket, canned responses, and the custom ticket fields admin."""

from __future__ import annotations

import pytest

from kefu.accounts.models import User
from kefu.tenancy import tenant_context
from kefu.tickets.models import CannedResponse, Ticket, TicketCategory, TicketField
from tests.conftest import host
from tests.desk.ticket_support import client_for, make_ticket_fixture  # noqa: F401

pytestmark = pytest.mark.django_db


# --- presence ------------------------------------------------------------------------------


def test_two_agents_see_each_other_on_a_ticket(tenant_a, make_user, make_ticket):
    ticket = make_ticket(tenant_a)
    alex = client_for(tenant_a, make_user(tenant_a, User.Role.AGENT, first_name="Alex"))
    bo = client_for(tenant_a, make_user(tenant_a, User.Role.ADMIN, first_name="Bo"))
    url = f"/desk/tickets/{ticket.pk}/presence/"
    assert alex.post(url, {"state": "viewing"}).json() == {"others": []}
    assert bo.post(url, {"state": "replying"}).json() == {
        "others": [{"name": "Alex", "state": "viewing"}]
    }
    assert alex.get(url).json() == {"others": [{"name": "Bo", "state": "replying"}]}
    bo.post(url, {"state": "left"})
    assert alex.get(url).json() == {"others": []}


def test_presence_is_per_ticket_and_per_workspace(tenant_a, tenant_b, make_user, make_ticket):
    ticket = make_ticket(tenant_a)
    other_ticket = make_ticket(tenant_a, "Another one")
    with tenant_context(tenant_b):
        # Ticket numbers start at 1001 in every workspace: the same number exists in beta.
        Ticket.objects.create(pk=ticket.pk, subject="Beta's own ticket")
    alex = client_for(tenant_a, make_user(tenant_a, User.Role.AGENT, first_name="Alex"))
    alex.post(f"/desk/tickets/{ticket.pk}/presence/", {"state": "replying"})
    colleague = client_for(tenant_a, make_user(tenant_a, User.Role.AGENT))
    assert colleague.get(f"/desk/tickets/{other_ticket.pk}/presence/").json() == {"others": []}
    beta_agent = client_for(tenant_b, make_user(tenant_b, User.Role.AGENT))
    response = beta_agent.get(f"/desk/tickets/{ticket.pk}/presence/")
    assert response.status_code == 200
    assert response.json() == {"others": []}


def test_ticket_page_polls_presence_from_a_static_script(
    client, tenant_a, make_user, make_ticket, login_as
):
    ticket = make_ticket(tenant_a)
    login_as(tenant_a, make_user(tenant_a, User.Role.AGENT))
    html = client.get(f"/desk/tickets/{ticket.pk}/", HTTP_HOST=host(tenant_a)).content.decode()
    assert f'data-presence-url="/desk/tickets/{ticket.pk}/presence/"' in html
    assert 'src="/static/desk/tickets.js"' in html
    assert 'id="presence-notice"' in html


# --- canned responses ----------------------------------------------------------------------


def test_agents_add_edit_and_delete_canned_responses(client, tenant_a, make_user, login_as):
    login_as(tenant_a, make_user(tenant_a, User.Role.AGENT))
    response = client.post(
        "/desk/canned/", {"title": "Thanks", "body": "Thanks, {{ customer.name }}!"},
        HTTP_HOST=host(tenant_a), follow=True,
    )  # fmt: skip
    assert "Canned response added." in response.content.decode()
    with tenant_context(tenant_a):
        canned = CannedResponse.objects.get(title="Thanks")
    page = client.get("/desk/canned/", HTTP_HOST=host(tenant_a)).content.decode()
    assert "Thanks, {{ customer.name }}!" in page
    client.post(
        f"/desk/canned/{canned.pk}/", {"title": "Thank you", "body": "Cheers"},
        HTTP_HOST=host(tenant_a),
    )  # fmt: skip
    with tenant_context(tenant_a):
        canned.refresh_from_db()
        assert (canned.title, canned.body) == ("Thank you", "Cheers")
    client.post(f"/desk/canned/{canned.pk}/delete/", {"confirm": "1"}, HTTP_HOST=host(tenant_a))
    with tenant_context(tenant_a):
        assert not CannedResponse.objects.exists()


def test_canned_response_needs_a_title_and_body(client, tenant_a, make_user, login_as):
    login_as(tenant_a, make_user(tenant_a, User.Role.AGENT))
    response = client.post("/desk/canned/", {"title": "", "body": ""}, HTTP_HOST=host(tenant_a))
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()


# --- ticket fields admin -------------------------------------------------------------------


def _add_field(client, tenant, **data):
    defaults = {"label": "Order number", "key": "order", "field_type": "text", "position": 0}
    return client.post(
        "/desk/settings/ticket-fields/", {**defaults, **data}, HTTP_HOST=host(tenant)
    )


def test_admin_adds_a_choice_field_for_a_category(client, tenant_a, make_user, login_as):
    with tenant_context(tenant_a):
        orders = TicketCategory.objects.create(name="Orders")
    login_as(tenant_a, make_user(tenant_a, User.Role.ADMIN))
    response = _add_field(
        client, tenant_a, category=orders.pk, label="Size", key="size", field_type="choice",
        required="on", choices_text="S\n M \n\nL\nS", position=2,
    )  # fmt: skip
    assert response.status_code == 302
    with tenant_context(tenant_a):
        field = TicketField.objects.get(key="size")
    assert (field.category_id, field.required, field.position) == (orders.pk, True, 2)
    assert field.choices == ["S", "M", "L"]
    page = client.get("/desk/settings/ticket-fields/", HTTP_HOST=host(tenant_a)).content.decode()
    assert "S, M, L" in page


def test_choice_fields_need_choices_and_keys_are_unique_per_form(
    client, tenant_a, make_user, login_as
):
    with tenant_context(tenant_a):
        orders = TicketCategory.objects.create(name="Orders")
        returns = TicketCategory.objects.create(name="Returns")
        TicketField.objects.create(category=orders, key="order", label="Order", field_type="text")
    login_as(tenant_a, make_user(tenant_a, User.Role.ADMIN))
    response = _add_field(client, tenant_a, key="colour", field_type="multi_choice")
    assert "Give at least one choice, one per line." in response.content.decode()
    response = _add_field(client, tenant_a, category=orders.pk, key="order")
    assert "Another field on this form already uses this key." in response.content.decode()
    response = _add_field(client, tenant_a, key="order")  # all categories: clashes with Orders
    assert "Another field on this form already uses this key." in response.content.decode()
    response = _add_field(client, tenant_a, key="not a slug!")
    assert response.status_code == 200
    assert _add_field(client, tenant_a, category=returns.pk, key="order").status_code == 302
    with tenant_context(tenant_a):
        assert TicketField.objects.filter(key="order").count() == 2


def test_admin_edits_and_deactivates_a_field(client, tenant_a, make_user, login_as):
    from kefu.tickets.services.fields import fields_for_category

    with tenant_context(tenant_a):
        field = TicketField.objects.create(key="device", label="Device", field_type="text")
    login_as(tenant_a, make_user(tenant_a, User.Role.ADMIN))
    client.post(
        f"/desk/settings/ticket-fields/{field.pk}/",
        {"label": "Your device", "key": "device", "field_type": "choice",
         "choices_text": "iPhone\nAndroid", "position": 1},
        HTTP_HOST=host(tenant_a),
    )  # fmt: skip
    with tenant_context(tenant_a):
        field.refresh_from_db()
        assert (field.label, field.field_type, field.choices) == (
            "Your device", "choice", ["iPhone", "Android"]
        )  # fmt: skip
    client.post(f"/desk/settings/ticket-fields/{field.pk}/toggle/", HTTP_HOST=host(tenant_a))
    with tenant_context(tenant_a):
        field.refresh_from_db()
        assert field.is_active is False
        assert list(fields_for_category(None)) == []


def test_agents_cannot_manage_ticket_fields(client, tenant_a, make_user, login_as):
    with tenant_context(tenant_a):
        field = TicketField.objects.create(key="device", label="Device", field_type="text")
    login_as(tenant_a, make_user(tenant_a, User.Role.AGENT))
    assert client.get("/desk/settings/ticket-fields/", HTTP_HOST=host(tenant_a)).status_code == 403
    assert _add_field(client, tenant_a, key="x").status_code == 403
    url = f"/desk/settings/ticket-fields/{field.pk}/toggle/"
    assert client.post(url, HTTP_HOST=host(tenant_a)).status_code == 403
    with tenant_context(tenant_a):
        assert TicketField.objects.get(pk=field.pk).is_active is True
