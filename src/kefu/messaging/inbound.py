"""Inbound email. PLACEHOLDER: the inbound-email work replaces this module; the webhook calls
``email_receive`` with these arguments."""

from __future__ import annotations

from kefu.messaging.models import InboundEmail


def email_receive(
    *, raw: bytes, source: str, envelope_sender: str = "", envelope_recipient: str = ""
) -> InboundEmail:
    """Store the raw message first (nothing is ever lost), then process it (a job): parse,
    find the contact, thread into a ticket or open one, or quarantine with the reason.
    Runs inside the receiving workspace's schema."""
    raise NotImplementedError
