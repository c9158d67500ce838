"""/api/v1/tickets: staff tokens per role and per workspace, integrations opening tickets for
customers, clear errors, and an OpenAPI description."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kefu.accounts.models import User
from kefu.accounts.services import api_token_create
from kefu.contacts.models import Contact
from kefu.contacts.services import contact_for_email
from kefu.tenancy import tenant_context
from kefu.tickets.models import Ticket, TicketCategory, TicketField, TicketMessage
from kefu.tickets.services.creation import ticket_create
from tests.api.ticket_urls import ticket_links  # noqa: F401 - fixture
from tests.conftest import host

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("ticket_links")]


@pytest.fixture
def token_for(make_user):
    """``token_for(tenant, role)``: (user, secret) of a new staff member's API token."""

    def make(tenant, role=User.Role.AGENT, **extra):
        user = make_user(tenant, role, **extra)
        with tenant_context(tenant):
            _token, secret = api_token_create(user=user, name="CI")
        return user, secret

    return make


def _ticket(tenant, subject="Printer is on fire", email="casey@example.com", **options):
    with tenant_context(tenant):
        requester = contact_for_email(email=email, name="Casey")
        options.setdefault("description", f"{subject}. Please help.")
        return ticket_create(subject=subject, requester=requester, **options)


def _call(client, method, path, tenant, secret=None, body=None, raw=None):
    headers = {"HTTP_HOST": host(tenant)}
    if secret:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
    data = raw if raw is not None else (json.dumps(body) if body is not None else None)
    return getattr(client, method)(path, data=data, content_type="application/json", **headers)


def test_an_integration_opens_reads_changes_and_answers_a_ticket(client, tenant_a, token_for):
    _agent, secret = token_for(tenant_a)
    with tenant_context(tenant_a):
        category = TicketCategory.objects.create(name="Billing")
    created = _call(client, "post", "/api/v1/tickets", tenant_a, secret, {
        "subject": "Charged twice",
        "description": "My card was charged twice for order 1042.",
        "requester": {"email": "Wang@Example.com", "name": "Wang Fang", "language": "zh-hans"},
        "category": category.pk,
        "priority": "high",
        "tags": ["Refund", "card"],
    })  # fmt: skip
    assert created.status_code == 201, created.content
    ticket = created.json()
    assert created["Location"] == f"/api/v1/tickets/{ticket['id']}"
    assert ticket["number"] == ticket["id"]
    assert ticket["status"] == "new"
    assert ticket["channel"] == "api"
    assert ticket["priority"] == "high"
    assert ticket["category"] == {"id": category.pk, "name": "Billing"}
    assert ticket["tags"] == ["refund", "card"]
    assert ticket["requester"]["email"] == "Wang@Example.com"
    assert ticket["url"] == f"/desk/tickets/{ticket['id']}/"
    assert set(ticket["sla"]) == {"first_response_due_at", "resolution_due_at", "state"}
    [first] = ticket["messages"]
    assert first["author"]["type"] == "customer"  # the customer's words, not the integration's
    with tenant_context(tenant_a):
        contact = Contact.objects.get(email__iexact="wang@example.com")
        assert (contact.name, contact.language) == ("Wang Fang", "zh-hans")

    path = f"/api/v1/tickets/{ticket['id']}"
    patched = _call(client, "patch", path, tenant_a, secret,
                    {"status": "on_hold", "priority": "urgent", "is_public": True,
                     "tags": ["vip"], "category": None})  # fmt: skip
    assert patched.status_code == 200, patched.content
    changed = patched.json()
    assert (changed["status"], changed["priority"], changed["is_public"]) == (
        "on_hold", "urgent", True
    )  # fmt: skip
    assert (changed["tags"], changed["category"]) == (["vip"], None)

    reply = _call(client, "post", f"{path}/reply", tenant_a, secret,
                  {"body": "Refunded, sorry!", "status": "resolved"})  # fmt: skip
    assert reply.status_code == 201, reply.content
    assert reply.json()["message"]["author"]["type"] == "staff"
    assert reply.json()["ticket"]["status"] == "resolved"
    note = _call(client, "post", f"{path}/reply", tenant_a, secret,
                 {"body": "Second refund this month", "internal": True})  # fmt: skip
    assert note.status_code == 201

    thread = _call(client, "get", path, tenant_a, secret).json()["messages"]
    assert [(m["body"], m["internal"]) for m in thread[1:]] == [
        ("Refunded, sorry!", False),
        ("Second refund this month", True),
    ]
    with tenant_context(tenant_a):
        assert TicketMessage.objects.get(body="Refunded, sorry!").channel == "api"


def test_bad_input_gets_a_message_per_field(client, tenant_a, token_for):
    _agent, secret = token_for(tenant_a)
    with tenant_context(tenant_a):
        category = TicketCategory.objects.create(name="Orders")
        TicketField.objects.create(
            category=category, key="order", label="Order", field_type="number", required=True
        )
    missing = _call(client, "post", "/api/v1/tickets", tenant_a, secret,
                    {"requester": {"email": "not-an-email"}, "priority": "asap",
                     "tags": "one"})  # fmt: skip
    assert missing.status_code == 400
    error = missing.json()["error"]
    assert error["code"] == "invalid"
    assert error["fields"]["subject"] == ["This field is required."]
    assert error["fields"]["requester"] == ["Enter a valid email address."]
    assert error["fields"]["priority"] == ["Use one of: low, normal, high, urgent."]
    assert error["fields"]["tags"] == ["Send a list of strings."]

    custom = _call(client, "post", "/api/v1/tickets", tenant_a, secret,
                   {"subject": "Late", "requester": {"email": "a@example.com"},
                    "category": category.pk, "fields": {"order": "soon"}})  # fmt: skip
    assert custom.status_code == 400
    assert custom.json()["error"]["fields"] == {"order": ["Enter a number."]}
    with tenant_context(tenant_a):
        assert not Ticket.objects.exists()
        assert not Contact.objects.filter(email="a@example.com").exists()  # nothing half-made

    unknown = _call(client, "post", "/api/v1/tickets", tenant_a, secret, {"colour": "red"})
    assert unknown.json()["error"]["fields"] == {"colour": ["Unknown field."]}
    not_json = _call(client, "post", "/api/v1/tickets", tenant_a, secret, raw="{nope")
    assert (not_json.status_code, not_json.json()["error"]["code"]) == (400, "bad_request")

    ticket = _ticket(tenant_a)
    empty = _call(client, "post", f"/api/v1/tickets/{ticket.pk}/reply", tenant_a, secret,
                  {"body": "  "})  # fmt: skip
    assert empty.json()["error"]["fields"] == {"body": ["This field is required."]}
    bad_status = _call(client, "patch", f"/api/v1/tickets/{ticket.pk}", tenant_a, secret,
                       {"status": "done", "assignee": 999999})  # fmt: skip
    assert set(bad_status.json()["error"]["fields"]) == {"status", "assignee"}


def test_no_token_a_wrong_token_or_another_workspaces_token_gets_401(
    client, tenant_a, tenant_b, token_for
):
    _agent, secret = token_for(tenant_a)
    ticket = _ticket(tenant_a)
    for path in ("/api/v1/tickets", f"/api/v1/tickets/{ticket.pk}"):
        assert _call(client, "get", path, tenant_a).status_code == 401
        assert _call(client, "get", path, tenant_a, "kefu_nonsense").status_code == 401
    response = _call(client, "get", "/api/v1/tickets", tenant_b, secret)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response.json()["error"]["code"] == "unauthenticated"
    reply = _call(client, "post", f"/api/v1/tickets/{ticket.pk}/reply", tenant_b, secret,
                  {"body": "hi"})  # fmt: skip
    assert reply.status_code == 401


def test_another_workspaces_ticket_and_a_missing_one_are_404(client, tenant_a, tenant_b, token_for):
    _agent, secret = token_for(tenant_a)
    theirs = _ticket(tenant_b, "Beta's secret")
    with tenant_context(tenant_a):
        assert not Ticket.objects.filter(pk=theirs.pk).exists()
    for method, suffix, body in (("get", "", None), ("patch", "", {"priority": "low"}),
                                 ("post", "/reply", {"body": "x"})):  # fmt: skip
        path = f"/api/v1/tickets/{theirs.pk}{suffix}"
        response = _call(client, method, path, tenant_a, secret, body)
        assert response.status_code == 404
        assert "Beta" not in response.content.decode()
    listed = _call(client, "get", "/api/v1/tickets", tenant_a, secret).json()
    assert "Beta's secret" not in json.dumps(listed)


def test_customers_get_403_by_session_or_by_an_old_token(client, tenant_a, token_for, login_as):
    demoted, secret = token_for(tenant_a)
    with tenant_context(tenant_a):
        User.objects.filter(pk=demoted.pk).update(role=User.Role.CUSTOMER)
    response = _call(client, "get", "/api/v1/tickets", tenant_a, secret)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"

    with tenant_context(tenant_a):
        customer = User.objects.create_user(
            username="cust", email="cust@example.com", role=User.Role.CUSTOMER
        )
    ticket = _ticket(tenant_a, email="cust@example.com")
    login_as(tenant_a, customer)
    assert _call(client, "get", "/api/v1/tickets", tenant_a).status_code == 403
    assert _call(client, "get", f"/api/v1/tickets/{ticket.pk}", tenant_a).status_code == 403


def test_only_admins_assign_tickets_to_others(client, tenant_a, token_for):
    agent, agent_secret = token_for(tenant_a)
    _admin, admin_secret = token_for(tenant_a, User.Role.ADMIN)
    colleague, _ = token_for(tenant_a)
    ticket = _ticket(tenant_a)
    path = f"/api/v1/tickets/{ticket.pk}"

    refused = _call(client, "patch", path, tenant_a, agent_secret,
                    {"assignee": colleague.pk, "priority": "high"})  # fmt: skip
    assert refused.status_code == 403
    assert refused.json()["error"]["message"] == "Only an admin can assign this ticket."
    with tenant_context(tenant_a):
        ticket.refresh_from_db()
        assert (ticket.assignee_id, ticket.priority) == (None, "normal")  # nothing half-done

    assigned = _call(client, "patch", path, tenant_a, admin_secret, {"assignee": agent.pk})
    assert assigned.json()["assignee"] == {"id": agent.pk, "name": agent.email}
    handed_back = _call(client, "patch", path, tenant_a, agent_secret, {"assignee": None})
    assert handed_back.status_code == 200, handed_back.content

    with tenant_context(tenant_a):
        customer = User.objects.create_user(username="c2", email="c2@example.com")
    not_staff = _call(client, "patch", path, tenant_a, admin_secret, {"assignee": customer.pk})
    assert not_staff.json()["error"]["fields"] == {"assignee": ["No such id."]}


def test_list_filters_and_pages(client, tenant_a, token_for):
    agent, secret = token_for(tenant_a)
    _admin, admin_secret = token_for(tenant_a, User.Role.ADMIN)
    mine = _ticket(tenant_a, "VPN is down")
    _ticket(tenant_a, "Printer jam")
    resolved = _ticket(tenant_a, "Password reset", email="other@example.com")
    _call(client, "patch", f"/api/v1/tickets/{mine.pk}", tenant_a, admin_secret,
          {"assignee": agent.pk})  # fmt: skip
    _call(client, "patch", f"/api/v1/tickets/{resolved.pk}", tenant_a, secret,
          {"status": "resolved"})  # fmt: skip

    def subjects(query):
        response = _call(client, "get", f"/api/v1/tickets{query}", tenant_a, secret)
        assert response.status_code == 200, response.content
        return [t["subject"] for t in response.json()["results"]]

    assert subjects("") == ["Password reset", "Printer jam", "VPN is down"]
    assert subjects("?assignee=me") == ["VPN is down"]
    assert subjects("?assignee=none&status=new") == ["Printer jam"]
    assert subjects("?status=resolved,closed") == ["Password reset"]
    assert subjects("?q=printer") == ["Printer jam"]
    assert subjects(f"?q=%23{mine.pk}") == ["VPN is down"]
    assert subjects("?requester=OTHER@example.com") == ["Password reset"]

    first = _call(client, "get", "/api/v1/tickets?limit=2", tenant_a, secret).json()
    assert (first["count"], len(first["results"])) == (3, 2)
    second = _call(client, "get", first["next"], tenant_a, secret).json()
    assert [t["subject"] for t in second["results"]] == ["VPN is down"]
    assert second["next"] is None

    bad = _call(client, "get", "/api/v1/tickets?status=later&assignee=bob", tenant_a, secret)
    assert bad.status_code == 400
    assert set(bad.json()["error"]["fields"]) == {"status", "assignee"}


def test_listing_costs_the_same_queries_for_more_tickets(client, tenant_a, token_for):
    _agent, secret = token_for(tenant_a)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = _call(client, "get", "/api/v1/tickets", tenant_a, secret)
        assert response.status_code == 200
        return len(captured)

    _ticket(tenant_a, "One")
    queries()  # warm the per-workspace caches (time zone) first
    few = queries()
    for n in range(5):
        _ticket(tenant_a, f"More {n}", email=f"more{n}@example.com")
    assert queries() == few


def test_wrong_method_gets_405(client, tenant_a, token_for):
    _agent, secret = token_for(tenant_a)
    response = _call(client, "delete", "/api/v1/tickets", tenant_a, secret)
    assert response.status_code == 405
    assert response["Allow"] == "GET, POST"


def test_openapi_describes_the_ticket_api(client, tenant_a):
    response = client.get("/api/v1/openapi.json", HTTP_HOST=host(tenant_a))
    spec = json.loads(response.content)
    assert spec["openapi"] == "3.1.0"
    assert {"/api/v1/tickets", "/api/v1/tickets/{ticket_id}",
            "/api/v1/tickets/{ticket_id}/reply", "/api/v1/articles",
            "/api/v1/search"} <= set(spec["paths"])  # fmt: skip
    tickets = spec["paths"]["/api/v1/tickets"]
    assert {"get", "post"} <= set(tickets)
    assert tickets["post"]["security"] == [{"token": []}]
    assert set(spec["paths"]["/api/v1/tickets/{ticket_id}"]) >= {"get", "patch", "parameters"}
    assert spec["components"]["securitySchemes"]["token"]["scheme"] == "bearer"
    schemas = spec["components"]["schemas"]
    assert {"Ticket", "TicketCreate", "TicketUpdate", "TicketReply", "ApiError"} <= set(schemas)
    assert set(schemas["Ticket"]["properties"]) >= {"number", "requester", "sla", "url"}

    def walk(node):
        if isinstance(node, dict):
            yield node
            for value in node.values():
                yield from walk(value)
        elif isinstance(node, list):
            for value in node:
                yield from walk(value)

    refs = {n["$ref"] for n in walk(spec) if "$ref" in n}
    assert refs, "the document uses references"
    for target in refs:
        assert target.removeprefix("#/components/schemas/") in schemas, target
    for path_item in spec["paths"].values():
        for operation in (v for k, v in path_item.items() if k != "parameters"):
            assert all("description" in r for r in operation["responses"].values())


def test_the_history_records_which_staff_member_opened_a_ticket_by_api(client, tenant_a, make_user):
    from kefu.accounts.services import api_token_create
    from kefu.tickets.models import TicketEvent

    agent = make_user(tenant_a, "agent")
    with tenant_context(tenant_a):
        _token, secret = api_token_create(user=agent, name="crm")
    response = client.post(
        "/api/v1/tickets",
        data={"subject": "Phone call: refund", "description": "Called about a refund.",
              "requester": {"email": "caller@example.com", "name": "Caller"}},
        content_type="application/json",
        HTTP_HOST=host(tenant_a),
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    )  # fmt: skip
    assert response.status_code == 201
    with tenant_context(tenant_a):
        created = TicketEvent.objects.get(ticket_id=response.json()["id"], kind="created")
        assert created.actor == agent
        first = created.ticket.messages.get()
        assert first.author is None  # the customer's words, not the agent's
        assert first.author_contact.email == "caller@example.com"


def test_over_long_text_gets_a_400_naming_the_field(client, tenant_a, token_for):
    from kefu.core import limits

    _agent, secret = token_for(tenant_a)
    created = _call(client, "post", "/api/v1/tickets", tenant_a, secret, {
        "subject": "Long story", "description": "d" * (limits.DESCRIPTION + 1),
        "requester": {"email": "a@example.com"},
    })  # fmt: skip
    assert created.status_code == 400
    assert created.json()["error"]["fields"]["description"] == [
        f"At most {limits.DESCRIPTION} characters (you wrote {limits.DESCRIPTION + 1})."
    ]
    ticket = _ticket(tenant_a)
    reply = _call(client, "post", f"/api/v1/tickets/{ticket.pk}/reply", tenant_a, secret,
                  {"body": "b" * (limits.MESSAGE + 1)})  # fmt: skip
    assert reply.status_code == 400
    assert f"(you wrote {limits.MESSAGE + 1})" in reply.json()["error"]["fields"]["body"][0]
