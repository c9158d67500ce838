"""Who else has a ticket open: each agent's browser reports "viewing" or "replying" every few
seconds; entries not refreshed within PRESENCE_TTL seconds disappear.

The cache key carries the tenant's schema so two workspaces' ticket #1001 never meet.
"""

from __future__ import annotations

import time

from django.core.cache import cache
from django.db import connection

from kefu.accounts.models import User

PRESENCE_TTL = 30
STATES = ("viewing", "replying")


def _key(ticket_id: int) -> str:
    return f"desk-presence:{connection.schema_name}:{ticket_id}"


def _fresh(entries: dict[str, dict], now: float) -> dict[str, dict]:
    return {uid: entry for uid, entry in entries.items() if now - entry["at"] < PRESENCE_TTL}


def presence_set(*, ticket_id: int, user: User, state: str) -> None:
    """Record ``user`` on the ticket with ``state`` (any other state: they left)."""
    now = time.time()
    entries = _fresh(cache.get(_key(ticket_id)) or {}, now)
    if state in STATES:
        entries[str(user.pk)] = {
            "name": user.get_full_name() or user.email,
            "state": state,
            "at": now,
        }
    else:
        entries.pop(str(user.pk), None)
    cache.set(_key(ticket_id), entries, PRESENCE_TTL)


def presence_others(*, ticket_id: int, user: User) -> list[dict[str, str]]:
    """The other agents on the ticket right now: name and state, replying ones first."""
    entries = _fresh(cache.get(_key(ticket_id)) or {}, time.time())
    others = [
        {"name": entry["name"], "state": entry["state"]}
        for uid, entry in entries.items()
        if uid != str(user.pk)
    ]
    return sorted(others, key=lambda other: (other["state"] != "replying", other["name"]))
