"""Reading accounts (tenant schema)."""

from __future__ import annotations

from allauth.account.models import EmailAddress

from kefu.accounts.models import User


def user_email_verified(user: User) -> bool:
    """Whether the account proved it receives mail at its address (allauth's confirmation
    mail, or an invitation it followed)."""
    if not user.email:
        return False
    return EmailAddress.objects.filter(user=user, email__iexact=user.email, verified=True).exists()
