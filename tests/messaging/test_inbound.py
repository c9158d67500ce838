"""Inbound email end to end (store raw, process): tickets, threads, closed tickets, duplicates
and quarantine. Every fixture ends as a ticket message or a quarantined item with a reason."""

from __future__ import annotations

import pytest

from kefu.contacts.services import contact_for_email
from kefu.desk.selectors import workspace_settings_get
from kefu.messaging.models import EmailThreadId, InboundEmail
from kefu.tenancy import tenant_context
from kefu.tickets.models import Ticket, TicketMessage
from kefu.tickets.services.changes import ticket_status_set
from kefu.tickets.services.creation import ticket_create
from tests.messaging.conftest import FIXTURES, eml

pytestmark = pytest.mark.django_db


def _ticket(tenant, email="casey@example.com", subject="Printer is on fire") -> Ticket:
    with tenant_context(tenant):
        return ticket_create(
            subject=subject,
            description="It smokes.",
            requester=contact_for_email(email=email, name="Casey"),
            channel="email",
        )


def test_plain_mail_opens_an_email_ticket_for_the_sender(tenant_a, deliver):
    inbound = deliver(tenant_a, "plain_utf8")
    assert inbound.status == InboundEmail.Status.PROCESSED
    with tenant_context(tenant_a):
        ticket = Ticket.objects.get(pk=inbound.ticket_id)
        assert ticket.subject == "Where is my order?"
        assert ticket.channel == Ticket.Channel.EMAIL
        assert ticket.requester.email == "casey@example.com"
        assert ticket.requester.name == "Casey Jones"
        message = ticket.messages.get()
        assert "has not arrived yet" in message.body
        assert message.channel == "email"
        assert message.email_message_id == "plain-utf8-1@example.com"
        assert message.author_contact == ticket.requester
        thread_id = EmailThreadId.objects.get(message_id="plain-utf8-1@example.com")
        assert thread_id.ticket == ticket
        assert thread_id.direction == "received"
        assert inbound.raw.read() == eml("plain_utf8")


def test_chinese_mail_gets_a_chinese_ticket(tenant_a, deliver):
    inbound = deliver(tenant_a, "gb2312")
    with tenant_context(tenant_a):
        ticket = Ticket.objects.get(pk=inbound.ticket_id)
        assert ticket.subject == "订单查询：我的包裹在哪里？"
        assert ticket.language == "zh-hans"
        assert ticket.requester.name == "王先生"
        assert inbound.subject == "订单查询：我的包裹在哪里？"


def test_html_mail_keeps_sanitised_html_and_readable_text(tenant_a, deliver):
    inbound = deliver(tenant_a, "html_only")
    with tenant_context(tenant_a):
        message = TicketMessage.objects.get(pk=inbound.ticket_message_id)
        assert "my invoice (https://shop.example.com/invoice/77)" in message.body
        assert "<b>invoice</b>" in message.body_html
        assert "javascript:" not in message.body_html
        assert "<script" not in message.body_html


def test_attachments_are_stored_and_a_blocked_one_is_noted_for_agents(tenant_a, deliver):
    inbound = deliver(tenant_a, "attachment_inline")
    with tenant_context(tenant_a):
        message = TicketMessage.objects.get(pk=inbound.ticket_message_id)
        names = sorted(message.attachments.values_list("filename", flat=True))
        assert names == ["screen.png", "发票 2024.pdf"]
        pdf = message.attachments.get(filename="发票 2024.pdf")
        assert pdf.file.read().startswith(b"%PDF")
        assert pdf.file.name.startswith("tickets/")
    blocked = deliver(tenant_a, "exe_attachment")
    assert blocked.status == InboundEmail.Status.PROCESSED
    assert "fix.exe" in blocked.reason
    with tenant_context(tenant_a):
        ticket = Ticket.objects.get(pk=blocked.ticket_id)
        assert list(ticket.attachments.values_list("filename", flat=True)) == ["app.log"]
        note = ticket.messages.get(kind=TicketMessage.Kind.INTERNAL)
        assert "fix.exe" in note.body


def test_reply_to_a_message_kefu_sent_joins_that_ticket(tenant_a, deliver):
    ticket = _ticket(tenant_a)
    with tenant_context(tenant_a):
        EmailThreadId.objects.create(
            message_id="kefu-sent-1@alpha.kefu.test", ticket=ticket, direction="sent"
        )
    inbound = deliver(tenant_a, "reply_in_reply_to")
    assert inbound.ticket_id == ticket.pk
    with tenant_context(tenant_a):
        assert ticket.messages.count() == 2
        assert Ticket.objects.count() == 1


def test_reply_quoting_earlier_mail_keeps_only_the_new_words(tenant_a, deliver):
    first = deliver(tenant_a, "plain_utf8")
    reply = eml("quoted_reply").replace(
        b"Subject: Re: Where is my order?",
        b"Subject: Re: Where is my order?\r\nIn-Reply-To: <plain-utf8-1@example.com>",
    )
    inbound = deliver(tenant_a, reply)
    assert inbound.ticket_id == first.ticket_id
    with tenant_context(tenant_a):
        message = TicketMessage.objects.get(pk=inbound.ticket_message_id)
        assert message.body == (
            "Thanks, that worked! One more question: can I change the delivery address?"
        )
        assert "Please restart the router." in message.quoted_text


def test_subject_token_from_the_requester_joins_from_a_stranger_opens_new(tenant_a, deliver):
    ticket = _ticket(tenant_a)
    raw = eml("reply_subject_token").replace(b"[#1001]", f"[#{ticket.pk}]".encode())
    assert deliver(tenant_a, raw).ticket_id == ticket.pk
    stranger = raw.replace(b"casey@example.com", b"mallory@example.com").replace(
        b"reply-token-1@", b"reply-token-2@"
    )
    other = deliver(tenant_a, stranger)
    assert other.status == InboundEmail.Status.PROCESSED
    assert other.ticket_id != ticket.pk
    with tenant_context(tenant_a):
        assert Ticket.objects.get(pk=other.ticket_id).requester.email == "mallory@example.com"


def test_plus_address_token_joins_the_requesters_ticket(tenant_a, deliver):
    ticket = _ticket(tenant_a, email="kim@example.com")
    inbound = deliver(
        tenant_a, "no_message_id", envelope_recipient=f"support+t{ticket.pk}@alpha.kefu.test"
    )
    assert inbound.ticket_id == ticket.pk


@pytest.mark.parametrize("setting", ["reopen", "follow_up"])
def test_reply_to_a_closed_ticket_follows_the_workspace_setting(tenant_a, deliver, setting):
    ticket = _ticket(tenant_a)
    with tenant_context(tenant_a):
        settings_row = workspace_settings_get()
        settings_row.email_closed_reply = setting
        settings_row.save()
        ticket_status_set(ticket=ticket, status=Ticket.Status.CLOSED, actor=None)
    raw = eml("reply_subject_token").replace(b"[#1001]", f"[#{ticket.pk}]".encode())
    inbound = deliver(tenant_a, raw)
    with tenant_context(tenant_a):
        ticket.refresh_from_db()
        if setting == "reopen":
            assert inbound.ticket_id == ticket.pk
            assert ticket.status == Ticket.Status.OPEN
        else:
            assert ticket.status == Ticket.Status.CLOSED
            follow_up = Ticket.objects.get(pk=inbound.ticket_id)
            assert follow_up.pk != ticket.pk
            assert follow_up.requester == ticket.requester
            note = follow_up.messages.get(kind=TicketMessage.Kind.INTERNAL)
            assert f"#{ticket.pk}" in note.body


def test_the_same_message_delivered_twice_is_one_ticket_message(tenant_a, deliver):
    first = deliver(tenant_a, "plain_utf8")
    again = deliver(tenant_a, "plain_utf8")
    assert again.pk == first.pk
    with tenant_context(tenant_a):
        assert TicketMessage.objects.filter(ticket_id=first.ticket_id).count() == 1
        assert Ticket.objects.count() == 1
        statuses = sorted(InboundEmail.objects.values_list("status", flat=True))
        assert statuses == ["duplicate", "processed"]  # the second delivery is kept too


def test_a_redelivery_through_another_relay_is_still_the_same_message(tenant_a, deliver):
    first = deliver(tenant_a, "plain_utf8")
    relayed = b"Received: from mx2.example.net by mx.kefu.test; Mon, 06 May 2024 01:31:02\r\n"
    again = deliver(tenant_a, relayed + eml("plain_utf8"))
    assert again.pk == first.pk
    with tenant_context(tenant_a):
        assert TicketMessage.objects.count() == 1


def test_another_mail_reusing_a_message_id_is_not_set_aside(tenant_a, deliver):
    """Broken mailers reuse Message-IDs: a different message under a known ID still reaches
    the desk, with a note saying why, and nothing disappears as a 'duplicate'."""
    first = deliver(tenant_a, "plain_utf8")
    other = eml("plain_utf8").replace(b"Where is my order?", b"Refund for a broken lamp")
    other = other.replace(b"My order #A-1234 has not arrived yet.", b"The lamp came broken.")
    second = deliver(tenant_a, other)
    assert second.pk != first.pk
    assert second.status == InboundEmail.Status.PROCESSED
    assert f"#{first.pk}" in second.reason
    with tenant_context(tenant_a):
        ticket = Ticket.objects.get(pk=second.ticket_id)
        assert "The lamp came broken." in ticket.messages.get(kind="public").body
        note = ticket.messages.get(kind=TicketMessage.Kind.INTERNAL).body
        assert "same Message-ID" in note
        assert not InboundEmail.objects.filter(status=InboundEmail.Status.DUPLICATE).exists()
    assert deliver(tenant_a, other).pk == second.pk  # and its own redelivery is one message


def test_without_message_id_same_bytes_within_a_day_are_a_duplicate(tenant_a, deliver):
    first = deliver(tenant_a, "no_message_id")
    assert first.status == InboundEmail.Status.PROCESSED
    assert deliver(tenant_a, "no_message_id").pk == first.pk
    with tenant_context(tenant_a):
        assert Ticket.objects.count() == 1


@pytest.mark.parametrize(
    ("name", "reason"),
    [("no_from", "No sender address"), ("garbage", "No sender address")],
)
def test_unusable_mail_is_quarantined_with_a_reason(tenant_a, deliver, name, reason):
    inbound = deliver(tenant_a, name)
    assert inbound.status == InboundEmail.Status.QUARANTINED
    assert reason in inbound.reason
    assert inbound.attempts == 1
    with tenant_context(tenant_a):
        assert Ticket.objects.count() == 0
        assert inbound.raw.read() == eml(name)


def test_every_fixture_becomes_a_ticket_message_or_a_quarantined_item(tenant_a, deliver):
    for path in sorted(FIXTURES.glob("*.eml")):
        inbound = deliver(tenant_a, path.stem)
        assert inbound.status in ("processed", "quarantined", "duplicate"), path.name
        if inbound.status == "quarantined":
            assert inbound.reason, path.name
        else:
            assert inbound.ticket_message_id, path.name


def test_a_failure_while_processing_is_quarantined_and_can_be_retried(
    tenant_a, deliver, monkeypatch
):
    from kefu.messaging import inbound as inbound_module
    from kefu.messaging.inbound import email_process

    def broken(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(inbound_module, "channel_receive", broken)
    inbound = deliver(tenant_a, "plain_utf8")
    assert inbound.status == "quarantined"
    assert "RuntimeError" in inbound.reason
    assert "database went away" in inbound.reason
    with tenant_context(tenant_a):
        assert Ticket.objects.count() == 0
        monkeypatch.undo()
        retried = email_process(inbound=inbound, retry=True)
        assert retried.status == "processed"
        assert retried.attempts == 2
        assert Ticket.objects.count() == 1


def test_job_is_safe_to_run_twice(tenant_a):
    from kefu.messaging.inbound import email_receive
    from kefu.messaging.jobs import inbound_process_job

    with tenant_context(tenant_a):
        inbound = email_receive(raw=eml("plain_utf8"), source="test")
        inbound_process_job(inbound.pk)
        inbound_process_job(inbound.pk)
        assert TicketMessage.objects.count() == 1


def test_auto_reply_is_asked_for_new_tickets_only(tenant_a, deliver, monkeypatch):
    calls = []
    monkeypatch.setattr(
        "kefu.messaging.autoreply.auto_reply_maybe",
        lambda *, inbound, ticket: calls.append((inbound.pk, ticket.pk)),
    )
    first = deliver(tenant_a, "plain_utf8")
    reply = eml("quoted_reply").replace(
        b"Subject: Re:", b"In-Reply-To: <plain-utf8-1@example.com>\r\nSubject: Re:"
    )
    deliver(tenant_a, reply)
    assert calls == [(first.pk, first.ticket_id)]


def test_automatic_mail_on_a_resolved_ticket_does_not_reopen_it(tenant_a, deliver):
    ticket = _ticket(tenant_a, email="ivy@example.com")
    with tenant_context(tenant_a):
        ticket_status_set(ticket=ticket, status=Ticket.Status.RESOLVED, actor=None)
        EmailThreadId.objects.create(message_id="ack-1@alpha", ticket=ticket, direction="sent")
    raw = eml("auto_reply").replace(b"Subject:", b"In-Reply-To: <ack-1@alpha>\r\nSubject:")
    inbound = deliver(tenant_a, raw)
    assert inbound.is_automatic
    assert inbound.ticket_id == ticket.pk
    with tenant_context(tenant_a):
        ticket.refresh_from_db()
        assert ticket.status == Ticket.Status.RESOLVED


def test_kefus_own_mail_coming_back_is_not_a_new_ticket(tenant_a, deliver):
    ticket = _ticket(tenant_a)
    with tenant_context(tenant_a):
        EmailThreadId.objects.create(
            message_id="plain-utf8-1@example.com", ticket=ticket, direction="sent"
        )
    inbound = deliver(tenant_a, "plain_utf8")
    assert inbound.status == InboundEmail.Status.QUARANTINED
    assert "Kefu sent" in inbound.reason
    with tenant_context(tenant_a):
        assert ticket.messages.count() == 1


def test_a_mail_longer_than_any_form_allows_is_stored_shortened_with_the_original_kept(
    tenant_a, deliver
):
    from email.message import EmailMessage

    from kefu.core import limits

    mail = EmailMessage()
    mail["From"] = "Casey <casey@example.com>"
    mail["To"] = "support@example.com"
    mail["Subject"] = "S" * 1000
    mail["Message-ID"] = "<long-1@example.com>"
    mail.set_content("茶" * 192_000)
    inbound = deliver(tenant_a, mail.as_bytes())
    assert inbound.status == InboundEmail.Status.PROCESSED, "a long mail is never refused"
    with tenant_context(tenant_a):
        ticket = Ticket.objects.get(pk=inbound.ticket_id)
        assert len(ticket.subject) == limits.SUBJECT
        first = ticket.messages.filter(kind=TicketMessage.Kind.PUBLIC).get()
        assert len(first.body) <= limits.MESSAGE
        notes = " ".join(ticket.messages.filter(kind=TicketMessage.Kind.INTERNAL)
                         .values_list("body", flat=True))  # fmt: skip
        assert "shortened" in notes
        assert inbound.raw.size > 192_000 * 3, "the whole mail is in the stored original"
