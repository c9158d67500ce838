"""Finding or creating the contact behind a request (tenant schema)."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from kefu.accounts.models import User
from kefu.contacts.models import Contact


def contact_for_user(*, user: User) -> Contact:
    """The contact of a help center account, created (or linked by email) on first use."""
    contact = Contact.objects.filter(user=user).first()
    if contact is not None:
        return contact
    name = user.get_full_name() or user.email.split("@")[0]
    contact = contact_for_email(email=user.email, name=name, language=user.language)
    if contact.user_id is None:
        contact.user = user
        contact.save(update_fields=["user", "updated_at"])
    return contact


def contact_for_email(*, email: str, name: str = "", language: str = "") -> Contact:
    """The contact with this email address (case-insensitive), created if there is none."""
    email = email.strip()
    existing = Contact.objects.filter(email__iexact=email).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            return Contact.objects.create(email=email, name=name.strip(), language=language)
    except IntegrityError:  # created by a concurrent request a moment ago
        return Contact.objects.get(email__iexact=email)
