"""Finding or creating the contact behind a message or request (tenant schema). A contact is
found by any of its identities; a merged contact resolves to the one it was merged into."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from kefu.accounts.models import User
from kefu.contacts.models import Contact, ContactIdentity


def _surviving(contact: Contact) -> Contact:
    seen = set()
    while contact.merged_into_id and contact.pk not in seen:
        seen.add(contact.pk)
        contact = contact.merged_into
    return contact


def normalize_identity(kind: str, value: str) -> str:
    value = (value or "").strip()
    if kind == ContactIdentity.Kind.EMAIL:
        return value.lower()
    if kind == ContactIdentity.Kind.PHONE:
        return ("+" if value.startswith("+") else "") + "".join(c for c in value if c.isdigit())
    return value


def contact_by_identity(*, kind: str, value: str) -> Contact | None:
    identity = (
        ContactIdentity.objects.select_related("contact")
        .filter(kind=kind, value=normalize_identity(kind, value))
        .first()
    )
    return _surviving(identity.contact) if identity else None


def identity_add(*, contact: Contact, kind: str, value: str) -> ContactIdentity:
    """Attach an identity (idempotent; an identity already on another contact stays there)."""
    identity, _created = ContactIdentity.objects.get_or_create(
        kind=kind, value=normalize_identity(kind, value), defaults={"contact": contact}
    )
    return identity


def contact_for_email(*, email: str, name: str = "", language: str = "") -> Contact:
    """The contact with this email address (any of theirs), created if there is none."""
    found = contact_by_identity(kind=ContactIdentity.Kind.EMAIL, value=email)
    if found is not None:
        return found
    normalized = normalize_identity(ContactIdentity.Kind.EMAIL, email)
    try:
        with transaction.atomic():
            contact = Contact.objects.filter(email__iexact=normalized).first()
            if contact is None:
                contact = Contact.objects.create(  # shown as written; matched lower-cased
                    email=(email or "").strip(), name=(name or "").strip(), language=language
                )
            identity_add(contact=contact, kind=ContactIdentity.Kind.EMAIL, value=normalized)
            return _surviving(contact)
    except IntegrityError:  # created by a concurrent request a moment ago
        found = contact_by_identity(kind=ContactIdentity.Kind.EMAIL, value=email)
        if found is None:
            raise
        return found


def contact_for_user(*, user: User) -> Contact:
    """The contact of a help center account, created (or linked by email) on first use."""
    found = contact_by_identity(kind=ContactIdentity.Kind.ACCOUNT, value=str(user.pk))
    if found is not None:
        return found
    linked = Contact.objects.filter(user=user).first()
    contact = linked or contact_for_email(
        email=user.email,
        name=user.get_full_name() or user.email.split("@")[0],
        language=user.language,
    )
    if contact.user_id is None:
        contact.user = user
        contact.save(update_fields=["user", "updated_at"])
    identity_add(contact=contact, kind=ContactIdentity.Kind.ACCOUNT, value=str(user.pk))
    return contact


def contact_visitor_link(*, contact: Contact, visitor_key: str) -> None:
    """Remember that this help center visitor id is this contact (their searches and reads
    before contacting then show on the contact's timeline)."""
    from kefu.contacts.models import ContactVisitor

    if not visitor_key:
        return
    ContactVisitor.objects.update_or_create(contact=contact, visitor_key=visitor_key[:64])
