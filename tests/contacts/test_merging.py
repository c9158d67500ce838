"""Merging two contacts of one person, undoing it exactly, and the merges that are refused."""

from __future__ import annotations

import pytest

from kefu.accounts.models import User
from kefu.contacts.models import Contact, ContactIdentity, ContactMerge, ContactVisitor
from kefu.contacts.services import (
    ContactError,
    contact_by_identity,
    contact_for_email,
    contact_for_user,
    contact_visitor_link,
    identity_add,
)
from kefu.tickets.contact_merge import contact_merge, contact_merge_undo
from kefu.tickets.models import DeflectionEvent, Ticket, TicketMessage
from kefu.tickets.services.creation import ticket_create
from kefu.tickets.services.thread import ticket_reply

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair(in_tenant_a, admin, agent):
    """Alice wrote from her work address (with history); a second record has her home one."""
    source = contact_for_email(email="alice@work.example", name="Alice Li", language="zh-hans")
    source.tier = Contact.Tier.PREMIUM
    source.save()
    identity_add(contact=source, kind=ContactIdentity.Kind.PHONE, value="+86 138 0000 1111")
    contact_visitor_link(contact=source, visitor_key="visitor-of-alice-at-work")
    ticket = ticket_create(
        subject="Invoice is wrong", description="Twice charged", requester=source
    )
    ticket_reply(ticket=ticket, author=None, body="Any news?", author_contact=source)
    ticket_reply(ticket=ticket, author=agent, body="Refunded.")
    deflection = DeflectionEvent.objects.create(query="refund", contact=source)
    target = contact_for_email(email="alice@home.example")
    return {"source": source, "target": target, "ticket": ticket, "deflection": deflection}


def _refresh(*contacts: Contact) -> list[Contact]:
    return [Contact.objects.get(pk=contact.pk) for contact in contacts]


def test_merge_moves_identities_history_and_fills_missing_details(pair, admin):
    source, target, ticket = pair["source"], pair["target"], pair["ticket"]
    merge = contact_merge(source=source, target=target, actor=admin)
    source, target = _refresh(source, target)
    assert source.merged_into_id == target.pk
    assert contact_by_identity(kind="email", value="ALICE@work.example") == target
    assert contact_by_identity(kind="phone", value="+8613800001111") == target
    assert contact_for_email(email="alice@work.example") == target  # new mail lands on target
    assert Ticket.objects.get(pk=ticket.pk).requester_id == target.pk
    customer_messages = TicketMessage.objects.filter(ticket=ticket, author=None)
    assert {message.author_contact_id for message in customer_messages} == {target.pk}
    assert DeflectionEvent.objects.get(pk=pair["deflection"].pk).contact_id == target.pk
    assert list(target.visitors.values_list("visitor_key", flat=True)) == [
        "visitor-of-alice-at-work"
    ]
    assert not source.identities.exists()
    assert not source.visitors.exists()
    # The target had no name, language or premium tier: it takes Alice's.
    assert (target.name, target.language, target.tier) == ("Alice Li", "zh-hans", "premium")
    assert target.email == "alice@home.example"  # its own address is kept
    assert merge.merged_by == admin
    assert merge.moved["tickets"] == [ticket.pk]
    assert set(merge.moved["fields"]) == {"name", "language", "tier"}


def test_undo_puts_back_exactly_what_moved_and_keeps_what_came_later(pair, admin):
    source, target, ticket = pair["source"], pair["target"], pair["ticket"]
    merge = contact_merge(source=source, target=target, actor=admin)
    later = ticket_create(
        subject="Another question", description="Hello", requester=contact_for_email(
            email="alice@work.example"
        )
    )  # fmt: skip
    assert later.requester_id == target.pk
    target.refresh_from_db()
    target.name = "Alice (edited after the merge)"
    target.save()

    contact_merge_undo(merge=ContactMerge.objects.get(pk=merge.pk), actor=admin)

    source, target = _refresh(source, target)
    assert source.merged_into_id is None
    assert Ticket.objects.get(pk=ticket.pk).requester_id == source.pk
    assert Ticket.objects.get(pk=later.pk).requester_id == target.pk  # opened for the target
    assert TicketMessage.objects.filter(ticket=later, author_contact=target).count() == 1
    assert set(
        TicketMessage.objects.filter(ticket=ticket, author=None).values_list(
            "author_contact_id", flat=True
        )
    ) == {source.pk}
    assert DeflectionEvent.objects.get(pk=pair["deflection"].pk).contact_id == source.pk
    assert contact_by_identity(kind="email", value="alice@work.example") == source
    assert contact_by_identity(kind="email", value="alice@home.example") == target
    assert list(source.visitors.values_list("visitor_key", flat=True)) == [
        "visitor-of-alice-at-work"
    ]
    assert source.email == "alice@work.example"
    # Changed since the merge: kept. Untouched fills: given back.
    assert target.name == "Alice (edited after the merge)"
    assert (target.language, target.tier) == ("", "standard")
    assert ContactMerge.objects.get(pk=merge.pk).undone_at is not None
    with pytest.raises(ContactError, match="already undone"):
        contact_merge_undo(merge=ContactMerge.objects.get(pk=merge.pk), actor=admin)


def test_merge_moves_the_help_center_account_and_undo_gives_it_back(
    in_tenant_a, admin, make_user, tenant_a
):
    customer = make_user(tenant_a, User.Role.CUSTOMER, email="bo@example.com")
    with_account = contact_for_user(user=customer)
    from_mail = contact_for_email(email="bo.other@example.com", name="Bo")
    merge = contact_merge(source=with_account, target=from_mail, actor=admin)
    assert contact_for_user(user=customer) == from_mail
    assert Contact.objects.get(pk=from_mail.pk).user_id == customer.pk
    contact_merge_undo(merge=merge, actor=admin)
    assert Contact.objects.get(pk=with_account.pk).user_id == customer.pk
    assert Contact.objects.get(pk=from_mail.pk).user_id is None
    assert contact_for_user(user=customer) == with_account


def test_a_visitor_id_both_contacts_share_is_kept_once_and_given_back(pair, admin):
    source, target = pair["source"], pair["target"]
    contact_visitor_link(contact=target, visitor_key="visitor-of-alice-at-work")
    merge = contact_merge(source=source, target=target, actor=admin)
    assert ContactVisitor.objects.filter(visitor_key="visitor-of-alice-at-work").count() == 1
    contact_merge_undo(merge=merge, actor=admin)
    assert set(
        ContactVisitor.objects.filter(visitor_key="visitor-of-alice-at-work").values_list(
            "contact_id", flat=True
        )
    ) == {source.pk, target.pk}


def test_merge_refuses_the_same_contact_merged_ones_and_two_accounts(
    in_tenant_a, pair, admin, make_user, tenant_a
):
    source, target = pair["source"], pair["target"]
    with pytest.raises(ContactError, match="into itself"):
        contact_merge(source=source, target=source, actor=admin)
    third = contact_for_email(email="third@example.com")
    contact_merge(source=third, target=target, actor=admin)
    with pytest.raises(ContactError, match="merge into that one"):
        contact_merge(source=source, target=third, actor=admin)
    with pytest.raises(ContactError, match="already merged"):
        contact_merge(source=third, target=source, actor=admin)
    one = contact_for_user(user=make_user(tenant_a, User.Role.CUSTOMER))
    two = contact_for_user(user=make_user(tenant_a, User.Role.CUSTOMER))
    with pytest.raises(ContactError, match="accounts cannot be merged"):
        contact_merge(source=one, target=two, actor=admin)
    assert Contact.objects.get(pk=one.pk).merged_into_id is None


def test_only_admins_merge_or_undo(pair, admin, agent, tenant_a, make_user):
    source, target = pair["source"], pair["target"]
    customer = make_user(tenant_a, User.Role.CUSTOMER)
    for actor in (agent, customer):
        with pytest.raises(ContactError, match="Only admins"):
            contact_merge(source=source, target=target, actor=actor)
    merge = contact_merge(source=source, target=target, actor=admin)
    with pytest.raises(ContactError, match="Only admins"):
        contact_merge_undo(merge=merge, actor=agent)
    assert Contact.objects.get(pk=source.pk).merged_into_id == target.pk


def test_undo_waits_until_a_later_merge_of_the_target_is_undone(pair, admin):
    source, target = pair["source"], pair["target"]
    first = contact_merge(source=source, target=target, actor=admin)
    final = contact_for_email(email="alice@final.example")
    second = contact_merge(source=target, target=final, actor=admin)
    assert contact_for_email(email="alice@work.example") == final  # followed through both
    with pytest.raises(ContactError, match="undo that merge first"):
        contact_merge_undo(merge=first, actor=admin)
    contact_merge_undo(merge=second, actor=admin)
    contact_merge_undo(merge=first, actor=admin)
    assert Ticket.objects.get(pk=pair["ticket"].pk).requester_id == source.pk
