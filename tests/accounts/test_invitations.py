"""Admins invite teammates by email; the link sets a password and opens the desk."""

from __future__ import annotations

import re

import pytest
from django.core import mail

from kefu.accounts.jobs import invitation_send_job
from kefu.accounts.models import Invitation, User
from kefu.tenancy import tenant_context
from kefu.tickets.models import Ticket
from tests.conftest import PASSWORD, host

pytestmark = pytest.mark.django_db


def _invite(client, tenant, email="new.agent@alpha.example", role="agent"):
    return client.post("/desk/team/", {"email": email, "role": role}, HTTP_HOST=host(tenant))


def _deliver(tenant, invitation: Invitation) -> str:
    """What the worker does after commit; returns the link in the mail."""
    with tenant_context(tenant):
        invitation_send_job(invitation.pk, invitation.nonce)
    message = mail.outbox[-1]
    return re.search(r"http://\S+/invitations/\S+/", message.body).group(0)


def test_admin_invites_an_agent_who_sets_a_password_and_lands_in_the_desk(
    client, tenant_a, make_user, login_as, django_capture_on_commit_callbacks
):
    login_as(tenant_a, make_user(tenant_a, User.Role.ADMIN, first_name="Ada"))
    with django_capture_on_commit_callbacks() as callbacks:
        response = _invite(client, tenant_a)
    assert response.status_code == 302
    assert len(callbacks) == 1, "the mail is sent by a job after commit"
    with tenant_context(tenant_a):
        invitation = Invitation.objects.get(email="new.agent@alpha.example")
    link = _deliver(tenant_a, invitation)
    assert mail.outbox[-1].to == ["new.agent@alpha.example"]
    assert "Alpha Ltd" in mail.outbox[-1].subject
    assert link.startswith("http://alpha.localhost/invitations/")

    client.post("/accounts/logout/", HTTP_HOST=host(tenant_a))
    path = link.removeprefix("http://alpha.localhost")
    page = client.get(path, HTTP_HOST=host(tenant_a))
    assert "new.agent@alpha.example" in page.content.decode()
    accepted = client.post(
        path,
        {"full_name": "New Agent", "password1": PASSWORD, "password2": PASSWORD},
        HTTP_HOST=host(tenant_a),
    )
    assert accepted.status_code == 302
    assert accepted["Location"] == "/desk/"
    assert client.get("/desk/", HTTP_HOST=host(tenant_a)).status_code == 200
    with tenant_context(tenant_a):
        agent = User.objects.get(email="new.agent@alpha.example")
        assert agent.role == User.Role.AGENT
        assert agent.emailaddress_set.get().verified


def test_invitation_link_works_once(client, tenant_a, make_user, login_as):
    admin = make_user(tenant_a, User.Role.ADMIN)
    login_as(tenant_a, admin)
    _invite(client, tenant_a)
    with tenant_context(tenant_a):
        invitation = Invitation.objects.get()
    path = _deliver(tenant_a, invitation).removeprefix("http://alpha.localhost")
    data = {"full_name": "N A", "password1": PASSWORD, "password2": PASSWORD}
    client.post(path, data, HTTP_HOST=host(tenant_a))
    again = client.get(path, HTTP_HOST=host(tenant_a))
    assert again.status_code == 404
    assert "cannot be used" in again.content.decode()


def test_invitation_link_does_not_work_on_another_tenant(
    client, tenant_a, tenant_b, make_user, login_as
):
    login_as(tenant_a, make_user(tenant_a, User.Role.ADMIN))
    _invite(client, tenant_a)
    with tenant_context(tenant_a):
        invitation = Invitation.objects.get()
    path = _deliver(tenant_a, invitation).removeprefix("http://alpha.localhost")
    assert client.get(path, HTTP_HOST=host(tenant_b)).status_code == 404


def test_revoked_invitation_is_not_sent_and_its_link_is_dead(client, tenant_a, make_user, login_as):
    login_as(tenant_a, make_user(tenant_a, User.Role.ADMIN))
    _invite(client, tenant_a)
    with tenant_context(tenant_a):
        invitation = Invitation.objects.get()
    client.post(f"/desk/team/invitations/{invitation.pk}/revoke/", HTTP_HOST=host(tenant_a))
    with tenant_context(tenant_a):
        invitation_send_job(invitation.pk, invitation.nonce)
    assert mail.outbox == []


def test_inviting_an_existing_member_is_refused(client, tenant_a, make_user, login_as):
    login_as(tenant_a, make_user(tenant_a, User.Role.ADMIN))
    existing = make_user(tenant_a, User.Role.AGENT)
    response = _invite(client, tenant_a, email=existing.email)
    assert response.status_code == 200
    assert "already in this workspace" in response.content.decode()


def test_agents_cannot_invite(client, tenant_a, make_user, login_as):
    login_as(tenant_a, make_user(tenant_a, User.Role.AGENT))
    assert _invite(client, tenant_a).status_code == 403
    with tenant_context(tenant_a):
        assert not Invitation.objects.exists()


def test_deactivating_an_agent_returns_their_tickets_to_the_queue_and_ends_sign_in(
    client, tenant_a, make_user, login_as
):
    admin = make_user(tenant_a, User.Role.ADMIN)
    agent = make_user(tenant_a, User.Role.AGENT)
    with tenant_context(tenant_a):
        open_ticket = Ticket.objects.create(subject="Open", assignee=agent, status="open")
        solved = Ticket.objects.create(subject="Done", assignee=agent, status="resolved")
    login_as(tenant_a, admin)
    response = client.post(
        f"/desk/team/{agent.pk}/deactivate/", HTTP_HOST=host(tenant_a), follow=True
    )
    assert "1 open tickets went back to the queue" in response.content.decode()
    with tenant_context(tenant_a):
        open_ticket.refresh_from_db()
        solved.refresh_from_db()
        assert open_ticket.assignee is None
        assert solved.assignee == agent, "history of solved tickets is kept"

    client.post("/accounts/logout/", HTTP_HOST=host(tenant_a))
    login = client.post(
        "/accounts/login/", {"login": agent.email, "password": PASSWORD}, HTTP_HOST=host(tenant_a)
    )
    assert client.get("/desk/", HTTP_HOST=host(tenant_a)).status_code == 302
    assert login["Location"] == "/accounts/inactive/", "told the account is inactive"


def test_an_open_session_stops_working_when_the_agent_is_deactivated(
    client, tenant_a, make_user, login_as
):
    agent = make_user(tenant_a, User.Role.AGENT)
    login_as(tenant_a, agent)
    assert client.get("/desk/", HTTP_HOST=host(tenant_a)).status_code == 200
    with tenant_context(tenant_a):
        User.objects.filter(pk=agent.pk).update(is_active=False)
    assert client.get("/desk/", HTTP_HOST=host(tenant_a)).status_code == 302


def test_the_owner_cannot_be_deactivated(client, tenant_a, make_user, login_as):
    owner = make_user(tenant_a, User.Role.OWNER)
    login_as(tenant_a, make_user(tenant_a, User.Role.ADMIN))
    response = client.post(
        f"/desk/team/{owner.pk}/deactivate/", HTTP_HOST=host(tenant_a), follow=True
    )
    assert "owner cannot be deactivated" in response.content.decode()
    with tenant_context(tenant_a):
        owner.refresh_from_db()
    assert owner.is_active
