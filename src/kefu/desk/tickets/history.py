"""A ticket's history in words: "Alex changed the status from New to Open"."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils.translation import gettext as _

from kefu.accounts.models import User
from kefu.tickets.models import SkillGroup, Ticket, TicketCategory, TicketEvent

Kind = TicketEvent.Kind


@dataclass
class HistoryLine:
    actor: str
    text: str
    at: datetime


class _Names:
    """Names for the ids stored in events, fetched in one query per kind of object."""

    def __init__(self, events: list[TicketEvent]) -> None:
        ids: dict[str, set[int]] = {"user": set(), "category": set(), "group": set()}
        for event in events:
            data = event.data if isinstance(event.data, dict) else {}
            bucket = {Kind.CATEGORY: "category", Kind.SKILL_GROUP: "group"}.get(event.kind)
            if event.kind in (Kind.ASSIGNED, Kind.UNASSIGNED):
                bucket = "user"
                ids["user"].update(_ints([data.get("assignee")]))
            if bucket:
                ids[bucket].update(_ints([data.get("from"), data.get("to")]))
        users = User.objects.filter(pk__in=ids["user"])
        self.users = {user.pk: user.get_full_name() or user.email for user in users}
        self.categories = dict(
            TicketCategory.objects.filter(pk__in=ids["category"]).values_list("pk", "name")
        )
        self.groups = dict(SkillGroup.objects.filter(pk__in=ids["group"]).values_list("pk", "name"))


def _ints(values: Iterable[Any]) -> list[int]:
    return [value for value in values if isinstance(value, int)]


def _label(choices: type, value: Any) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value or "—")


def _named(names: dict[int, str], value: Any) -> str:
    return names.get(value, "—") if value is not None else _("none")


def _change_text(event: TicketEvent, data: dict[str, Any], names: _Names) -> str | None:
    old, new = data.get("from"), data.get("to")
    texts = {
        Kind.STATUS: lambda: (
            _("changed the status from %(old)s to %(new)s")
            % {"old": _label(Ticket.Status, old), "new": _label(Ticket.Status, new)}
        ),
        Kind.PRIORITY: lambda: (
            _("changed the priority from %(old)s to %(new)s")
            % {"old": _label(Ticket.Priority, old), "new": _label(Ticket.Priority, new)}
        ),
        Kind.CATEGORY: lambda: (
            _("changed the category from %(old)s to %(new)s")
            % {"old": _named(names.categories, old), "new": _named(names.categories, new)}
        ),
        Kind.SKILL_GROUP: lambda: (
            _("changed the skill group from %(old)s to %(new)s")
            % {"old": _named(names.groups, old), "new": _named(names.groups, new)}
        ),
        Kind.TAGS: lambda: (
            _("changed the tags to %(tags)s") % {"tags": ", ".join(new or []) or _("none")}
        ),
        Kind.VISIBILITY: lambda: (
            _("made the ticket public") if new else _("made the ticket private")
        ),
    }
    maker = texts.get(event.kind)
    return maker() if maker else None


def _event_text(event: TicketEvent, names: _Names) -> str:  # noqa: PLR0911 - one per kind
    data = event.data if isinstance(event.data, dict) else {}
    if (text := _change_text(event, data, names)) is not None:
        return text
    if event.kind == Kind.ASSIGNED:
        via = _(" (routing)") if data.get("by") not in ("hand", None) else ""
        return (
            _("assigned the ticket to %(name)s")
            % {"name": _named(names.users, data.get("assignee"))}
            + via
        )
    if event.kind == Kind.MERGED:
        if "into" in data:
            return _("merged this ticket into #%(number)s") % {"number": data["into"]}
        return _("merged #%(number)s into this ticket") % {"number": data.get("from")}
    if event.kind == Kind.SPLIT:
        if "into" in data:
            return _("split messages into #%(number)s") % {"number": data["into"]}
        return _("split this ticket from #%(number)s") % {"number": data.get("from")}
    if event.kind == Kind.RATED:
        return _("rated the answer %(score)s of 5") % {"score": data.get("score")}
    return _simple_text(event.kind)


def _simple_text(kind: str) -> str:
    texts = {
        Kind.CREATED: _("opened the ticket"),
        Kind.UNASSIGNED: _("sent the ticket back to the queue"),
        Kind.FIELDS: _("changed the form fields"),
        Kind.REPLIED: _("replied"),
        Kind.NOTE: _("added an internal note"),
        Kind.FOLLOWED: _("followed the ticket"),
        Kind.UNFOLLOWED: _("stopped following the ticket"),
        Kind.SLA_AT_RISK: _("marked the deadline at risk"),
        Kind.SLA_BREACHED: _("marked the deadline missed"),
        Kind.ESCALATED: _("escalated the ticket"),
        Kind.PUBLISHED: _("published the answer as a draft article"),
    }
    if kind in texts:
        return texts[kind]
    return str(Kind(kind).label) if kind in Kind.values else kind


def _actor(event: TicketEvent, ticket: Ticket) -> str:
    if event.actor is not None:
        return event.actor.get_full_name() or event.actor.email
    if event.kind in (Kind.CREATED, Kind.REPLIED, Kind.RATED) and ticket.requester is not None:
        return ticket.requester.display_name  # the customer, without a help center account
    return _("Kefu")


def history_lines(ticket: Ticket, events: Iterable[TicketEvent]) -> list[HistoryLine]:
    """The events as sentences (the actor's name, then what they did)."""
    events = list(events)
    names = _Names(events)
    return [
        HistoryLine(_actor(event, ticket), _event_text(event, names), event.created_at)
        for event in events
    ]
