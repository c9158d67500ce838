"""The ticket API's JSON: tickets and messages out, checked request bodies in."""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import NoReverseMatch
from django.utils.translation import gettext as _

from kefu.accounts.models import User
from kefu.api.tickets.auth import ApiError
from kefu.tickets.models import Ticket, TicketMessage

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


def payload(request: HttpRequest, allowed: frozenset[str]) -> dict[str, Any]:
    try:
        data = json.loads(request.body or b"{}")
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise ApiError(400, "bad_request", _("The body is not valid JSON.")) from None
    if not isinstance(data, dict):
        raise ApiError(400, "bad_request", _("The body must be a JSON object."))
    unknown = sorted(set(data) - allowed)
    if unknown:
        fields = {key: [_("Unknown field.")] for key in unknown}
        raise ApiError(400, "invalid", _("Unknown fields: %s") % ", ".join(unknown), fields)
    return data


class Input:
    """Reads a JSON object field by field, collecting one message per bad field."""

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

    def text(self, key: str, *, required: bool = False) -> str:
        value = self.data.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.fail(key, _("This field is required."))
            return ""
        if not isinstance(value, str):
            self.fail(key, _("Send a string."))
            return ""
        return value

    def choice(self, key: str, choices: list[str]) -> str | None:
        value = self.data.get(key)
        if value is None:
            return None
        if value not in choices:
            self.fail(key, _("Use one of: %s.") % ", ".join(choices))
            return None
        return value

    def flag(self, key: str) -> bool | None:
        value = self.data.get(key)
        if value is not None and not isinstance(value, bool):
            self.fail(key, _("Send true or false."))
            return None
        return value

    def strings(self, key: str) -> list[str] | None:
        value = self.data.get(key)
        if value is not None and not (
            isinstance(value, list) and all(isinstance(item, str) for item in value)
        ):
            self.fail(key, _("Send a list of strings."))
            return None
        return value

    def mapping(self, key: str) -> dict[str, Any] | None:
        value = self.data.get(key)
        if value is not None and not isinstance(value, dict):
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
        email, name = value["email"].strip(), value.get("name") or ""
        language = value.get("language") or ""
        try:
            validate_email(email)
        except ValidationError:
            self.fail(key, _("Enter a valid email address."))
        if not isinstance(name, str) or language not in ("", "en", "zh-hans"):
            self.fail(key, _("name must be a string and language en or zh-hans."))
        return {"email": email, "name": str(name), "language": str(language)}
