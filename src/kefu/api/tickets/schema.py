"""The ticket API's part of the OpenAPI document (see kefu.api.openapi)."""

from __future__ import annotations

from typing import Any

from kefu.api.openapi import TOKEN, json_of, ref
from kefu.tickets.models import Ticket

STRING = {"type": "string"}
INTEGER = {"type": "integer"}
NULLABLE_INT = {"type": ["integer", "null"]}
DATETIME = {"type": ["string", "null"], "format": "date-time"}
TAGS = {"type": "array", "items": STRING, "maxItems": 20}
FIELDS = {
    "type": "object",
    "description": "Custom form fields by key: a string, a number or a list of choices.",
    "additionalProperties": True,
}


def _object(properties: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
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
    status = {"type": "string", "enum": list(Ticket.Status.values)}
    priority = {"type": "string", "enum": list(Ticket.Priority.values)}
    error = _object(
        {
            "error": _object(
                {
                    "code": STRING,
                    "message": STRING,
                    "fields": {
                        "type": "object",
                        "description": "Messages per invalid field",
                        "additionalProperties": {"type": "array", "items": STRING},
                    },
                },
                ["code", "message"],
            )
        },
        ["error"],
    )
    requester = _object(
        {
            "email": {"type": "string", "format": "email"},
            "name": STRING,
            "language": {"type": "string", "enum": ["en", "zh-hans"]},
        },
        ["email"],
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
                "subject": {"type": "string", "maxLength": 300},
                "description": STRING,
                "requester": requester,
                "category": NULLABLE_INT,
                "priority": priority,
                "fields": FIELDS,
                "tags": TAGS,
                "is_public": {"type": "boolean"},
            },
            ["subject", "requester"],
        ),
        "TicketUpdate": _object(
            {
                "status": status,
                "priority": priority,
                "category": NULLABLE_INT,
                "assignee": {**NULLABLE_INT, "description": "A staff user id; admins only"},
                "tags": TAGS,
                "is_public": {"type": "boolean"},
                "fields": FIELDS,
            }
        ),
        "TicketReply": _object(
            {
                "body": STRING,
                "internal": {"type": "boolean", "default": False},
                "status": {**status, "description": "Set the status with the reply"},
            },
            ["body"],
        ),
        "TicketReplyResult": _object(
            {"message": ref("TicketMessage"), "ticket": ref("Ticket")}, ["message", "ticket"]
        ),
        "ApiError": error,
    }


def _errors(*codes: str) -> dict[str, Any]:
    meaning = {
        "400": "Invalid input (messages per field)",
        "401": "No or invalid token",
        "403": "Not allowed for this role",
        "404": "No such ticket in this workspace",
    }
    return {code: json_of(ref("ApiError"), meaning[code]) for code in codes}


def _query(name: str, description: str, schema: dict | None = None) -> dict[str, Any]:
    return {"name": name, "in": "query", "description": description, "schema": schema or STRING}


def ticket_paths() -> dict[str, Any]:
    item = [{"name": "ticket_id", "in": "path", "required": True, "schema": INTEGER}]
    list_params = [
        _query("status", "Comma-separated statuses, e.g. new,open"),
        _query("assignee", "me, none, or a user id"),
        _query("category", "A category id", INTEGER),
        _query("requester", "The requester's email address"),
        _query("q", "Words in the subject or description, or a ticket number"),
        _query("page", "Page number, from 1", {"type": "integer", "minimum": 1}),
        _query("limit", "Tickets per page", {"type": "integer", "minimum": 1, "maximum": 100}),
    ]
    detail = ref("TicketDetail")
    return {
        "/api/v1/tickets": {
            "get": {
                "summary": "List tickets",
                "security": TOKEN,
                "parameters": list_params,
                "responses": {"200": json_of(ref("TicketList")), **_errors("400", "401", "403")},
            },
            "post": {
                "summary": "Open a ticket for a customer (channel api)",
                "security": TOKEN,
                "requestBody": json_of(ref("TicketCreate"), "The ticket and its requester"),
                "responses": {
                    "201": json_of(detail, "Created"),
                    **_errors("400", "401", "403"),
                },
            },
        },
        "/api/v1/tickets/{ticket_id}": {
            "parameters": item,
            "get": {
                "summary": "Read a ticket with its messages and internal notes",
                "security": TOKEN,
                "responses": {"200": json_of(detail), **_errors("401", "403", "404")},
            },
            "patch": {
                "summary": "Change status, priority, category, assignee, tags, visibility, fields",
                "security": TOKEN,
                "requestBody": json_of(ref("TicketUpdate"), "Only the fields sent change"),
                "responses": {"200": json_of(detail), **_errors("400", "401", "403", "404")},
            },
        },
        "/api/v1/tickets/{ticket_id}/reply": {
            "parameters": item,
            "post": {
                "summary": "Reply to the requester, or add an internal note",
                "security": TOKEN,
                "requestBody": json_of(ref("TicketReply"), "The reply"),
                "responses": {
                    "201": json_of(ref("TicketReplyResult"), "Added"),
                    **_errors("400", "401", "403", "404"),
                },
            },
        },
    }
