"""The ticket API's part of the OpenAPI document (see kefu.api.openapi)."""

from __future__ import annotations

from typing import Any

from kefu.api.openapi import (
    ID,
    NULLABLE_ID,
    SOME_TEXT,
    TOKEN,
    body,
    enum_of,
    errors,
    integer,
    json_of,
    path_id,
    query,
    ref,
)
from kefu.api.tickets.views import MAX_LIMIT, MAX_PAGE
from kefu.tickets.models import Ticket
from kefu.tickets.services.creation import MAX_DESCRIPTION, MAX_SUBJECT, MAX_TAGS
from kefu.tickets.services.thread import MAX_BODY

STRING = {"type": "string"}
INTEGER = {"type": "integer"}
NULLABLE_INT = {"type": ["integer", "null"]}
DATETIME = {"type": ["string", "null"], "format": "date-time"}
TAGS = {"type": "array", "items": STRING, "maxItems": MAX_TAGS}
FIELDS = {
    "type": "object",
    "description": "Custom form fields by key: a string, a number or a list of choices.",
    "additionalProperties": {"type": ["string", "number", "array", "null"], "items": STRING},
}


def _object(
    properties: dict[str, Any], required: list[str] | None = None, *, closed: bool = False
) -> dict[str, Any]:
    """An object schema; ``closed`` for request bodies, where an unknown field is an error."""
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    if closed:
        schema["additionalProperties"] = False
    return schema


def _ticket() -> dict[str, Any]:
    named = _object({"id": INTEGER, "name": STRING})
    return _object(
        {
            "id": INTEGER,
            "number": {"type": "integer", "description": "Shown to people as #number"},
            "subject": STRING,
            "description": STRING,
            "status": {"type": "string", "enum": list(Ticket.Status.values)},
            "priority": {"type": "string", "enum": list(Ticket.Priority.values)},
            "category": {"oneOf": [named, {"type": "null"}]},
            "requester": {
                "oneOf": [
                    _object({"id": INTEGER, "name": STRING, "email": STRING}),
                    {"type": "null"},
                ]
            },
            "assignee": {"oneOf": [named, {"type": "null"}]},
            "tags": TAGS,
            "is_public": {"type": "boolean"},
            "channel": {"type": "string", "enum": list(Ticket.Channel.values)},
            "fields": FIELDS,
            "sla": _object(
                {
                    "first_response_due_at": DATETIME,
                    "resolution_due_at": DATETIME,
                    "state": {
                        "type": ["string", "null"],
                        "enum": [v for v in Ticket.SlaState.values if v] + [None],
                    },
                }
            ),
            "created_at": DATETIME,
            "updated_at": DATETIME,
            "url": {"type": ["string", "null"], "description": "The ticket's page in the desk"},
        },
        ["id", "number", "subject", "status", "priority"],
    )


def _message() -> dict[str, Any]:
    author = _object(
        {
            "type": {"type": "string", "enum": ["staff", "customer", "system"]},
            "id": NULLABLE_INT,
            "name": STRING,
        }
    )
    attachment = _object(
        {"id": INTEGER, "filename": STRING, "size": INTEGER, "content_type": STRING}
    )
    return _object(
        {
            "id": INTEGER,
            "internal": {"type": "boolean", "description": "An internal note (staff only)"},
            "body": STRING,
            "author": author,
            "channel": {"type": "string", "enum": list(Ticket.Channel.values)},
            "attachments": {"type": "array", "items": attachment},
            "created_at": DATETIME,
        }
    )


def ticket_schemas() -> dict[str, Any]:
    status = enum_of(Ticket.Status.values)
    priority = enum_of(Ticket.Priority.values)
    requester = _object(
        {
            "email": {"type": "string", "format": "email", "maxLength": 254},
            "name": STRING,
            "language": enum_of(["en", "zh-hans"]),
        },
        ["email"],
        closed=True,
    )
    return {
        "Ticket": _ticket(),
        "TicketMessage": _message(),
        "TicketDetail": {
            "allOf": [
                ref("Ticket"),
                _object({"messages": {"type": "array", "items": ref("TicketMessage")}}),
            ]
        },
        "TicketList": _object(
            {
                "results": {"type": "array", "items": ref("Ticket")},
                "count": INTEGER,
                "next": {"type": ["string", "null"], "description": "The next page, if any"},
            },
            ["results", "count", "next"],
        ),
        "TicketCreate": _object(
            {
                "subject": {"type": "string", "maxLength": MAX_SUBJECT, "pattern": SOME_TEXT},
                "description": {"type": "string", "maxLength": MAX_DESCRIPTION},
                "requester": requester,
                "category": NULLABLE_ID,
                "priority": priority,
                "fields": FIELDS,
                "tags": TAGS,
                "is_public": {"type": "boolean"},
            },
            ["subject", "requester"],
            closed=True,
        ),
        "TicketUpdate": _object(
            {
                "status": status,
                "priority": priority,
                "category": NULLABLE_ID,
                "assignee": {**NULLABLE_ID, "description": "A staff user id; admins only"},
                "tags": TAGS,
                "is_public": {"type": "boolean"},
                "fields": FIELDS,
            },
            closed=True,
        ),
        "TicketReply": _object(
            {
                "body": {"type": "string", "maxLength": MAX_BODY, "pattern": SOME_TEXT},
                "internal": {"type": "boolean", "default": False},
                "status": {**status, "description": "Set the status with the reply"},
            },
            ["body"],
            closed=True,
        ),
        "TicketReplyResult": _object(
            {"message": ref("TicketMessage"), "ticket": ref("Ticket")}, ["message", "ticket"]
        ),
    }


def ticket_paths() -> dict[str, Any]:
    statuses = "|".join(Ticket.Status.values)
    list_params = [
        query(
            "status",
            "Comma-separated statuses, e.g. new,open",
            {"type": "string", "pattern": rf"^(({statuses})(,({statuses}))*)?$"},
        ),
        query(
            "assignee",
            "me, none, or a user id",
            {"type": "string", "pattern": r"^(me|none|[1-9][0-9]{0,17})?$"},
        ),
        query("category", "A category id", ID),
        query("requester", "The requester's email address", STRING),
        query("q", "Words in the subject or description, or a ticket number", STRING),
        query("page", "Page number, from 1", integer(1, MAX_PAGE)),
        query("limit", "Tickets per page", integer(1, MAX_LIMIT)),
    ]
    detail = ref("TicketDetail")
    return {
        "/api/v1/tickets": {
            "get": {
                "summary": "List tickets",
                "security": TOKEN,
                "parameters": list_params,
                "responses": {"200": json_of(ref("TicketList")), **errors("400", "401", "403")},
            },
            "post": {
                "summary": "Open a ticket for a customer (channel api)",
                "security": TOKEN,
                "requestBody": body("TicketCreate", "The ticket and its requester"),
                "responses": {
                    "201": json_of(detail, "Created"),
                    **errors("400", "401", "403", "413"),
                },
            },
        },
        "/api/v1/tickets/{ticket_id}": {
            "parameters": path_id("ticket_id"),
            "get": {
                "summary": "Read a ticket with its messages and internal notes",
                "security": TOKEN,
                "responses": {"200": json_of(detail), **errors("401", "403", "404")},
            },
            "patch": {
                "summary": "Change status, priority, category, assignee, tags, visibility, fields",
                "security": TOKEN,
                "requestBody": body("TicketUpdate", "Only the fields sent change"),
                "responses": {
                    "200": json_of(detail),
                    **errors("400", "401", "403", "404", "413"),
                },
            },
        },
        "/api/v1/tickets/{ticket_id}/reply": {
            "parameters": path_id("ticket_id"),
            "post": {
                "summary": "Reply to the requester, or add an internal note",
                "security": TOKEN,
                "requestBody": body("TicketReply", "The reply"),
                "responses": {
                    "201": json_of(ref("TicketReplyResult"), "Added"),
                    **errors("400", "401", "403", "404", "413"),
                },
            },
        },
    }
