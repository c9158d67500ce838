"""The channel interface every adapter uses: one contact per person across channels, the
visitor linked, a reply onto the ticket given, a new ticket otherwise."""

from __future__ import annotations

import pytest

from kefu.accounts.models import User
from kefu.contacts.models import ContactVisitor
from kefu.messaging.channels import channel_receive
from kefu.tenancy import tenant_context
from kefu.tickets.models import Ticket

pytestmark = pytest.mark.django_db


def test_email_then_chat_then_reply_land_on_one_contact_and_ticket(tenant_a):
    with tenant_context(tenant_a):
        first = channel_receive(
            channel="email",
            identity_kind="email",
            identity_value="Lee@Example.com",
            name="Lee",
            subject="Refund",
            body="Where is my refund?",
            message_id="m1@x",
            body_html="<p>Where is my refund?</p>",
            quoted_text="> earlier",
        )
        assert first.created
        assert first.ticket.channel == "email"
        assert first.message.email_message_id == "m1@x"
        assert first.message.quoted_text == "> earlier"
        reply = channel_receive(
            channel="email",
            identity_kind="email",
            identity_value="lee@example.com",
            subject="",
            body="Any news?",
            thread_ticket=first.ticket,
        )
        assert not reply.created
        assert reply.ticket == first.ticket
        assert reply.message.author_contact == first.ticket.requester
        chat = channel_receive(
            channel="chat",
            identity_kind="chat",
            identity_value="visitor-7",
            name="Lee",
            subject="Chat",
            body="Hello from chat",
        )
        again = channel_receive(
            channel="chat",
            identity_kind="chat",
            identity_value="visitor-7",
            subject="Chat again",
            body="Me again",
        )
        assert again.ticket.requester == chat.ticket.requester
        assert Ticket.objects.count() == 3


def test_help_center_account_and_visitor_are_linked(tenant_a, make_user):
    user = make_user(tenant_a, User.Role.CUSTOMER)
    with tenant_context(tenant_a):
        result = channel_receive(
            channel="web",
            identity_kind="account",
            identity_value=str(user.pk),
            subject="Login",
            body="I cannot log in",
            visitor_key="cookie-123",
        )
        contact = result.ticket.requester
        assert contact.user == user
        assert ContactVisitor.objects.filter(contact=contact, visitor_key="cookie-123").exists()


def test_help_center_form_goes_through_the_channel(tenant_a, client):
    from tests.conftest import host

    response = client.post(
        "/tickets/new/",
        {
            "subject": "Zzqx broken",
            "description": "Nothing matches this.",
            "email": "anon@example.com",
            "name": "Anon",
        },
        HTTP_HOST=host(tenant_a),
    )
    assert response.status_code == 302
    with tenant_context(tenant_a):
        ticket = Ticket.objects.get(subject="Zzqx broken")
        assert ticket.channel == "web"
        assert ticket.requester.email == "anon@example.com"
        assert ticket.requester.visitors.exists()  # the visitor cookie is on the contact
