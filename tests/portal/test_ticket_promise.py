"""What the customer is told they are waiting for, on the ticket page and in the mails: the
first-response target before the first public reply, then the resolution target, their own reply
while pending, and plainly solved or closed."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from kefu.contacts.services import contact_for_user
from kefu.tenancy import tenant_context
from kefu.tickets import notifications
from kefu.tickets.models import Ticket
from kefu.tickets.services.changes import ticket_status_set
from kefu.tickets.services.thread import ticket_reply
from tests.api.ticket_urls import ticket_links  # noqa: F401 - fixture
from tests.conftest import host
from tests.tickets.conftest import make_ticket  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db

FIRST = "We will answer by"
RESOLVE = "We aim to resolve this by"


@pytest.fixture
def alice(tenant_a, make_user):
    return make_user(tenant_a, "customer", email="alice@alpha.example", first_name="Alice")


@pytest.fixture
def agent(tenant_a, make_user):
    return make_user(tenant_a, "agent", email="mei@alpha.example", first_name="Mei")


@pytest.fixture
def ticket(tenant_a, alice, make_ticket):  # noqa: F811
    with tenant_context(tenant_a):
        requester = contact_for_user(user=alice)
    ticket = make_ticket(tenant_a, "Tea arrived broken", requester=requester, actor=alice)
    now = timezone.now()
    with tenant_context(tenant_a):
        Ticket.objects.filter(pk=ticket.pk).update(
            first_response_due_at=now + datetime.timedelta(hours=2),
            resolution_due_at=now + datetime.timedelta(days=3),
        )
        ticket.refresh_from_db()
    return ticket


def _notice(client, tenant, ticket, language: str = "en") -> str:
    page = client.get(
        f"/tickets/{ticket.pk}/", HTTP_HOST=host(tenant), HTTP_ACCEPT_LANGUAGE=language
    ).content.decode()
    start = page.find('id="promised"')
    return page[start : page.find("</p>", start)] if start >= 0 else ""


def test_before_the_first_reply_the_page_promises_the_first_response(
    client, tenant_a, alice, ticket, login_as
):
    login_as(tenant_a, alice)
    assert FIRST in _notice(client, tenant_a, ticket)
    assert "我们会在" in _notice(client, tenant_a, ticket, "zh-hans")


def test_after_the_agent_replied_the_page_promises_the_resolution_not_an_answer(
    client, tenant_a, alice, agent, ticket, login_as
):
    with tenant_context(tenant_a):
        ticket_reply(ticket=ticket, author=agent, body="We are sending a new tin.")
        ticket.refresh_from_db()
        resolution = timezone.localtime(ticket.resolution_due_at).strftime("%Y")
    login_as(tenant_a, alice)
    notice = _notice(client, tenant_a, ticket)
    assert RESOLVE in notice
    assert FIRST not in notice
    assert resolution in notice
    assert "前解决" in _notice(client, tenant_a, ticket, "zh-hans")


@pytest.mark.parametrize(
    ("status", "english", "chinese"),
    [
        (Ticket.Status.PENDING, "We are waiting for your reply.", "我们正在等待您的回复。"),
        (Ticket.Status.RESOLVED, "This request is solved.", "此工单已解决。"),
        (Ticket.Status.CLOSED, "This request is closed.", "此工单已关闭。"),
    ],
)
def test_pending_solved_and_closed_say_so(
    client, tenant_a, alice, agent, ticket, login_as, status, english, chinese
):
    with tenant_context(tenant_a):
        ticket_reply(ticket=ticket, author=agent, body="Could you send a photo?")
        ticket_status_set(ticket=ticket, status=status, actor=agent)
    login_as(tenant_a, alice)
    notice = _notice(client, tenant_a, ticket)
    assert english in notice
    assert "by" not in notice.split(">", 1)[1], "no deadline once it is not ours to meet"
    assert chinese in _notice(client, tenant_a, ticket, "zh-hans")


@pytest.mark.usefixtures("ticket_links")
def test_the_reply_mail_promises_the_resolution_after_the_first_response(
    tenant_a, agent, ticket, mailoutbox
):
    with tenant_context(tenant_a):
        message = ticket_reply(ticket=ticket, author=agent, body="A new tin is on its way.")
        notifications.notify_customer_reply(message.pk)
    [mail] = mailoutbox
    assert RESOLVE in mail.body
    assert FIRST not in mail.body
    assert RESOLVE in mail.alternatives[0][0]


@pytest.mark.usefixtures("ticket_links")
def test_the_received_mail_promises_the_first_response(tenant_a, ticket, mailoutbox):
    with tenant_context(tenant_a):
        notifications.notify_ticket_received(ticket.pk)
    [mail] = mailoutbox
    assert FIRST in mail.body
    assert RESOLVE not in mail.body
