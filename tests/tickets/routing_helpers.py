"""Agents and tickets for routing and SLA tests (call inside a tenant schema)."""

from __future__ import annotations

import itertools
from collections.abc import Iterable

from kefu.accounts.models import User
from kefu.accounts.services import user_create
from kefu.contacts.models import Contact
from kefu.tickets.models import AgentProfile, SkillGroup, Ticket

_counter = itertools.count(1)


def make_agent(
    *,
    availability: str = AgentProfile.Availability.ONLINE,
    capacity: int = 10,
    groups: Iterable[SkillGroup] = (),
    languages: Iterable[str] = (),
    tiers: Iterable[str] = (),
    role: str = User.Role.AGENT,
    language: str = "",
) -> User:
    user = user_create(email=f"router{next(_counter)}@example.com", password=None, role=role)
    if language:
        user.language = language
        user.save(update_fields=["language"])
    profile = AgentProfile.objects.create(
        user=user,
        availability=availability,
        max_open_tickets=capacity,
        languages=list(languages),
        tiers=list(tiers),
    )
    profile.skill_groups.set(list(groups))
    return user


def make_ticket(
    subject: str = "Help",
    *,
    tier: str = Contact.Tier.STANDARD,
    **fields,
) -> Ticket:
    requester = Contact.objects.create(
        name="Customer", email=f"customer{next(_counter)}@example.com", tier=tier
    )
    return Ticket.objects.create(subject=subject, requester=requester, **fields)
