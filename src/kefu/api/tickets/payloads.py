"""The ticket API's JSON: tickets and messages out, request bodies read field by field."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import QuerySet
from django.urls import NoReverseMatch
from django.utils.translation import gettext as _

from kefu.accounts.models import User
from kefu.api.errors import ApiError
from kefu.tickets.models import Ticket, TicketMessage

MAX_EMAIL = 254  # the contact's email column
LANGUAGES = ("en", "zh-hans")

# --- JSON out -------------------------------------------------------------------------------


def _iso(value: Any) -> str | None:
    return value.isoformat() if value else None


def _person(user: User | None) -> dict[str, Any] | None:
    if user is None:
        return None
    return {"id": user.pk, "name": user.get_full_name() or user.email}


def _desk_path(ticket: Ticket) -> str | None:
    from kefu.tenancy import tenant_reverse

    try:
        return tenant_reverse("desk:ticket_detail", args=(ticket.pk,))
    except NoReverseMatch:  # the desk page is not installed
        return None


def ticket_json(ticket: Ticket) -> dict[str, Any]:
    requester = ticket.requester
    return {
        "id": ticket.pk,
        "number": ticket.number,
        "subject": ticket.subject,
        "description": ticket.description,
        "status": ticket.status,
        "priority": ticket.priority,
        "category": (
            {"id": ticket.category.pk, "name": ticket.category.name} if ticket.category else None
        ),
        "requester": (
            {"id": requester.pk, "name": requester.name, "email": requester.email}
            if requester
            else None
        ),
        "assignee": _person(ticket.assignee),
        "tags": list(ticket.tags),
        "is_public": ticket.is_public,
        "channel": ticket.channel,
        "fields": ticket.fields,
        "sla": {
            "first_response_due_at": _iso(ticket.first_response_due_at),
            "resolution_due_at": _iso(ticket.resolution_due_at),
            "state": ticket.sla_state or None,
        },
        "created_at": _iso(ticket.created_at),
        "updated_at": _iso(ticket.updated_at),
        "url": _desk_path(ticket),
    }


def message_json(message: TicketMessage) -> dict[str, Any]:
    if message.author is not None:
        kind = "staff" if message.author.is_desk_user else "customer"
        author = {"type": kind, **(_person(message.author) or {})}
    elif message.author_contact is not None:
        author = {"type": "customer", "id": None, "name": message.author_contact.display_name}
    else:
        author = {"type": "system", "id": None, "name": ""}
    return {
        "id": message.pk,
        "internal": message.is_internal,
        "body": message.body,
        "author": author,
        "channel": message.channel,
        "attachments": [
            {"id": a.pk, "filename": a.filename, "size": a.size, "content_type": a.content_type}
            for a in message.attachments.all()
        ],
        "created_at": _iso(message.created_at),
    }


def ticket_detail_json(ticket: Ticket) -> dict[str, Any]:
    """The ticket with its thread; internal notes included (every API caller is staff)."""
    messages = ticket.messages.select_related("author", "author_contact").prefetch_related(
        "attachments"
    )
    return {**ticket_json(ticket), "messages": [message_json(m) for m in messages]}


# --- JSON in --------------------------------------------------------------------------------


class Input:
    """Reads a JSON object field by field, collecting one message per bad field. A field that
    is sent must have its type (null only where it clears something); one not sent is None."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data
        self.errors: dict[str, list[str]] = {}

    def __contains__(self, key: str) -> bool:
        return key in self.data

    def fail(self, key: str, message: str) -> None:
        self.errors.setdefault(key, []).append(message)

    def check(self) -> None:
        if self.errors:
            raise ApiError(400, "invalid", _("Some fields are not valid."), self.errors)

    def text(self, key: str, *, max_length: int, required: bool = False) -> str:
        value = self.data.get(key, "")
        if not isinstance(value, str):
            self.fail(key, _("Send a string."))
            return ""
        if required and not value.strip():
            self.fail(key, _("This field is required."))
        elif len(value) > max_length:
            self.fail(key, _("Use at most %(count)d characters.") % {"count": max_length})
        return value

    def choice(self, key: str, choices: list[str]) -> str | None:
        if key not in self.data:
            return None
        value = self.data[key]
        if value not in choices:
            self.fail(key, _("Use one of: %s.") % ", ".join(choices))
            return None
        return value

    def flag(self, key: str) -> bool | None:
        value = self.data.get(key)
        if key in self.data and not isinstance(value, bool):
            self.fail(key, _("Send true or false."))
            return None
        return value

    def strings(self, key: str, *, max_items: int) -> list[str] | None:
        value = self.data.get(key)
        if key not in self.data:
            return None
        if not (isinstance(value, list) and all(isinstance(item, str) for item in value)):
            self.fail(key, _("Send a list of strings."))
            return None
        if len(value) > max_items:
            self.fail(key, _("Send at most %(count)d.") % {"count": max_items})
            return None
        return value

    def mapping(self, key: str) -> dict[str, Any] | None:
        value = self.data.get(key)
        if key in self.data and not isinstance(value, dict):
            self.fail(key, _("Send an object."))
            return None
        return value

    def row(self, key: str, rows: QuerySet) -> Any:
        """The row with the id sent (null clears it)."""
        value = self.data.get(key)
        if value is None:
            return None
        is_id = isinstance(value, int) and not isinstance(value, bool)
        found = rows.filter(pk=value).first() if is_id else None
        if found is None:
            self.fail(key, _("No such id."))
        return found

    def requester(self, key: str) -> dict[str, str]:
        value = self.data.get(key)
        if not isinstance(value, dict) or not isinstance(value.get("email"), str):
            self.fail(key, _('Send the requester as {"email": ..., "name": ...}.'))
            return {}
        if unknown := sorted(set(value) - {"email", "name", "language"}):
            self.fail(key, _("Unknown fields: %s") % ", ".join(unknown))
        email, name, language = value["email"], value.get("name", ""), value.get("language", "")
        try:
            validate_email(email)
        except ValidationError:
            self.fail(key, _("Enter a valid email address."))
        if len(email) > MAX_EMAIL:
            self.fail(key, _("Use at most %(count)d characters.") % {"count": MAX_EMAIL})
        if not isinstance(name, str) or ("language" in value and language not in LANGUAGES):
            self.fail(key, _("name must be a string and language en or zh-hans."))
        return {"email": email, "name": str(name), "language": str(language)}
