"""Editing a contact and its identities by hand."""

from __future__ import annotations

import pytest

from kefu.accounts.models import User
from kefu.contacts.models import Contact, ContactIdentity
from kefu.contacts.services import (
    ContactError,
    contact_by_identity,
    contact_for_email,
    contact_for_user,
    contact_identity_add,
    contact_update,
    identity_remove,
)

pytestmark = pytest.mark.django_db


def test_staff_edit_name_language_and_tier(in_tenant_a, agent, tenant_a, make_user):
    contact = contact_for_email(email="mei@example.com")
    contact_update(contact=contact, name=" Mei ", language="zh-hans", tier="premium", actor=agent)
    contact.refresh_from_db()
    assert (contact.name, contact.language, contact.tier) == ("Mei", "zh-hans", "premium")
    with pytest.raises(ContactError, match="Unknown tier"):
        contact_update(contact=contact, name="Mei", language="", tier="gold", actor=agent)
    customer = make_user(tenant_a, User.Role.CUSTOMER)
    with pytest.raises(ContactError, match="Only staff"):
        contact_update(contact=contact, name="X", language="", tier="standard", actor=customer)


def test_added_phone_finds_the_contact_and_duplicates_suggest_a_merge(in_tenant_a, agent):
    mei = contact_for_email(email="mei@example.com")
    contact_identity_add(contact=mei, kind="phone", value="+86 (138) 0000-2222", actor=agent)
    assert contact_by_identity(kind="phone", value="+8613800002222") == mei
    other = contact_for_email(email="other@example.com", name="Other")
    with pytest.raises(ContactError, match="merge the two contacts"):
        contact_identity_add(contact=other, kind="phone", value="+8613800002222", actor=agent)
    with pytest.raises(ContactError, match="merge the two contacts"):
        contact_identity_add(contact=other, kind="email", value="MEI@example.com", actor=agent)
    with pytest.raises(ContactError, match="valid email"):
        contact_identity_add(contact=other, kind="email", value="not an address", actor=agent)
    with pytest.raises(ContactError, match="email, phone or chat"):
        contact_identity_add(contact=other, kind="account", value="1", actor=agent)


def test_the_last_identity_and_the_account_stay(in_tenant_a, agent, tenant_a, make_user):
    mei = contact_for_email(email="mei@example.com")
    only = mei.identities.get()
    with pytest.raises(ContactError, match="last one"):
        identity_remove(identity=only, actor=agent)
    customer = contact_for_user(user=make_user(tenant_a, User.Role.CUSTOMER))
    account = customer.identities.get(kind=ContactIdentity.Kind.ACCOUNT)
    with pytest.raises(ContactError, match="account cannot be removed"):
        identity_remove(identity=account, actor=agent)


def test_removing_the_main_address_lets_the_next_mail_open_a_new_contact(in_tenant_a, agent):
    mei = contact_for_email(email="mei@old.example")
    contact_identity_add(contact=mei, kind="email", value="mei@new.example", actor=agent)
    identity_remove(identity=mei.identities.get(value="mei@old.example"), actor=agent)
    assert Contact.objects.get(pk=mei.pk).email == "mei@new.example"
    assert contact_for_email(email="mei@old.example") != mei
    assert contact_for_email(email="mei@new.example") == mei
