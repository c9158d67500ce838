"""The quarantine in the desk: staff see and handle it, customers get 403, admins alone discard,
and another workspace's host cannot reach these messages."""

from __future__ import annotations

import pytest

from kefu.accounts.models import User
from kefu.messaging.models import InboundEmail
from kefu.tenancy import tenant_context
from kefu.tickets.models import Ticket
from tests.conftest import host
from tests.desk.ticket_support import client_for, make_ticket_fixture  # noqa: F401
from tests.messaging.conftest import eml

pytestmark = pytest.mark.django_db

ENDPOINTS = [
    ("get", "/desk/email/", False),
    ("get", "/desk/email/quarantine/", False),
    ("get", "/desk/email/{id}/raw/", False),
    ("post", "/desk/email/{id}/retry/", False),
    ("post", "/desk/email/{id}/assign/", False),
    ("post", "/desk/email/{id}/discard/", True),
]


@pytest.fixture
def quarantined(tenant_a, deliver) -> InboundEmail:
    inbound = deliver(tenant_a, "no_from")
    assert inbound.status == InboundEmail.Status.QUARANTINED
    return inbound


def test_staff_see_the_quarantine_with_reason(tenant_a, make_user, quarantined):
    agent = client_for(tenant_a, make_user(tenant_a, User.Role.AGENT))
    page = agent.get("/desk/email/quarantine/").content.decode()
    assert "Who am I" in page
    assert "No sender address" in page
    assert f"/desk/email/{quarantined.pk}/retry/" in page
    assert "Discard" not in page  # agents cannot discard
    assert "Email quarantine" in agent.get("/desk/").content.decode()  # the nav link


def test_download_the_original_as_an_eml_attachment(tenant_a, make_user, quarantined):
    agent = client_for(tenant_a, make_user(tenant_a, User.Role.AGENT))
    response = agent.get(f"/desk/email/{quarantined.pk}/raw/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert b"".join(response.streaming_content) == eml("no_from")


def test_agent_assigns_a_quarantined_email_to_a_ticket_by_number(
    tenant_a, make_user, quarantined, make_ticket
):
    ticket = make_ticket(tenant_a)
    agent = client_for(tenant_a, make_user(tenant_a, User.Role.AGENT))
    response = agent.post(f"/desk/email/{quarantined.pk}/assign/", {"ticket": f"#{ticket.pk}"})
    assert response.status_code == 302
    assert response.url == f"/desk/tickets/{ticket.pk}/"
    with tenant_context(tenant_a):
        quarantined.refresh_from_db()
        assert quarantined.status == InboundEmail.Status.PROCESSED
        assert quarantined.ticket_id == ticket.pk
        assert ticket.messages.filter(body="This message has no sender.").exists()


def test_assign_to_a_missing_ticket_says_so(tenant_a, make_user, quarantined):
    agent = client_for(tenant_a, make_user(tenant_a, User.Role.AGENT))
    response = agent.post(
        f"/desk/email/{quarantined.pk}/assign/", {"ticket": "999999"}, follow=True
    )
    assert "There is no ticket #999999." in response.content.decode()
    with tenant_context(tenant_a):
        quarantined.refresh_from_db()
        assert quarantined.status == InboundEmail.Status.QUARANTINED


def test_retry_after_the_cause_is_fixed_processes_it(tenant_a, make_user, deliver, monkeypatch):
    from kefu.messaging import inbound as inbound_module

    def broken(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(inbound_module, "channel_receive", broken)
    inbound = deliver(tenant_a, "plain_utf8")
    assert inbound.status == InboundEmail.Status.QUARANTINED
    monkeypatch.undo()
    agent = client_for(tenant_a, make_user(tenant_a, User.Role.AGENT))
    response = agent.post(f"/desk/email/{inbound.pk}/retry/", follow=True)
    with tenant_context(tenant_a):
        inbound.refresh_from_db()
        assert inbound.status == InboundEmail.Status.PROCESSED
        assert Ticket.objects.filter(pk=inbound.ticket_id).exists()
    assert f"#{inbound.ticket_id}" in response.content.decode()


def test_only_admins_discard_and_the_original_is_kept(tenant_a, make_user, quarantined):
    agent = client_for(tenant_a, make_user(tenant_a, User.Role.AGENT))
    assert agent.post(f"/desk/email/{quarantined.pk}/discard/").status_code == 403
    admin = client_for(tenant_a, make_user(tenant_a, User.Role.ADMIN))
    assert admin.post(f"/desk/email/{quarantined.pk}/discard/").status_code == 302
    with tenant_context(tenant_a):
        quarantined.refresh_from_db()
        assert quarantined.status == InboundEmail.Status.DISCARDED
        assert quarantined.raw.read() == eml("no_from")
    assert "Who am I" not in admin.get("/desk/email/quarantine/").content.decode()


@pytest.mark.parametrize(("method", "path", "admin_only"), ENDPOINTS)
def test_customers_are_refused_and_anonymous_sent_to_sign_in(
    tenant_a, make_user, quarantined, client, method, path, admin_only
):
    url = path.format(id=quarantined.pk)
    customer = client_for(tenant_a, make_user(tenant_a, User.Role.CUSTOMER))
    assert getattr(customer, method)(url).status_code == 403
    response = getattr(client, method)(url, HTTP_HOST=host(tenant_a))
    assert response.status_code == 302
    assert "/accounts/login/" in response.url


@pytest.mark.parametrize(("method", "path", "admin_only"), ENDPOINTS)
def test_another_workspace_cannot_reach_these_messages(
    tenant_a, tenant_b, make_user, quarantined, method, path, admin_only
):
    beta_admin = client_for(tenant_b, make_user(tenant_b, User.Role.ADMIN))
    response = getattr(beta_admin, method)(path.format(id=quarantined.pk))
    if "{id}" in path:
        assert response.status_code == 404
    else:
        assert response.status_code == 200
        assert "Who am I" not in response.content.decode()
    with tenant_context(tenant_a):
        quarantined.refresh_from_db()
        assert quarantined.status == InboundEmail.Status.QUARANTINED
