"""Merging two contacts that are one person, and undoing it (tenant schema). Here, not in
kefu.contacts, because a merge moves tickets (tickets -> contacts is the direction that stays).

A merge moves the source's identities, help center visitor ids, tickets, messages and
deflections to the target and records the id of every moved row in ``ContactMerge.moved``.
Undo puts back exactly those rows that still point at the target: a ticket opened for the
target after the merge stays with the target.
"""

from __future__ import annotations

from typing import Any

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kefu.accounts.models import User
from kefu.accounts.permissions import ADMIN_ROLES
from kefu.contacts.models import Contact, ContactIdentity, ContactMerge, ContactVisitor
from kefu.contacts.services import ContactError
from kefu.tickets.models import DeflectionEvent, Ticket, TicketMessage

#: What moves, by the key in ``ContactMerge.moved``: (model, field pointing at the contact).
MOVED_ROWS: dict[str, tuple[type[models.Model], str]] = {
    "identities": (ContactIdentity, "contact"),
    "visitors": (ContactVisitor, "contact"),
    "tickets": (Ticket, "requester"),
    "messages": (TicketMessage, "author_contact"),
    "deflections": (DeflectionEvent, "contact"),
}
#: Details of the target that the source fills in when the target has none. The standard tier
#: counts as none: a premium customer found under a second address stays premium.
FILLED_FIELDS = ("name", "language", "tier", "email")
_UNSET: dict[str, str] = {"name": "", "language": "", "tier": Contact.Tier.STANDARD, "email": ""}


def _require_admin(actor: User) -> None:
    if not (actor.is_authenticated and actor.role in ADMIN_ROLES):
        raise ContactError(_("Only admins can merge contacts or undo a merge."))


def _locked(*contacts: Contact) -> list[Contact]:
    """The contacts re-read under a row lock, in id order (so two merges cannot deadlock)."""
    ids = [contact.pk for contact in contacts]
    locked = Contact.objects.select_for_update().filter(pk__in=ids).order_by("pk")
    rows = {row.pk: row for row in locked}
    for pk in ids:
        if pk not in rows:
            raise ContactError(_("That contact no longer exists."))
    return [rows[pk] for pk in ids]


def _check_merge(source: Contact, target: Contact) -> None:
    if source.pk == target.pk:
        raise ContactError(_("A contact cannot be merged into itself."))
    if target.merged_into_id:
        raise ContactError(
            _("Contact %(id)d was itself merged into another contact; merge into that one.")
            % {"id": target.pk}
        )
    if source.merged_into_id:
        raise ContactError(_("Contact %(id)d is already merged.") % {"id": source.pk})
    if source.user_id and target.user_id:
        raise ContactError(
            _("Both contacts have a help center account, and accounts cannot be merged.")
        )


def contact_merge_check(*, source: Contact, target: Contact, actor: User) -> None:
    """Raise ContactError if ``contact_merge`` would refuse (to ask before confirming)."""
    _require_admin(actor)
    _check_merge(source, target)


def _move_rows(source: Contact, target: Contact) -> dict[str, list[Any]]:
    moved: dict[str, list[Any]] = {}
    # A visitor id both contacts share is kept once, on the target; undo gives it back.
    target_keys = set(target.visitors.values_list("visitor_key", flat=True))
    shared = ContactVisitor.objects.filter(contact=source, visitor_key__in=target_keys)
    moved["visitors_shared"] = sorted(shared.values_list("visitor_key", flat=True))
    shared.delete()
    for key, (model, field) in MOVED_ROWS.items():
        rows = model.objects.filter(**{field: source})
        moved[key] = sorted(rows.values_list("pk", flat=True))
        model.objects.filter(pk__in=moved[key]).update(**{field: target})
    return moved


def _fill_details(source: dict[str, str], target: Contact) -> dict[str, dict[str, str]]:
    """Copy what the target lacks from the source's values; returns {field: {"from", "to"}}."""
    changed: dict[str, dict[str, str]] = {}
    for field in FILLED_FIELDS:
        mine, theirs = getattr(target, field), source[field]
        if mine == _UNSET[field] and theirs != _UNSET[field]:
            changed[field] = {"from": mine, "to": theirs}
            setattr(target, field, theirs)
    return changed


@transaction.atomic
def contact_merge(*, source: Contact, target: Contact, actor: User) -> ContactMerge:
    """Merge ``source`` into ``target`` (admins only). The source stays as a pointer to the
    target, so anything still holding its id finds the surviving contact."""
    _require_admin(actor)
    return _merge(source, target, merged_by=actor)


@transaction.atomic
def contact_merge_verified_account(
    *, account_contact: Contact, address_contact: Contact
) -> ContactMerge:
    """Merge the contact of a help center account into the contact of an email address the
    account has just verified (no staff decision: the verification is the proof). Recorded
    like any merge, without a person, so an admin can still undo it."""
    return _merge(account_contact, address_contact, merged_by=None)


def _merge(source: Contact, target: Contact, *, merged_by: User | None) -> ContactMerge:
    source, target = _locked(source, target)
    _check_merge(source, target)
    moved: dict[str, Any] = _move_rows(source, target)
    details = {field: getattr(source, field) for field in FILLED_FIELDS}
    account = source.user_id
    # Unique columns (email, account) are freed on the source before the target takes them.
    source.email, source.claimed_email, source.user, source.merged_into = "", "", None, target
    source.save(update_fields=["email", "claimed_email", "user", "merged_into", "updated_at"])
    moved["fields"] = _fill_details(details, target)
    moved["source_email"] = details["email"]
    moved["user"] = account
    if account:
        target.user_id = account
    target.save()
    return ContactMerge.objects.create(
        source=source, target=target, moved=moved, merged_by=merged_by
    )


def _check_undo(merge: ContactMerge, source: Contact, target: Contact) -> None:
    if merge.undone_at:
        raise ContactError(_("This merge was already undone."))
    if target.merged_into_id:
        raise ContactError(
            _("Contact %(id)d was merged again since; undo that merge first.") % {"id": target.pk}
        )
    if source.merged_into_id != target.pk:
        raise ContactError(_("This merge can no longer be undone."))


def _restore_rows(moved: dict[str, Any], source: Contact, target: Contact) -> None:
    for key, (model, field) in MOVED_ROWS.items():
        ids = moved.get(key) or []
        model.objects.filter(pk__in=ids, **{field: target}).update(**{field: source})
    for visitor_key in moved.get("visitors_shared") or []:
        ContactVisitor.objects.get_or_create(contact=source, visitor_key=visitor_key)


def _restore_details(moved: dict[str, Any], source: Contact, target: Contact) -> None:
    """Give the target back what it had (where nobody changed it since) and the source its
    account and email address."""
    account = moved.get("user")
    if account and target.user_id == account:
        target.user = None
    for field, change in (moved.get("fields") or {}).items():
        if field in FILLED_FIELDS and getattr(target, field) == change.get("to"):
            setattr(target, field, change.get("from", _UNSET[field]))
    target.save()
    email = moved.get("source_email") or ""
    if email and not Contact.objects.filter(email__iexact=email).exists():
        source.email = email
    if account and not Contact.objects.filter(user_id=account).exists():
        source.user_id = account
    source.merged_into = None
    source.save()


@transaction.atomic
def contact_merge_undo(*, merge: ContactMerge, actor: User) -> ContactMerge:
    """Undo a merge (admins only): exactly the rows it moved that still point at the target
    go back to the source, which becomes a contact of its own again."""
    _require_admin(actor)
    merge = ContactMerge.objects.select_for_update().get(pk=merge.pk)
    source, target = _locked(merge.source, merge.target)
    _check_undo(merge, source, target)
    moved = merge.moved if isinstance(merge.moved, dict) else {}
    _restore_rows(moved, source, target)
    _restore_details(moved, source, target)
    merge.undone_at = timezone.now()
    merge.save(update_fields=["undone_at"])
    return merge
