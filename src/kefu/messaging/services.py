"""Channels an admin adds beside the built-in support address (inside a workspace's schema).

Adding or reactivating one takes a place under the plan's channel limit
(``billing.limits.channel_check``, which raises PlanLimitError with a message fit to show).
Only kinds that really bring messages in (``Channel.WORKING_KINDS``) can be added or
reactivated; rows of the other kinds, made before, can be deactivated or deleted.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from billing.limits import channel_check
from kefu.messaging.models import Channel


class ChannelNotWorkingError(Exception):
    """The channel's kind does not bring messages in yet; the message says so."""


def _working_or_raise(kind: str) -> None:
    if kind not in Channel.WORKING_KINDS:
        raise ChannelNotWorkingError(
            _("%(kind)s channels do not work yet, so they cannot be added or switched on.")
            % {"kind": Channel.Kind(kind).label if kind in Channel.Kind.values else kind}
        )


@transaction.atomic
def channel_create(*, kind: str, name: str, address: str = "") -> Channel:
    """Add an active channel of a working kind, if the plan has room for one more."""
    _working_or_raise(kind)
    channel_check(adding=1)
    return Channel.objects.create(kind=kind, name=name.strip(), address=address.strip())


@transaction.atomic
def channel_set_active(*, channel: Channel, active: bool) -> Channel:
    """Deactivate (frees its place) or reactivate (takes one, if the plan has room)."""
    if channel.is_active == active:
        return channel
    if active:
        _working_or_raise(channel.kind)
        channel_check(adding=1)
    channel.is_active = active
    channel.save(update_fields=["is_active"])
    return channel


@transaction.atomic
def channel_delete(*, channel: Channel) -> None:
    """Remove a channel row; tickets never point at one, so nothing else changes."""
    channel.delete()
