"""Channels an admin adds beside the built-in support address (inside a workspace's schema).

Adding or reactivating one takes a place under the plan's channel limit
(``billing.limits.channel_check``, which raises PlanLimitError with a message fit to show).
"""

from __future__ import annotations

from django.db import transaction

from billing.limits import channel_check
from kefu.messaging.models import Channel


@transaction.atomic
def channel_create(*, kind: str, name: str, address: str = "") -> Channel:
    """Add an active channel, if the plan has room for one more."""
    channel_check(adding=1)
    return Channel.objects.create(kind=kind, name=name.strip(), address=address.strip())


@transaction.atomic
def channel_set_active(*, channel: Channel, active: bool) -> Channel:
    """Deactivate (frees its place) or reactivate (takes one, if the plan has room)."""
    if channel.is_active == active:
        return channel
    if active:
        channel_check(adding=1)
    channel.is_active = active
    channel.save(update_fields=["is_active"])
    return channel
