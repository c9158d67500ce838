"""Finding, creating and editing the contact behind a message or request (tenant schema). A
contact is found by any of its identities; a merged contact resolves to the one it was merged
into. Merging lives in kefu.tickets.contact_merge."""

from __future__ import annotations

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from kefu.accounts.models import User
from kefu.accounts.selectors import user_email_verified
from kefu.contacts.models import Contact, ContactIdentity

#: Identity kinds staff may add or remove by hand; accounts follow the help center sign-in.
EDITABLE_KINDS = (
    ContactIdentity.Kind.EMAIL,
    ContactIdentity.Kind.PHONE,
    ContactIdentity.Kind.CHAT,
)
MAX_NAME = 200


class ContactError(Exception):
    """A contact change that cannot be made (the message is translated and shown as is)."""


def _require_staff(actor: User) -> None:
    if not (actor.is_authenticated and actor.is_desk_user):
        raise ContactError(_("Only staff can change contacts."))


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
    """The contact of a help center account, created on first use.

    An account is joined to the contact of its email address (and so sees that contact's
    tickets) only once it verified the address; until then it gets a contact of its own that
    only claims the address (``claimed_email``), and ``contact_account_join`` joins the two
    when the address is verified."""
    found = contact_by_identity(kind=ContactIdentity.Kind.ACCOUNT, value=str(user.pk))
    if found is not None:
        return found
    contact = Contact.objects.filter(user=user).first()
    if contact is None and user_email_verified(user):
        by_address = contact_for_email(
            email=user.email, name=_account_name(user), language=user.language
        )
        if by_address.user_id in (None, user.pk):
            contact = by_address
    if contact is None:
        return _account_contact_create(user)
    if contact.user_id is None:
        contact.user = user
        contact.save(update_fields=["user", "updated_at"])
    identity_add(contact=contact, kind=ContactIdentity.Kind.ACCOUNT, value=str(user.pk))
    return contact


def _account_name(user: User) -> str:
    return user.get_full_name() or user.email.split("@")[0]


def _account_contact_create(user: User) -> Contact:
    """A contact of the account alone: no email identity, so mail from the address and the
    address's earlier tickets stay with the contact of that address."""
    verified = user_email_verified(user)
    try:
        with transaction.atomic():
            contact = Contact.objects.create(
                name=_account_name(user),
                language=user.language,
                claimed_email="" if verified else user.email,
                user=user,
            )
            identity_add(contact=contact, kind=ContactIdentity.Kind.ACCOUNT, value=str(user.pk))
    except IntegrityError:  # a concurrent request of the same account made it a moment ago
        return Contact.objects.get(user=user)
    return contact


def contact_visitor_link(*, contact: Contact, visitor_key: str) -> None:
    """Remember that this help center visitor id is this contact (their searches and reads
    before contacting then show on the contact's timeline)."""
    from kefu.contacts.models import ContactVisitor

    if not visitor_key:
        return
    ContactVisitor.objects.update_or_create(contact=contact, visitor_key=visitor_key[:64])


@transaction.atomic
def contact_update(
    *, contact: Contact, name: str, language: str, tier: str, actor: User
) -> Contact:
    """Staff edit a contact's name, language and tier."""
    _require_staff(actor)
    if contact.merged_into_id:
        raise ContactError(_("This contact was merged into another one; edit that one."))
    name = (name or "").strip()
    if len(name) > MAX_NAME:
        raise ContactError(_("The name is too long."))
    language = (language or "").strip()
    if language and language not in dict(settings.LANGUAGES):
        raise ContactError(_("Unknown language."))
    if tier not in Contact.Tier.values:
        raise ContactError(_("Unknown tier."))
    # A guessed language the agent leaves as it is stays a guess; any change is theirs.
    contact.language_detected = contact.language_detected and language == contact.language
    contact.name, contact.language, contact.tier = name, language, tier
    contact.save(update_fields=["name", "language", "language_detected", "tier", "updated_at"])
    return contact


_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_LATIN = re.compile(r"[A-Za-z]")
_QUOTED = re.compile(r"^\s*>.*$", re.MULTILINE)
#: Latin letters per Chinese character of the same weight (an English word is ~4 letters).
_LETTERS_PER_CHARACTER = 4


def language_guess(text: str) -> str:
    """ "zh-hans", "en" or "" (too little to tell, or too mixed): from the share of Chinese
    characters in what a person wrote, quoted mail lines left out. Deterministic."""
    own = _QUOTED.sub("", text or "")
    han = len(_HAN.findall(own))
    latin = len(_LATIN.findall(own))
    weight = han + latin / _LETTERS_PER_CHARACTER
    if weight < 3:
        return ""
    share = han / weight
    if share >= 0.5:
        return "zh-hans"
    if share <= 0.1 and latin >= 12:
        return "en"
    return ""


def contact_language_learn(*, contact: Contact, text: str) -> None:
    """Fill a contact's unknown language from what they wrote. Never replaces a language
    that is known (set by the contact's account, by an agent, or guessed before)."""
    if contact.language or contact.merged_into_id:
        return
    guess = language_guess(text)
    if not guess:
        return
    updated = Contact.objects.filter(pk=contact.pk, language="").update(
        language=guess, language_detected=True
    )
    if updated:
        contact.language, contact.language_detected = guess, True


def _validated_identity(kind: str, value: str) -> str:
    if kind not in EDITABLE_KINDS:
        raise ContactError(_("Choose email, phone or chat visitor."))
    normalized = normalize_identity(kind, value)
    if kind == ContactIdentity.Kind.EMAIL:
        try:
            validate_email(normalized)
        except ValidationError:
            raise ContactError(_("Enter a valid email address.")) from None
    elif kind == ContactIdentity.Kind.PHONE:
        digits = normalized.lstrip("+")
        if not 5 <= len(digits) <= 20:
            raise ContactError(_("Enter a phone number of 5 to 20 digits."))
    elif not normalized or len(normalized) > 320:
        raise ContactError(_("Enter the chat visitor id."))
    return normalized


@transaction.atomic
def contact_identity_add(
    *, contact: Contact, kind: str, value: str, actor: User
) -> ContactIdentity:
    """Staff add an email address, phone number or chat id to a contact. One that already
    belongs to another contact is refused: the two are the same person, so merge them."""
    _require_staff(actor)
    if contact.merged_into_id:
        raise ContactError(_("This contact was merged into another one; edit that one."))
    normalized = _validated_identity(kind, value)
    existing = ContactIdentity.objects.filter(kind=kind, value=normalized).first()
    if existing is not None and existing.contact_id == contact.pk:
        return existing
    other = existing.contact if existing else None
    if other is None and kind == ContactIdentity.Kind.EMAIL:
        other = Contact.objects.filter(email__iexact=normalized).exclude(pk=contact.pk).first()
    if other is not None:
        raise ContactError(
            _("%(value)s already belongs to %(other)s (contact %(id)d). If they are the same "
              "person, merge the two contacts.")
            % {"value": normalized, "other": _surviving(other), "id": _surviving(other).pk}
        )  # fmt: skip
    identity = ContactIdentity.objects.create(contact=contact, kind=kind, value=normalized)
    if kind == ContactIdentity.Kind.EMAIL and not contact.email:
        contact.email = normalized
        contact.save(update_fields=["email", "updated_at"])
    return identity


@transaction.atomic
def identity_remove(*, identity: ContactIdentity, actor: User) -> None:
    """Staff remove an email address, phone number or chat id; a contact keeps at least one
    identity, and its help center account stays linked."""
    _require_staff(actor)
    contact = Contact.objects.select_for_update().get(pk=identity.contact_id)
    if identity.kind == ContactIdentity.Kind.ACCOUNT:
        raise ContactError(_("The help center account cannot be removed from its contact."))
    if contact.identities.count() <= 1:
        raise ContactError(_("A contact needs at least one identity; this is the last one."))
    identity.delete()
    if identity.kind == ContactIdentity.Kind.EMAIL and contact.email.lower() == identity.value:
        # Otherwise the next mail from this address would be matched by the old email again.
        contact.email = _free_email(contact)
        contact.save(update_fields=["email", "updated_at"])


def _free_email(contact: Contact) -> str:
    """One of the contact's email identities that no other contact has as its main address."""
    for identity in contact.identities.filter(kind=ContactIdentity.Kind.EMAIL).order_by("pk"):
        if not Contact.objects.filter(email__iexact=identity.value).exclude(pk=contact.pk).exists():
            return identity.value
    return ""


def contact_surviving(contact: Contact) -> Contact:
    """The contact itself, or the one it was (perhaps in several steps) merged into."""
    return _surviving(contact)
