"""Reads about contacts (tenant schema): the desk's list and search, access, visitor ids and
merge history. A contact's timeline (tickets, messages, help center) is kefu.tickets.timeline."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404

from kefu.accounts.models import User
from kefu.contacts.models import Contact, ContactIdentity, ContactMerge
from kefu.contacts.services import normalize_identity
from kefu.core.parsing import id_or_none


def contact_list(*, query: str = "", tier: str = "") -> QuerySet[Contact]:
    """Contacts that were not merged away, matching a name, email or phone fragment, with their
    number of tickets (``ticket_count``)."""
    contacts = Contact.objects.filter(merged_into__isnull=True)
    query = (query or "").strip()[:200]
    if query:
        identity = ContactIdentity.objects.filter(contact=OuterRef("pk"), value__icontains=query)
        matches = (
            Q(name__icontains=query)
            | Q(email__icontains=query)
            | Q(claimed_email__icontains=query)
            | Exists(identity)
        )
        phone = normalize_identity(ContactIdentity.Kind.PHONE, query)
        if len(phone.lstrip("+")) >= 3:
            matches |= Exists(
                ContactIdentity.objects.filter(
                    contact=OuterRef("pk"),
                    kind=ContactIdentity.Kind.PHONE,
                    value__contains=phone.lstrip("+"),
                )
            )
        contacts = contacts.filter(matches)
    if tier in Contact.Tier.values:
        contacts = contacts.filter(tier=tier)
    return (
        contacts.select_related("user")
        .annotate(ticket_count=Count("tickets"))
        .order_by("name", "email", "pk")
    )


def access_contact(user: User | AnonymousUser, contact_id: int) -> Contact:
    """A contact for staff, else 404 (merged contacts too: the view redirects those)."""
    if not (user.is_authenticated and user.is_desk_user):
        raise Http404
    found = Contact.objects.select_related("user", "merged_into").filter(pk=contact_id).first()
    if found is None:
        raise Http404
    return found


def contact_find(text: str) -> Contact | None:
    """The contact an admin means by ``text``: an id (``12`` or ``#12``), an email address or a
    phone number of theirs. Merged contacts resolve to the one they were merged into."""
    from kefu.contacts.services import contact_by_identity

    text = (text or "").strip()
    contact_id = id_or_none(text.lstrip("#")) if len(text) < 12 else None  # longer: a phone
    if contact_id is not None:
        return Contact.objects.filter(pk=contact_id).first()
    if "@" in text:
        found = contact_by_identity(kind=ContactIdentity.Kind.EMAIL, value=text)
        return found or Contact.objects.filter(email__iexact=text).first()
    if text:
        return contact_by_identity(kind=ContactIdentity.Kind.PHONE, value=text)
    return None


def contact_visitor_keys(contact: Contact) -> list[str]:
    return list(contact.visitors.values_list("visitor_key", flat=True))


def contact_merge_history(contact: Contact) -> QuerySet[ContactMerge]:
    """Merges into or out of ``contact``, newest first."""
    return (
        ContactMerge.objects.filter(Q(target=contact) | Q(source=contact))
        .select_related("source", "target", "merged_by")
        .order_by("-created_at", "-pk")
    )
