"""allauth's signals, handed to the contact services (connected in ``TicketsConfig.ready``)."""

from __future__ import annotations

from typing import Any

from allauth.account.models import EmailAddress
from allauth.account.signals import email_confirmed
from django.dispatch import receiver

from kefu.tickets.contact_accounts import contact_account_join


@receiver(email_confirmed, dispatch_uid="kefu.tickets.receivers.email_confirmed")
def _email_confirmed(sender: Any, email_address: EmailAddress, **kwargs: Any) -> None:
    contact_account_join(user=email_address.user, email=email_address.email)
