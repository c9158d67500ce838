"""Signed values handed to people (links in mails, confirmation keys, reset tokens), bound to
the workspace that made them.

Every workspace shares one SECRET_KEY, so a value signed with a fixed salt in one workspace
would verify in all of them. Here the current schema name is part of every salt: a value
signed by workspace B is a bad signature in workspace A, whatever ids it names. Use these
instead of ``django.core.signing`` (and ``workspace_salt`` for other keyed hashes).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core import signing
from django.db import connection


def workspace_salt(purpose: str) -> str:
    """The salt of a value for ``purpose`` that is valid only in the current workspace."""
    return f"{purpose}:{connection.schema_name}"


def workspace_dumps(value: Any, *, purpose: str) -> str:
    """``value`` (JSON-serialisable) signed for ``purpose`` in the current workspace."""
    return signing.dumps(value, salt=workspace_salt(purpose), compress=True)


def workspace_loads(
    token: str, *, purpose: str, max_age: int | datetime.timedelta | None = None
) -> Any:
    """The value ``workspace_dumps`` signed for ``purpose`` in this workspace, or None when the
    token is forged, expired, for another purpose or from another workspace."""
    try:
        return signing.loads(token, salt=workspace_salt(purpose), max_age=max_age)
    except (signing.BadSignature, ValueError, TypeError):
        return None


def schema_checked_loads(
    token: str, *, salt: str, max_age: int | datetime.timedelta | None = None
) -> list[Any] | None:
    """A link signed before workspace salts existed whose payload starts with the schema name
    (ticket and "this solved it" links): valid only when that name is the current schema.
    These links sit in customers' mailboxes, so they keep working; the rest of the payload
    is returned, or None."""
    try:
        payload = signing.loads(token, salt=salt, max_age=max_age)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    if not isinstance(payload, list) or not payload or payload[0] != connection.schema_name:
        return None
    return payload[1:]
