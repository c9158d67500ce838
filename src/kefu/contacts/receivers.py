"""allauth's signals, handed to the contact services (connected in ``ContactsConfig.ready``)."""

from __future__ import annotations

from typing import Any

from allauth.account.models import EmailAddress
from allauth.account.signals import email_confirmed
from django.dispatch import receiver

from kefu.contacts.accounts import contact_account_join


@receiver(email_confirmed, dispatch_uid="kefu.contacts.receivers.email_confirmed")
def _email_confirmed(sender: Any, email_address: EmailAddress, **kwargs: Any) -> None:
    contact_account_join(user=email_address.user, email=email_address.email)
