"""Joining a help center account to the contact of an email address it verified (tenant
schema). Until then the account has a contact of its own that only claims the address
(``kefu.contacts.services.contact_for_user``); see ``kefu.tickets.receivers`` for the allauth
hook. Here, not in kefu.contacts, because joining merges contacts, which moves tickets."""

from __future__ import annotations

import logging

from django.db import transaction

from kefu.accounts.models import User
from kefu.contacts.models import Contact, ContactIdentity
from kefu.contacts.services import (
    contact_by_identity,
    contact_for_user,
    identity_add,
    normalize_identity,
)
from kefu.tickets.contact_merge import contact_merge_verified_account

logger = logging.getLogger(__name__)


def _address_contact(email: str) -> Contact | None:
    found = contact_by_identity(kind=ContactIdentity.Kind.EMAIL, value=email)
    return found or Contact.objects.filter(email__iexact=email, merged_into=None).first()


@transaction.atomic
def contact_account_join(*, user: User, email: str) -> Contact | None:
    """``user`` proved they receive mail at ``email``: their account's contact becomes the
    contact of that address (merged into it when the address already has one, so its earlier
    tickets and history become the account's). Returns the account's contact; None for staff
    who never wrote in as a customer (they get no contact for it)."""
    address = normalize_identity(ContactIdentity.Kind.EMAIL, email)
    own = contact_by_identity(kind=ContactIdentity.Kind.ACCOUNT, value=str(user.pk))
    own = own or Contact.objects.filter(user=user).first()
    if own is None:
        if user.is_desk_user:
            return None
        own = contact_for_user(user=user)  # the address is verified: linked by it if it can
    if not address:
        return own
    existing = _address_contact(address)
    if existing is None or existing.pk == own.pk:
        _take_address(own, address)
        return own
    if existing.user_id is not None:  # another account's contact: staff can merge by hand
        logger.warning(
            "account %s verified the address of contact %s, which has another account",
            user.pk,
            existing.pk,
        )
        return own
    contact_merge_verified_account(account_contact=own, address_contact=existing)
    return Contact.objects.get(pk=existing.pk)


def _take_address(contact: Contact, address: str) -> None:
    identity_add(contact=contact, kind=ContactIdentity.Kind.EMAIL, value=address)
    if not contact.email:
        contact.email = address
    if contact.claimed_email.lower() == address:
        contact.claimed_email = ""
    contact.save(update_fields=["email", "claimed_email", "updated_at"])
