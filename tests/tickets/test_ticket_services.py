"""Opening, answering and changing tickets through the services every channel uses."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404

from kefu.tenancy import tenant_context
from kefu.tickets.errors import FieldErrors, TicketError
from kefu.tickets.models import Ticket, TicketCategory, TicketEvent, TicketField, TicketMessage


def _category_with_fields() -> TicketCategory:
    category = TicketCategory.objects.create(name="Orders")
    TicketField.objects.create(
        category=category, key="order", label="Order number", field_type="number", required=True
    )
    TicketField.objects.create(
        category=category, key="bought", label="Bought on", field_type="date"
    )
    TicketField.objects.create(
        category=category, key="size", label="Size", field_type="choice", choices=["S", "M", "L"]
    )
    TicketField.objects.create(
        category=category,
        key="colours",
        label="Colours",
        field_type="multi_choice",
        choices=["red", "blue"],
    )
    TicketField.objects.create(category=category, key="receipt", label="Receipt", field_type="file")
    return category


def test_ticket_numbers_start_at_1001_and_history_records_creation(make_ticket, tenant_a):
    ticket = make_ticket(tenant_a, "Where is my parcel?")
    assert ticket.number >= 1001
    with tenant_context(tenant_a):
        assert str(ticket).startswith(f"#{ticket.number} ")
        assert [e.kind for e in ticket.events.all()] == [TicketEvent.Kind.CREATED]
        first = ticket.messages.get()
        assert first.body == "Where is my parcel?. Please help."
        assert first.author_contact == ticket.requester
        assert ticket.language == "en"


def test_custom_fields_reject_bad_input_with_a_message_per_field(make_ticket, tenant_a):
    with tenant_context(tenant_a):
        category = _category_with_fields()
    with pytest.raises(FieldErrors) as caught:
        make_ticket(
            tenant_a,
            category=category,
            field_values={"bought": "31/02/2026", "size": "XXL", "colours": ["red", "green"]},
            field_files={"receipt": SimpleUploadedFile("receipt.exe", b"MZ")},
        )
    errors = caught.value.errors
    assert errors["order"] == ["This field is required."]
    assert errors["bought"] == ["Enter a date as YYYY-MM-DD."]
    assert errors["size"] == ["“XXL” is not one of the choices."]
    assert errors["colours"] == ["“green” is not one of the choices."]
    assert errors["receipt"] == ["This type of file is not accepted."]
    with tenant_context(tenant_a):
        assert not Ticket.objects.exists()  # nothing half-made


def test_custom_fields_are_stored_typed(make_ticket, tenant_a):
    with tenant_context(tenant_a):
        category = _category_with_fields()
    ticket = make_ticket(
        tenant_a,
        category=category,
        field_values={"order": " 1042 ", "bought": "2026-11-02", "colours": ["blue"]},
        field_files={"receipt": SimpleUploadedFile("receipt.pdf", b"%PDF-1.4")},
    )
    assert ticket.fields == {
        "order": 1042,
        "bought": "2026-11-02",
        "colours": ["blue"],
        "receipt": "receipt.pdf",
    }
    with tenant_context(tenant_a):
        attachment = ticket.attachments.get(field_key="receipt")
        assert attachment.file.read() == b"%PDF-1.4"


def test_agent_reply_is_first_response_and_customer_reply_reopens(make_ticket, make_user, tenant_a):
    from kefu.tickets.services.changes import ticket_status_set
    from kefu.tickets.services.thread import ticket_reply

    agent = make_user(tenant_a, "agent")
    ticket = make_ticket(tenant_a, "Cannot log in")
    with tenant_context(tenant_a):
        ticket_reply(ticket=ticket, author=agent, body="Try resetting it.", new_status="pending")
        ticket.refresh_from_db()
        assert ticket.status == Ticket.Status.PENDING
        assert ticket.first_responded_at is not None
        ticket_reply(ticket=ticket, author=None, author_contact=ticket.requester, body="No luck")
        ticket.refresh_from_db()
        assert ticket.status == Ticket.Status.OPEN
        ticket_reply(ticket=ticket, author=agent, body="Looking into it", internal=True)
        kinds = list(ticket.messages.values_list("kind", flat=True))
        assert kinds == ["public", "public", "public", "internal"]
        ticket_status_set(ticket=ticket, status=Ticket.Status.CLOSED, actor=agent)
        with pytest.raises(TicketError, match="closed"):
            ticket_reply(ticket=ticket, author=None, author_contact=ticket.requester, body="Hi")


def test_customers_cannot_add_internal_notes(make_ticket, make_user, tenant_a):
    from kefu.tickets.services.thread import ticket_reply

    customer = make_user(tenant_a, "customer")
    ticket = make_ticket(tenant_a)
    with tenant_context(tenant_a), pytest.raises(TicketError):
        ticket_reply(ticket=ticket, author=customer, body="psst", internal=True)


def test_rating_only_after_resolution(make_ticket, make_user, tenant_a):
    from kefu.tickets.services.changes import ticket_rate, ticket_status_set

    agent = make_user(tenant_a, "agent")
    ticket = make_ticket(tenant_a)
    with tenant_context(tenant_a):
        with pytest.raises(TicketError):
            ticket_rate(ticket=ticket, score=5)
        ticket_status_set(ticket=ticket, status=Ticket.Status.RESOLVED, actor=agent)
        with pytest.raises(TicketError):
            ticket_rate(ticket=ticket, score=9)
        ticket_rate(ticket=ticket, score=2, comment="slow")
        ticket_rate(ticket=ticket, score=4, comment="fine after all")
        ticket.refresh_from_db()
        assert (ticket.rating.score, ticket.rating.comment) == (4, "fine after all")


def test_merge_moves_the_thread_and_closes_the_duplicate(make_ticket, make_user, tenant_a):
    from kefu.tickets.services.merging import ticket_merge

    agent = make_user(tenant_a, "agent")
    first = make_ticket(tenant_a, "Refund please")
    duplicate = make_ticket(tenant_a, "Refund again")
    with tenant_context(tenant_a):
        ticket_merge(source=duplicate, target=first, actor=agent)
        duplicate.refresh_from_db()
        assert duplicate.status == Ticket.Status.CLOSED
        assert duplicate.merged_into == first
        bodies = list(first.messages.values_list("body", flat=True))
        assert "Refund again. Please help." in bodies
        assert any(f"#{duplicate.number}" in body for body in bodies)


def test_split_moves_chosen_messages_to_a_new_ticket(make_ticket, make_user, tenant_a):
    from kefu.tickets.services.merging import ticket_split
    from kefu.tickets.services.thread import ticket_reply

    agent = make_user(tenant_a, "agent")
    ticket = make_ticket(tenant_a, "Two problems")
    with tenant_context(tenant_a):
        other = ticket_reply(
            ticket=ticket, author=None, author_contact=ticket.requester, body="Also my invoice"
        )
        new = ticket_split(ticket=ticket, message_ids=[other.pk], actor=agent)
        assert new.split_from == ticket
        assert list(new.messages.values_list("body", flat=True)) == ["Also my invoice"]
        assert new.requester == ticket.requester
        assert ticket.messages.count() == 1


def test_publish_to_kb_creates_a_linked_draft(make_ticket, make_user, tenant_a):
    from kefu.kb.models import Article
    from kefu.tickets.services.changes import ticket_status_set
    from kefu.tickets.services.merging import ticket_publish_to_kb
    from kefu.tickets.services.thread import ticket_reply

    agent = make_user(tenant_a, "agent")
    ticket = make_ticket(tenant_a, "How do I export invoices?")
    with tenant_context(tenant_a):
        with pytest.raises(TicketError):
            ticket_publish_to_kb(ticket=ticket, actor=agent)
        ticket_reply(ticket=ticket, author=agent, body="Billing → Export → CSV.")
        ticket_status_set(ticket=ticket, status=Ticket.Status.RESOLVED, actor=agent)
        article = ticket_publish_to_kb(ticket=ticket, actor=agent)
        assert article.status == Article.Status.DRAFT
        assert article.source_ticket == ticket
        assert "Billing → Export → CSV." in article.body
        assert "How do I export invoices?" in article.body


def test_customer_cannot_read_another_customers_private_ticket(make_ticket, make_user, tenant_a):
    from kefu.contacts.services import contact_for_user
    from kefu.tickets.access import access_ticket

    owner_customer = make_user(tenant_a, "customer")
    other_customer = make_user(tenant_a, "customer")
    with tenant_context(tenant_a):
        requester = contact_for_user(user=owner_customer)
    ticket = make_ticket(tenant_a, "My private bill", requester=requester)
    with tenant_context(tenant_a):
        assert access_ticket(owner_customer, ticket.pk) == ticket
        with pytest.raises(Http404):
            access_ticket(other_customer, ticket.pk)
        Ticket.objects.filter(pk=ticket.pk).update(is_public=True)
        assert access_ticket(other_customer, ticket.pk) == ticket


def test_messages_are_ordered_and_attachments_kept(make_ticket, tenant_a):
    ticket = make_ticket(
        tenant_a, attachments=[SimpleUploadedFile("screen.png", b"\x89PNG", "image/png")]
    )
    with tenant_context(tenant_a):
        message = TicketMessage.objects.get(ticket=ticket)
        attachment = message.attachments.get()
        assert (attachment.filename, attachment.size) == ("screen.png", 4)
        assert f"/{tenant_a.schema_name}/" in attachment.file.path
