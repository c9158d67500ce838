"""Mail about a ticket, as the customer's mail client sees it: the workspace's own address,
a Reply-To that finds the ticket, its own Message-ID, and threading headers that keep every
mail of the ticket in one conversation. The Message-IDs Kefu sent are remembered so the
customer's answer threads into the ticket."""

from __future__ import annotations

import email
import email.policy
import json
import re

import pytest
import requests
from django.core import mail

from kefu.accounts.models import User
from kefu.contacts.services import contact_for_email
from kefu.messaging import outbound
from kefu.messaging.models import EmailThreadId
from kefu.tenancy import tenant_context
from kefu.tickets import notifications
from kefu.tickets.models import Ticket, TicketMessage
from kefu.tickets.services.creation import ticket_create
from kefu.tickets.services.thread import ticket_reply
from tests.api.ticket_urls import ticket_links  # noqa: F401 - fixture

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("ticket_links")]

MESSAGE_ID = re.compile(r"^<kefu\.(t_\w+)\.(\d+)\.([0-9a-f]{16})@localhost>$")


@pytest.fixture
def conversation(tenant_a, make_user):
    """A ticket of Alpha and an agent who answers it: ``reply(text)`` mails one reply."""
    agent = make_user(tenant_a, User.Role.AGENT)
    with tenant_context(tenant_a):
        requester = contact_for_email(email="casey@example.com", name="Casey")
        ticket = ticket_create(
            subject="Printer is on fire", description="Help.", requester=requester
        )

    def reply(text: str) -> TicketMessage:
        with tenant_context(tenant_a):
            message = ticket_reply(ticket=ticket, author=agent, body=text)
            notifications.notify_customer_reply(message.pk)
            message.refresh_from_db()
            return message

    return ticket, reply


def _received(tenant, ticket: Ticket, message_id: str) -> None:
    """The customer's mail arrived (what inbound processing records)."""
    with tenant_context(tenant):
        EmailThreadId.objects.create(
            message_id=message_id, ticket=ticket, direction=EmailThreadId.Direction.RECEIVED
        )


def _headers(message) -> email.message.EmailMessage:
    """The message as it leaves (bytes parsed again, as the recipient's client would)."""
    return email.message_from_bytes(message.message().as_bytes(), policy=email.policy.default)


def test_a_reply_comes_from_the_workspace_address_with_its_own_thread_identity(
    conversation, tenant_a, mailoutbox
):
    ticket, reply = conversation
    message = reply("Unplug it, please.")

    [sent] = mailoutbox
    headers = _headers(sent)
    assert headers["From"] == "Alpha Ltd <support@alpha.localhost>"
    assert headers["Reply-To"] == f"support+t{ticket.number}@alpha.localhost"
    assert headers["Subject"] == f"Re: [#{ticket.number}] Printer is on fire"
    match = MESSAGE_ID.match(headers["Message-ID"])
    assert match
    assert match.groups()[:2] == (tenant_a.schema_name, str(ticket.pk))
    assert headers["In-Reply-To"] is None  # the first mail of the thread
    assert sent.alternatives[0][1] == "text/html"
    message_id = headers["Message-ID"].strip("<>")
    assert message.email_message_id == message_id
    with tenant_context(tenant_a):
        recorded = EmailThreadId.objects.get(message_id=message_id)
    assert (recorded.ticket_id, recorded.ticket_message_id, recorded.direction) == (
        ticket.pk, message.pk, EmailThreadId.Direction.SENT,
    )  # fmt: skip


def test_replies_thread_under_the_customers_mail_and_kefus_earlier_mails(
    conversation, tenant_a, mailoutbox
):
    ticket, reply = conversation
    _received(tenant_a, ticket, "original-question@mail.example.com")
    reply("First answer.")
    reply("Second answer.")
    _received(tenant_a, ticket, "customer-answer@mail.example.com")
    reply("Third answer.")

    first, second, third = (_headers(message) for message in mailoutbox)
    assert first["In-Reply-To"] == "<original-question@mail.example.com>"
    assert first["References"] == "<original-question@mail.example.com>"
    assert second["In-Reply-To"] == "<original-question@mail.example.com>"
    assert second["References"].split() == [
        first["Message-ID"],
        "<original-question@mail.example.com>",
    ]
    assert third["In-Reply-To"] == "<customer-answer@mail.example.com>"
    assert third["References"].split() == [
        "<original-question@mail.example.com>",
        first["Message-ID"],
        second["Message-ID"],
        "<customer-answer@mail.example.com>",
    ]
    assert len({first["Message-ID"], second["Message-ID"], third["Message-ID"]}) == 3


def test_references_keep_the_first_and_the_latest_mails(conversation, tenant_a):
    ticket, _reply = conversation
    for index in range(15):
        _received(tenant_a, ticket, f"mail-{index}@example.com")

    with tenant_context(tenant_a):
        headers = outbound.thread_headers(ticket)

    references = headers["References"].split()
    assert len(references) == outbound.MAX_REFERENCES
    assert references[0] == "<mail-0@example.com>"
    assert references[-1] == headers["In-Reply-To"] == "<mail-14@example.com>"


def test_the_configured_support_address_name_is_used(conversation, tenant_a, mailoutbox):
    from kefu.desk.models import WorkspaceSettings

    ticket, reply = conversation
    with tenant_context(tenant_a):
        WorkspaceSettings.objects.update_or_create(defaults={"support_local_part": "help"})
    reply("Hello.")

    headers = _headers(mailoutbox[0])
    assert headers["From"].addresses[0].addr_spec == "help@alpha.localhost"
    assert headers["Reply-To"] == f"help+t{ticket.number}@alpha.localhost"


def test_a_chinese_workspace_name_survives_in_the_from_header(tenant_b, make_user, mailoutbox):
    agent = make_user(tenant_b, User.Role.AGENT)
    with tenant_context(tenant_b):
        requester = contact_for_email(email="wang@example.com", name="王")
        ticket = ticket_create(subject="打印机坏了", description="帮帮我", requester=requester)
        message = ticket_reply(ticket=ticket, author=agent, body="请拔掉插头。")
        notifications.notify_customer_reply(message.pk)

    headers = _headers(mailoutbox[0])
    [sender] = headers["From"].addresses
    assert (sender.display_name, sender.addr_spec) == ("贝塔科技", "support@beta.localhost")
    assert MESSAGE_ID.match(headers["Message-ID"]).group(1) == tenant_b.schema_name


def test_status_mail_to_staff_and_customers_all_join_the_thread(conversation, tenant_a, mailoutbox):
    ticket, reply = conversation
    reply("Answer.")
    with tenant_context(tenant_a):
        from kefu.tickets.models import TicketEvent
        from kefu.tickets.services.changes import ticket_status_set

        agent = User.objects.filter(role=User.Role.AGENT).first()
        ticket.refresh_from_db()
        ticket_status_set(ticket=ticket, status=Ticket.Status.PENDING, actor=agent)
        event = ticket.events.filter(kind=TicketEvent.Kind.STATUS).latest("id")
        notifications.notify_status_changed(event.pk)
        sent_ids = set(
            EmailThreadId.objects.filter(ticket=ticket, direction="sent").values_list(
                "message_id", flat=True
            )
        )

    assert len(mailoutbox) == 2
    answer, status = (_headers(message) for message in mailoutbox)
    assert status["In-Reply-To"] == answer["Message-ID"]
    assert status["Subject"].startswith(f"[#{ticket.number}]")
    assert status["Auto-Submitted"] == "auto-generated"
    assert answer["Auto-Submitted"] is None  # a person's reply may be answered
    assert sent_ids == {answer["Message-ID"].strip("<>"), status["Message-ID"].strip("<>")}


def test_email_tickets_get_no_separate_received_mail(tenant_a, mailoutbox):
    with tenant_context(tenant_a):
        requester = contact_for_email(email="casey@example.com", name="Casey")
        by_mail = ticket_create(
            subject="By mail", description="x", requester=requester, channel="email"
        )
        by_web = ticket_create(subject="By web", description="x", requester=requester)
        notifications.notify_ticket_received(by_mail.pk)  # the auto-reply acknowledges it
        notifications.notify_ticket_received(by_web.pk)

    assert [message.subject for message in mailoutbox] == [
        f"[#{by_web.number}] We received your request #{by_web.number}: By web"
    ]


def test_in_development_mail_is_written_where_a_developer_can_read_it(
    conversation, settings, tmp_path
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path)
    ticket, reply = conversation
    message = reply("Written to a file.")

    [written] = list(tmp_path.iterdir())
    text = written.read_text()
    assert f"Message-ID: <{message.email_message_id}>" in text
    assert f"Reply-To: support+t{ticket.number}@alpha.localhost" in text


def test_with_mailgun_configured_mail_goes_to_its_api_with_the_thread_headers(
    conversation, tenant_a, settings, monkeypatch
):
    """The real anymail Mailgun backend; only the HTTP exchange with Mailgun is faked."""
    settings.EMAIL_BACKEND = "anymail.backends.mailgun.EmailBackend"
    settings.ANYMAIL = {"MAILGUN_API_KEY": "key-test", "MAILGUN_SENDER_DOMAIN": "localhost"}
    posted: list[dict] = []

    def fake_request(session, method, url, **kwargs):
        posted.append({"method": method, "url": url, **kwargs})
        response = requests.Response()
        response.status_code = 200
        response._content = json.dumps({"id": "<queued@localhost>", "message": "Queued"}).encode()
        response.url = url
        return response

    monkeypatch.setattr(requests.Session, "request", fake_request)
    ticket, reply = conversation
    _received(tenant_a, ticket, "question@mail.example.com")
    message = reply("Through Mailgun.")

    [call] = posted
    data = {
        key: value[0] if isinstance(value, list) and len(value) == 1 else value
        for key, value in dict(call["data"]).items()
    }
    assert call["url"] == "https://api.mailgun.net/v3/localhost/messages"
    assert data["from"] == "Alpha Ltd <support@alpha.localhost>"
    assert data["h:Message-Id"] == f"<{message.email_message_id}>"
    assert data["h:In-Reply-To"] == "<question@mail.example.com>"
    assert data["h:Reply-To"] == f"support+t{ticket.number}@alpha.localhost"
    assert "text" in data
    assert "html" in data
    assert mail.outbox == []
