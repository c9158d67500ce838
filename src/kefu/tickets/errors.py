"""Errors a ticket service raises with a message a person can act on."""

from __future__ import annotations


class TicketError(Exception):
    """A request that cannot be carried out (the message is translated and shown as is)."""


class FieldErrors(TicketError):  # noqa: N818 - plural: one message per field
    """Custom form fields that failed validation: ``errors`` maps field key to messages."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("; ".join(f"{key}: {' '.join(msgs)}" for key, msgs in errors.items()))
        self.errors = errors
