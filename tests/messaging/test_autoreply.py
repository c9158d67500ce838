"""The automatic reply to a new email ticket: what the customer reads (number, promise in the
workspace's time zone, their language, suggested articles with "This solved it"), when it is
not sent, and the page behind "This solved it"."""

from __future__ import annotations

import datetime
import email
import email.policy
import re
import uuid

import pytest
from django.utils import timezone

from kefu.contacts.models import Contact
from kefu.contacts.services import contact_for_email
from kefu.desk.models import WorkspaceSettings
from kefu.messaging import autoreply
from kefu.messaging.models import AutoReplyLog, EmailThreadId, InboundEmail
from kefu.search.models import SearchLog
from kefu.tenancy import tenant_context
from kefu.tickets.models import BusinessCalendar, DeflectionEvent, Ticket
from kefu.tickets.services.creation import ticket_create
from tests.api.ticket_urls import ticket_links  # noqa: F401 - fixture
from tests.conftest import host

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("ticket_links", "jobs_inline")]


@pytest.fixture
def jobs_inline(monkeypatch) -> None:
    """Run the auto-reply job at once in the current schema (tests never commit)."""
    monkeypatch.setattr(autoreply, "enqueue_on_commit", lambda actor, *args: actor(*args))


@pytest.fixture
def email_ticket(tenant_a):
    """``email_ticket(subject, body, sender=..., **inbound)``: what inbound processing leaves
    behind for a new mail: the stored InboundEmail, its ticket and its Message-ID; then the
    auto-reply is asked for, as processing does."""

    def make(subject="Printer is on fire", body="It smokes.", *, sender="casey@example.com",
             language="", ask=True, **inbound_fields):  # fmt: skip
        with tenant_context(tenant_a):
            contact = contact_for_email(email=sender, name="Casey", language=language)
            ticket = ticket_create(
                subject=subject, description=body, requester=contact, channel="email"
            )
            message_id = f"{uuid.uuid4().hex}@mail.example.com"
            inbound = InboundEmail.objects.create(
                sha256=uuid.uuid4().hex, message_id=message_id, from_address=sender,
                subject=subject, status=InboundEmail.Status.PROCESSED, ticket=ticket,
                **inbound_fields,
            )  # fmt: skip
            EmailThreadId.objects.create(
                message_id=message_id, ticket=ticket, direction=EmailThreadId.Direction.RECEIVED
            )
            if ask:
                autoreply.auto_reply_maybe(inbound=inbound, ticket=ticket)
            return ticket, inbound

    return make


def _parsed(message) -> email.message.EmailMessage:
    return email.message_from_bytes(message.message().as_bytes(), policy=email.policy.default)


def test_the_acknowledgement_tells_number_promise_and_suggests_matching_articles(
    tenant_a, email_ticket, make_article, mailoutbox
):
    make_article(tenant_a, "Printer on fire: what to do", "Unplug the printer and step away.")
    make_article(tenant_a, "Resetting your password", "Use the forgot password link.")
    with tenant_context(tenant_a):
        BusinessCalendar.objects.update_or_create(defaults={"timezone": "Asia/Shanghai"})
        ticket, inbound = email_ticket(
            "Printer on fire", "My printer is on fire, what to do?", ask=False
        )
        due = datetime.datetime(2030, 5, 6, 2, 0, tzinfo=datetime.UTC)  # 10:00 in Shanghai
        Ticket.objects.filter(pk=ticket.pk).update(first_response_due_at=due)
        ticket.refresh_from_db()
        autoreply.auto_reply_maybe(inbound=inbound, ticket=ticket)

    [message] = mailoutbox
    headers = _parsed(message)
    assert message.to == ["casey@example.com"]
    assert headers["Subject"] == f"[#{ticket.number}] We received your request: Printer on fire"
    assert headers["Auto-Submitted"] == "auto-replied"
    assert headers["X-Auto-Response-Suppress"] == "All"
    assert headers["In-Reply-To"] == f"<{inbound.message_id}>"
    assert headers["Reply-To"] == f"support+t{ticket.number}@alpha.localhost"
    assert f"We received your request #{ticket.number}" in message.body
    assert "10 a.m." in message.body
    assert "Asia/Shanghai" in message.body
    assert "Printer on fire: what to do" in message.body
    assert "Resetting your password" not in message.body
    assert len(re.findall(r"/email/tickets/\d+/solved-by/\d+/\?t=", message.body)) == 1
    html = message.alternatives[0][0]
    assert "This solved it" in html
    assert "Printer on fire: what to do" in html
    with tenant_context(tenant_a):
        assert SearchLog.objects.filter(source=SearchLog.Source.EMAIL).count() == 1
        assert list(AutoReplyLog.objects.values_list("address", "ticket")) == [
            ("casey@example.com", ticket.pk)
        ]
        assert EmailThreadId.objects.filter(ticket=ticket, direction="sent").count() == 1


def test_a_chinese_customer_is_acknowledged_in_chinese(tenant_a, email_ticket, mailoutbox):
    ticket, _inbound = email_ticket("打印机坏了", "打印机冒烟了", sender="wang@example.com",
                                    language="zh-hans")  # fmt: skip

    [message] = mailoutbox
    assert "您好" in message.body
    assert 'lang="zh-hans"' in message.alternatives[0][0]
    assert f"[#{ticket.number}]" in message.subject


def test_without_suggestions_the_mail_still_acknowledges(tenant_a, email_ticket, mailoutbox):
    ticket, _inbound = email_ticket("Quantum flux capacitor", "Xyzzy plugh.")

    [message] = mailoutbox
    assert f"#{ticket.number}" in message.body
    assert "solved-by" not in message.body


@pytest.mark.parametrize(
    ("sender", "inbound_fields"),
    [
        ("casey@example.com", {"is_automatic": True}),  # auto-reply, bounce or list mail
        ("no-reply@shop.example", {}),
        ("MAILER-DAEMON@mx.example", {}),
        ("support@beta.localhost", {}),  # another Kefu workspace: never answer each other
        ("help@alpha.example", {}),  # the workspace's own address (forwards to Kefu)
    ],
)
def test_no_acknowledgement_to_automatic_mail_or_own_or_no_reply_addresses(
    tenant_a, email_ticket, mailoutbox, sender, inbound_fields
):
    with tenant_context(tenant_a):
        WorkspaceSettings.objects.update_or_create(defaults={"support_email": "help@alpha.example"})
    email_ticket(sender=sender, **inbound_fields)

    assert mailoutbox == []
    with tenant_context(tenant_a):
        assert not AutoReplyLog.objects.exists()


def test_no_acknowledgement_when_the_workspace_turned_it_off(tenant_a, email_ticket, mailoutbox):
    with tenant_context(tenant_a):
        WorkspaceSettings.objects.update_or_create(defaults={"email_auto_reply": False})
    email_ticket()

    assert mailoutbox == []


def test_a_sender_gets_three_an_hour_and_ten_a_day(tenant_a, email_ticket, mailoutbox):
    for index in range(5):
        email_ticket(f"Question {index}")
    assert len(mailoutbox) == autoreply.MAX_PER_HOUR

    with tenant_context(tenant_a):  # the hour passes, but the day already had ten
        AutoReplyLog.objects.update(created_at=timezone.now() - datetime.timedelta(hours=2))
        for _ in range(autoreply.MAX_PER_DAY - autoreply.MAX_PER_HOUR):
            AutoReplyLog.objects.create(address="casey@example.com")
        AutoReplyLog.objects.update(created_at=timezone.now() - datetime.timedelta(hours=2))
    email_ticket("One more")
    assert len(mailoutbox) == autoreply.MAX_PER_HOUR

    with tenant_context(tenant_a):  # a day later the sender is welcome again
        AutoReplyLog.objects.update(created_at=timezone.now() - datetime.timedelta(days=2))
    email_ticket("Next week")
    assert len(mailoutbox) == autoreply.MAX_PER_HOUR + 1


def test_the_job_run_twice_sends_one_acknowledgement(tenant_a, email_ticket, mailoutbox):
    ticket, inbound = email_ticket()
    with tenant_context(tenant_a):
        autoreply.send_auto_reply(ticket.pk, inbound.pk)
        assert AutoReplyLog.objects.count() == 1
    assert len(mailoutbox) == 1


# --- "This solved it" ---------------------------------------------------------------------


@pytest.fixture
def suggested(tenant_a, email_ticket, make_article, mailoutbox):
    """A ticket whose acknowledgement suggested an article, and the link's path."""
    article = make_article(tenant_a, "Printer on fire: what to do", "Unplug the printer.")
    ticket, _inbound = email_ticket("Printer on fire", "My printer is on fire, what to do?")
    [link] = re.findall(r"http://alpha\.localhost(/email/\S+)", mailoutbox[0].body)
    mailoutbox.clear()
    return ticket, article, link


def test_the_solved_link_asks_first_and_changes_nothing(client, tenant_a, suggested):
    ticket, article, link = suggested

    response = client.get(link, HTTP_HOST=host(tenant_a))

    assert response.status_code == 200
    assert "Did this answer your question?" in response.text
    assert article.title in response.text
    with tenant_context(tenant_a):
        assert Ticket.objects.get(pk=ticket.pk).status == Ticket.Status.NEW
        assert not DeflectionEvent.objects.exists()


def test_confirming_closes_the_ticket_as_deflected_by_email(client, tenant_a, suggested):
    ticket, article, link = suggested
    path, _query, token = link.partition("?t=")

    response = client.post(path, {"t": token}, HTTP_HOST=host(tenant_a))
    again = client.post(path, {"t": token}, HTTP_HOST=host(tenant_a))

    assert response.status_code == again.status_code == 200
    assert "Glad that helped!" in response.text
    with tenant_context(tenant_a):
        assert Ticket.objects.get(pk=ticket.pk).status == Ticket.Status.RESOLVED
        [event] = DeflectionEvent.objects.all()
        assert event.source == DeflectionEvent.Source.EMAIL
        assert event.chosen_article_id == article.pk
        assert event.contact_id == ticket.requester_id
        assert event.shown == [{"type": "article", "id": article.pk, "title": article.title}]
        assert article.learned_phrasings.filter(text__icontains="printer on fire").exists()


def test_a_forged_or_foreign_solved_link_is_not_found(client, tenant_a, tenant_b, suggested):
    ticket, _article, link = suggested
    path, _query, token = link.partition("?t=")

    forged = client.post(path, {"t": token[:-3] + "abc"}, HTTP_HOST=host(tenant_a))
    other_workspace = client.post(path, {"t": token}, HTTP_HOST=host(tenant_b))
    other_article = client.get(
        path.replace(f"/solved-by/{_article.pk}/", f"/solved-by/{_article.pk + 1}/")
        + "?t="
        + token,
        HTTP_HOST=host(tenant_a),
    )

    assert (forged.status_code, other_workspace.status_code, other_article.status_code) == (
        404, 404, 404,
    )  # fmt: skip
    with tenant_context(tenant_a):
        assert Ticket.objects.get(pk=ticket.pk).status == Ticket.Status.NEW


def test_a_solved_link_for_a_contact_that_changed_is_not_found(client, tenant_a, suggested):
    ticket, _article, link = suggested
    with tenant_context(tenant_a):
        other = Contact.objects.create(email="someone-else@example.com")
        Ticket.objects.filter(pk=ticket.pk).update(requester=other)

    assert client.get(link, HTTP_HOST=host(tenant_a)).status_code == 404
