"""Ticket mail: what the customer and the agents receive, in their language, exactly once.

The jobs are called synchronously (a tenant actor called directly runs in the current schema);
one test runs them on a real dramatiq worker.
"""

from __future__ import annotations

import datetime
import uuid

import dramatiq
import pytest
from django.core import mail
from django.utils import timezone

from kefu.accounts.models import User
from kefu.contacts.models import Contact
from kefu.tenancy import tenant_context
from kefu.tickets import notifications
from kefu.tickets.models import OutboundNotice, Ticket, TicketEvent
from kefu.tickets.services.changes import ticket_assign, ticket_follow, ticket_status_set
from kefu.tickets.services.thread import ticket_reply
from tests.api.ticket_urls import ticket_links  # noqa: F401 - fixture
from tests.helpers import run_worker_until_idle

pytestmark = pytest.mark.usefixtures("ticket_links")


def _html(message) -> str:
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    return html


def _last_event(ticket, kind) -> TicketEvent:
    return ticket.events.filter(kind=kind).latest("id")


def test_received_mail_tells_the_number_the_promise_and_the_private_link(
    make_ticket, tenant_a, mailoutbox
):
    ticket = make_ticket(tenant_a, "Printer is on fire", requester_email="casey@example.com")
    due = timezone.now() + datetime.timedelta(hours=4)
    with tenant_context(tenant_a):
        Ticket.objects.filter(pk=ticket.pk).update(first_response_due_at=due)
        notifications.notify_ticket_received(ticket.pk)

    [message] = mailoutbox
    assert message.to == ["casey@example.com"]
    assert message.subject == (
        f"[#{ticket.number}] We received your request #{ticket.number}: Printer is on fire"
    )
    assert message.from_email.startswith("Alpha Ltd <")
    assert message.extra_headers["X-Kefu-Ticket"] == str(ticket.number)
    assert "Hello Casey," in message.body
    assert "We will answer by" in message.body
    assert "http://alpha.localhost" in message.body
    assert f"/tickets/{ticket.pk}/?t=" in message.body
    html = _html(message)
    assert 'lang="en"' in html
    assert "Printer is on fire" in html


def test_a_chinese_customer_gets_the_mail_in_chinese(make_ticket, tenant_a, make_user, mailoutbox):
    agent = make_user(tenant_a, User.Role.AGENT)
    ticket = make_ticket(tenant_a, "打印机坏了", requester_email="wang@example.com")
    with tenant_context(tenant_a):
        Contact.objects.filter(pk=ticket.requester_id).update(language="zh-hans")
        Ticket.objects.filter(pk=ticket.pk).update(
            resolution_due_at=timezone.now() + datetime.timedelta(days=1)
        )
        ticket.refresh_from_db()
        ticket_status_set(ticket=ticket, status=Ticket.Status.OPEN, actor=agent)
        notifications.notify_status_changed(_last_event(ticket, TicketEvent.Kind.STATUS).pk)

    [message] = mailoutbox
    assert "处理中" in message.body  # the status "Open", translated
    assert "年" in message.body  # the promised date in the Chinese format
    assert 'lang="zh-hans"' in _html(message)


def test_running_a_job_twice_sends_one_mail(make_ticket, tenant_a, mailoutbox):
    ticket = make_ticket(tenant_a)
    with tenant_context(tenant_a):
        notifications.notify_ticket_received(ticket.pk)
        notifications.notify_ticket_received(ticket.pk)
        assert OutboundNotice.objects.filter(ticket=ticket).count() == 1
    assert len(mailoutbox) == 1


def test_a_failed_send_is_sent_by_the_retry(make_ticket, tenant_a, mailoutbox, monkeypatch):
    ticket = make_ticket(tenant_a)
    real_send = mail.EmailMultiAlternatives.send

    def broken(self, fail_silently=False):
        raise ConnectionRefusedError("smtp down")

    with tenant_context(tenant_a):
        monkeypatch.setattr(mail.EmailMultiAlternatives, "send", broken)
        with pytest.raises(ConnectionRefusedError):
            notifications.notify_ticket_received(ticket.pk)
        assert not OutboundNotice.objects.filter(ticket=ticket).exists()
        monkeypatch.setattr(mail.EmailMultiAlternatives, "send", real_send)
        notifications.notify_ticket_received(ticket.pk)
    assert len(mailoutbox) == 1


def test_no_mail_without_an_address_or_for_a_missing_ticket(tenant_a, mailoutbox):
    from kefu.tickets.services.creation import ticket_create

    with tenant_context(tenant_a):
        anonymous = Contact.objects.create(name="Walk-in")
        ticket = ticket_create(subject="Hi", description="", requester=anonymous)
        notifications.notify_ticket_received(ticket.pk)
        notifications.notify_ticket_received(987654)
    assert mailoutbox == []


def test_agent_reply_is_mailed_to_the_requester_as_a_reply(
    make_ticket, tenant_a, make_user, mailoutbox
):
    agent = make_user(tenant_a, User.Role.AGENT, first_name="Ada", last_name="Li")
    ticket = make_ticket(tenant_a, "Cannot log in", requester_email="casey@example.com")
    with tenant_context(tenant_a):
        reply = ticket_reply(ticket=ticket, author=agent, body="Try resetting your password.")
        notifications.notify_customer_reply(reply.pk)
        notifications.notify_customer_reply(reply.pk)

    [message] = mailoutbox
    assert message.subject == f"Re: [#{ticket.number}] Cannot log in"
    assert message.to == ["casey@example.com"]
    assert "Try resetting your password." in message.body
    assert "Ada Li, Alpha Ltd" in message.body
    assert f"/tickets/{ticket.pk}/?t=" in message.body
    assert "Try resetting your password." in _html(message)


def test_internal_notes_never_reach_customers(make_ticket, tenant_a, make_user, mailoutbox):
    agent = make_user(tenant_a, User.Role.AGENT)
    colleague = make_user(tenant_a, User.Role.AGENT)
    watcher = make_user(tenant_a, User.Role.CUSTOMER)
    ticket = make_ticket(tenant_a, "Refund", requester_email="casey@example.com", is_public=True)
    with tenant_context(tenant_a):
        ticket_follow(ticket=ticket, user=colleague)
        ticket_follow(ticket=ticket, user=watcher)
        note = ticket_reply(
            ticket=ticket, author=agent, body="They were rude, careful", internal=True
        )
        notifications.notify_customer_reply(note.pk)
        notifications.notify_followers(_last_event(ticket, TicketEvent.Kind.NOTE).pk)

    [message] = mailoutbox
    assert message.to == [colleague.email]
    assert "They were rude, careful" in message.body
    assert all("rude" not in m.body for m in mailoutbox if m.to != [colleague.email])


def test_reply_and_resolve_is_one_mail_with_the_survey(
    make_ticket, tenant_a, make_user, mailoutbox
):
    agent = make_user(tenant_a, User.Role.AGENT)
    ticket = make_ticket(tenant_a, "Broken zip", requester_email="casey@example.com")
    with tenant_context(tenant_a):
        reply = ticket_reply(ticket=ticket, author=agent, body="Fixed.", new_status="resolved")
        notifications.notify_customer_reply(reply.pk)
        notifications.notify_status_changed(_last_event(ticket, TicketEvent.Kind.STATUS).pk)

    [message] = mailoutbox
    assert message.subject.startswith("Re: ")
    for score in range(1, 6):
        assert f"/tickets/{ticket.pk}/rate/?t=" in message.body
        assert f"&score={score}" in message.body
    assert "We consider your request resolved" in message.body


def test_resolving_sends_the_satisfaction_survey(make_ticket, tenant_a, make_user, mailoutbox):
    agent = make_user(tenant_a, User.Role.AGENT)
    ticket = make_ticket(tenant_a, "Slow site", requester_email="casey@example.com")
    with tenant_context(tenant_a):
        ticket_status_set(ticket=ticket, status=Ticket.Status.RESOLVED, actor=agent)
        notifications.notify_status_changed(_last_event(ticket, TicketEvent.Kind.STATUS).pk)

    [message] = mailoutbox
    assert message.subject == f"[#{ticket.number}] Your request was resolved: Slow site"
    links = [line for line in message.body.splitlines() if "/rate/?t=" in line]
    assert [line.split("score=")[1] for line in links] == ["1", "2", "3", "4", "5"]
    assert _html(message).count("/rate/?t=") == 5


def test_assigned_agent_gets_the_desk_link_unless_it_moved_on(
    make_ticket, tenant_a, make_user, mailoutbox
):
    admin = make_user(tenant_a, User.Role.ADMIN)
    first = make_user(tenant_a, User.Role.AGENT)
    second = make_user(tenant_a, User.Role.AGENT)
    ticket = make_ticket(tenant_a, "VPN down")
    with tenant_context(tenant_a):
        User.objects.filter(pk=first.pk).update(language="zh-hans")
        ticket_assign(ticket=ticket, assignee=first, actor=admin)
        notifications.notify_assigned(ticket.pk, first.pk)
        notifications.notify_assigned(ticket.pk, first.pk)
        ticket_assign(ticket=ticket, assignee=second, actor=admin)
        notifications.notify_assigned(ticket.pk, first.pk)  # late job for the old assignee

    [message] = mailoutbox
    assert message.to == [first.email]
    assert f"/desk/tickets/{ticket.pk}/" in message.body
    assert "?t=" not in message.body
    assert 'lang="zh-hans"' in _html(message)


def test_followers_and_assignee_hear_of_changes_but_not_their_own(
    make_ticket, tenant_a, make_user, mailoutbox
):
    admin = make_user(tenant_a, User.Role.ADMIN)
    assignee = make_user(tenant_a, User.Role.AGENT)
    follower = make_user(tenant_a, User.Role.AGENT)
    ticket = make_ticket(tenant_a, "Invoices")
    with tenant_context(tenant_a):
        ticket_assign(ticket=ticket, assignee=assignee, actor=admin)
        ticket_follow(ticket=ticket, user=follower)
        ticket_follow(ticket=ticket, user=admin)
        ticket_status_set(ticket=ticket, status=Ticket.Status.ON_HOLD, actor=admin)
        notifications.notify_followers(_last_event(ticket, TicketEvent.Kind.STATUS).pk)

    assert sorted(m.to[0] for m in mailoutbox) == sorted([assignee.email, follower.email])
    assert all("changed the status from New to On hold" in m.body for m in mailoutbox)
    assert all(f"/desk/tickets/{ticket.pk}/" in m.body for m in mailoutbox)


def test_customer_followers_of_a_public_ticket_get_public_replies_without_the_private_link(
    make_ticket, tenant_a, make_user, mailoutbox
):
    agent = make_user(tenant_a, User.Role.AGENT)
    watcher = make_user(tenant_a, User.Role.CUSTOMER)
    public = make_ticket(tenant_a, "Outage", requester_email="casey@example.com", is_public=True)
    private = make_ticket(tenant_a, "My bill", requester_email="casey@example.com")
    with tenant_context(tenant_a):
        for ticket in (public, private):
            ticket_follow(ticket=ticket, user=watcher)
            ticket_reply(ticket=ticket, author=agent, body="We are on it.")
            notifications.notify_followers(_last_event(ticket, TicketEvent.Kind.REPLIED).pk)

    [message] = mailoutbox
    assert message.to == [watcher.email]
    assert message.subject == f"Re: [#{public.number}] Outage"
    assert "We are on it." in message.body
    assert f"/tickets/{public.pk}/" in message.body
    assert "?t=" not in message.body  # the signed link is the requester's alone


def test_a_customer_reply_by_link_reopens_with_one_mail_to_the_assignee(
    make_ticket, tenant_a, make_user, mailoutbox
):
    admin = make_user(tenant_a, User.Role.ADMIN)
    assignee = make_user(tenant_a, User.Role.AGENT)
    ticket = make_ticket(tenant_a, "Still broken", requester_email="casey@example.com")
    with tenant_context(tenant_a):
        ticket_assign(ticket=ticket, assignee=assignee, actor=admin)
        ticket_status_set(ticket=ticket, status=Ticket.Status.RESOLVED, actor=assignee)
        ticket_reply(ticket=ticket, author=None, author_contact=ticket.requester, body="No!")
        ticket.refresh_from_db()
        assert ticket.status == Ticket.Status.OPEN
        reopened = _last_event(ticket, TicketEvent.Kind.STATUS)
        notifications.notify_status_changed(reopened.pk)
        notifications.notify_followers(reopened.pk)
        notifications.notify_followers(_last_event(ticket, TicketEvent.Kind.REPLIED).pk)

    [message] = mailoutbox
    assert message.to == [assignee.email]
    assert "Casey replied:" in message.body
    assert "No!" in message.body


@pytest.fixture
def committed_ticket(django_db_blocker):
    """A ticket and an agent the worker's own connection can see (committed, no test
    transaction around them); removed afterwards."""
    from kefu.contacts.services import contact_for_email
    from kefu.tickets.services.creation import ticket_create
    from tenants.models import Tenant

    marker = uuid.uuid4().hex[:8]
    dramatiq.get_broker().flush("mail")
    with django_db_blocker.unblock():
        tenant = Tenant.objects.get(slug="alpha")
        with tenant_context(tenant):
            agent = User.objects.create_user(
                username=f"agent-{marker}", email=f"agent-{marker}@alpha.example", role="agent"
            )
            requester = contact_for_email(email=f"casey-{marker}@example.com", name="Casey")
            ticket = ticket_create(subject=f"Worker {marker}", description="", requester=requester)
        yield tenant, ticket, agent
        with tenant_context(tenant):
            Ticket.objects.filter(pk=ticket.pk).delete()
            Contact.objects.filter(pk=requester.pk).delete()
            User.objects.filter(pk=agent.pk).delete()


@pytest.mark.slow
def test_a_reply_reaches_the_customer_through_the_real_worker(committed_ticket, mailoutbox):
    tenant, ticket, agent = committed_ticket
    with tenant_context(tenant):
        # Committed for real, so the jobs are sent after commit, as in production.
        ticket_reply(ticket=ticket, author=agent, body="Sent by the worker.")

    run_worker_until_idle("mail", threads=2, timeout_ms=60_000)

    with tenant_context(tenant):
        customer_email = ticket.requester.email
    to_customer = [m for m in mailoutbox if m.to == [customer_email]]
    subjects = sorted(m.subject for m in to_customer)
    assert subjects == [
        f"Re: [#{ticket.number}] {ticket.subject}",
        f"[#{ticket.number}] We received your request #{ticket.number}: {ticket.subject}",
    ]
    assert "Sent by the worker." in to_customer[0].body + to_customer[1].body
