"""Registering on the help center with somebody else's address shows none of their tickets;
verifying the address (the real link from the mail) joins the account to its history.

The attack (issue 14): a customer once wrote by email; anybody registers with that address,
is signed in unverified, and opened "My requests".
"""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client

from kefu.accounts.models import User
from kefu.accounts.services import invitation_accept, invitation_create
from kefu.contacts.models import Contact
from kefu.contacts.services import contact_for_user
from kefu.messaging.channels import channel_receive
from kefu.tenancy import tenant_context
from kefu.tickets.notifications import requester_recipient
from tests.conftest import PASSWORD, host

pytestmark = pytest.mark.django_db

VICTIM = "lin.private@example.com"
PRIVATE_SUBJECT = "Refund for order 4471 to my card ending 0042"


@pytest.fixture
def mailed_ticket(tenant_a):
    """A ticket the owner of VICTIM opened by writing an email (no account)."""
    with tenant_context(tenant_a):
        return channel_receive(
            channel="email",
            identity_kind="email",
            identity_value=VICTIM,
            name="Lin",
            subject=PRIVATE_SUBJECT,
            body="Please refund order 4471. My address is 12 Garden Road.",
        ).ticket


def _register(tenant, email: str = VICTIM) -> Client:
    browser = Client(HTTP_HOST=host(tenant))
    response = browser.post(
        "/accounts/signup/", {"email": email, "password1": PASSWORD, "password2": PASSWORD}
    )
    assert response.status_code == 302, response.content.decode()[:500]
    # A page that sets the visitor cookie: the cookie is linked to the account's contact.
    assert "kefu_visitor" in browser.get("/search/", {"q": "refund"}).cookies
    return browser


def _confirmation_path(tenant, email: str) -> str:
    messages = [m for m in mail.outbox if m.to == [email] and "/confirm-email/" in m.body]
    assert messages, [m.subject for m in mail.outbox]
    match = re.search(
        rf"http://{tenant.slug}\.localhost(/accounts/confirm-email/\S+/)", messages[-1].body
    )
    assert match, messages[-1].body
    return match.group(1)


def test_registering_with_a_customers_address_shows_none_of_their_tickets(tenant_a, mailed_ticket):
    attacker = _register(tenant_a)
    mine = attacker.get("/tickets/?tab=mine")
    assert mine.status_code == 200
    page = mine.content.decode()
    assert PRIVATE_SUBJECT not in page
    assert "If you wrote to us before from this address, verify it" in page
    chinese = attacker.get("/tickets/?tab=mine", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "如果您以前用这个地址给我们写过信" in chinese
    assert attacker.get(f"/tickets/{mailed_ticket.pk}/").status_code == 404
    reply = attacker.post(f"/tickets/{mailed_ticket.pk}/reply/", {"body": "Send it elsewhere"})
    assert reply.status_code == 404
    search = attacker.get("/tickets/", {"q": "4471"}).content.decode()
    assert PRIVATE_SUBJECT not in search
    with tenant_context(tenant_a):
        assert mailed_ticket.messages.count() == 1


def test_the_address_owner_sees_their_old_tickets_after_following_the_mailed_link(
    tenant_a, mailed_ticket
):
    owner = _register(tenant_a)
    assert PRIVATE_SUBJECT not in owner.get("/tickets/?tab=mine").content.decode()
    confirmed = owner.post(_confirmation_path(tenant_a, VICTIM))
    assert confirmed.status_code == 302
    page = owner.get("/tickets/?tab=mine").content.decode()
    assert PRIVATE_SUBJECT in page
    assert "verify it to see those requests" not in page
    ticket_page = owner.get(f"/tickets/{mailed_ticket.pk}/")
    assert ticket_page.status_code == 200
    assert "Please refund order 4471" in ticket_page.content.decode()
    assert f'action="/tickets/{mailed_ticket.pk}/reply/"' in ticket_page.content.decode()


def test_the_notice_button_resends_the_link_and_a_request_sent_before_moves_along(
    tenant_a, mailed_ticket
):
    owner = _register(tenant_a)
    owner.post(
        "/tickets/new/",
        {"subject": "Where is my refund?", "description": "Asked by mail a week ago, no news."},
    )
    before = owner.get("/tickets/?tab=mine").content.decode()
    assert "Where is my refund?" in before
    assert PRIVATE_SUBJECT not in before
    mail.outbox.clear()
    sent = owner.post("/tickets/verify-email/", follow=True)
    assert sent.status_code == 200
    assert f"We sent a verification link to {VICTIM}" in sent.content.decode()
    owner.post(_confirmation_path(tenant_a, VICTIM))
    page = owner.get("/tickets/?tab=mine").content.decode()
    assert PRIVATE_SUBJECT in page
    assert "Where is my refund?" in page
    with tenant_context(tenant_a):
        contact = Contact.objects.get(email=VICTIM)
        assert contact.user.email == VICTIM
        assert set(contact.tickets.values_list("subject", flat=True)) >= {
            PRIVATE_SUBJECT,
            "Where is my refund?",
        }


def test_the_desk_shows_an_unverified_claim_as_such(tenant_a, mailed_ticket, make_user):
    claimant = _register(tenant_a)
    claimant.post(
        "/tickets/new/",
        {"subject": "Change the refund card", "description": "Send it to card 9999 instead."},
    )
    agent = make_user(tenant_a, User.Role.AGENT)
    desk = Client(HTTP_HOST=host(tenant_a))
    with tenant_context(tenant_a):
        desk.force_login(agent, backend="django.contrib.auth.backends.ModelBackend")
        claimed = Contact.objects.get(claimed_email=VICTIM)
        new_ticket = claimed.tickets.get()
        assert mailed_ticket.requester_id != claimed.pk
        # Mails about the claimant's own request still go to the address they gave.
        assert requester_recipient(new_ticket).email == VICTIM
    ticket_page = desk.get(f"/desk/tickets/{new_ticket.pk}/").content.decode()
    assert f"claims {VICTIM} — email not verified" in ticket_page
    contact_page = desk.get(f"/desk/contacts/{claimed.pk}/").content.decode()
    assert f"claims {VICTIM} — email not verified" in contact_page
    own_page = desk.get(f"/desk/contacts/{mailed_ticket.requester_id}/").content.decode()
    assert "Change the refund card" not in own_page
    listed = desk.get("/desk/contacts/", {"q": VICTIM}).content.decode()
    assert "email not verified" in listed


def test_only_a_verified_address_joins_the_account_to_that_address_contact(
    tenant_a, mailed_ticket, make_user
):
    admin = make_user(tenant_a, User.Role.ADMIN)
    stranger = make_user(tenant_a, User.Role.CUSTOMER, email="stranger@example.com")
    with tenant_context(tenant_a):
        # Accepting an invitation proves the address: the link came to it.
        invitation = invitation_create(email=VICTIM, role="customer", invited_by=admin)
        invited = invitation_accept(invitation=invitation, password=PASSWORD)
        assert contact_for_user(user=invited).pk == mailed_ticket.requester_id
        channel_receive(
            channel="email",
            identity_kind="email",
            identity_value="stranger@example.com",
            subject="Mine by mail",
            body="Hello",
        )
        own = contact_for_user(user=stranger)
        assert own.tickets.count() == 0
        assert own.claimed_email == "stranger@example.com"
