"""allauth's email confirmation keys and password reset tokens, bound to the workspace.

allauth signs a confirmation key as the ``EmailAddress`` id with one fixed salt, and every
workspace shares SECRET_KEY: a key workspace B mailed for its address 4 would confirm
workspace A's address 4. Kefu mails keys made here (``AccountAdapter.send_confirmation_mail``)
and its confirm-email page (``kefu.accounts.views.confirm_email``, in front of allauth's)
reads only these. Reset tokens get the schema in their salt through
``ACCOUNT_PASSWORD_RESET_TOKEN_GENERATOR``.
"""

from __future__ import annotations

from allauth.account import app_settings
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.tokens import PasswordResetTokenGenerator

from kefu.core.signing import workspace_dumps, workspace_loads, workspace_salt

_CONFIRMATION_PURPOSE = "kefu.accounts.email-confirmation"
_RESET_PURPOSE = "kefu.accounts.password-reset"


class WorkspaceEmailConfirmation(EmailConfirmationHMAC):
    """allauth's HMAC confirmation with a key valid only in the workspace that signed it."""

    @property
    def key(self) -> str:
        return workspace_dumps(self.email_address.pk, purpose=_CONFIRMATION_PURPOSE)

    @classmethod
    def from_key(cls, key: str) -> WorkspaceEmailConfirmation | None:
        max_age = 60 * 60 * 24 * app_settings.EMAIL_CONFIRMATION_EXPIRE_DAYS
        address_id = workspace_loads(key, purpose=_CONFIRMATION_PURPOSE, max_age=max_age)
        if not isinstance(address_id, int):
            return None
        address = EmailAddress.objects.filter(pk=address_id, verified=False).first()
        return cls(address) if address is not None else None


class WorkspacePasswordResetTokenGenerator(PasswordResetTokenGenerator):
    """allauth's reset token (it also changes when the account's addresses change), with the
    workspace in the salt: a token one workspace mailed resets nothing in another."""

    @property  # type: ignore[override]
    def key_salt(self) -> str:
        return workspace_salt(_RESET_PURPOSE)

    def _make_hash_value(self, user: AbstractBaseUser, timestamp: int) -> str:
        # Imported here: allauth.account.forms loads this class while it is being imported.
        from allauth.account.forms import EmailAwarePasswordResetTokenGenerator

        return EmailAwarePasswordResetTokenGenerator()._make_hash_value(user, timestamp)
