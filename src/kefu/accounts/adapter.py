"""allauth inside a tenant: who may register, where people land, how usernames are made."""

from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from django.http import HttpRequest

from kefu.accounts.models import User
from kefu.core.ratelimit import client_ip


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        """Customers register on the help center only if the workspace allows it. The root
        domain (operators) never has self-registration."""
        from kefu.desk.models import WorkspaceSettings
        from kefu.desk.selectors import workspace_settings_get
        from kefu.tenancy import in_public_schema

        if in_public_schema():
            return False
        return workspace_settings_get().customer_signup == WorkspaceSettings.CustomerSignup.OPEN

    def populate_username(self, request: HttpRequest, user: User) -> None:
        user.username = (user.email or "").lower()

    def save_user(self, request: HttpRequest, user: User, form, commit: bool = True) -> User:
        # Self-registration on the help center only ever makes customers.
        user.role = User.Role.CUSTOMER
        return super().save_user(request, user, form, commit=commit)

    def get_client_ip(self, request: HttpRequest) -> str:
        # allauth's login limits key on the same address as Kefu's own limits.
        return client_ip(request)

    def send_confirmation_mail(self, request: HttpRequest, emailconfirmation, signup: bool) -> None:
        # allauth's own key would confirm the same address id in every workspace.
        from allauth.account.models import EmailConfirmationHMAC

        from kefu.accounts.tokens import WorkspaceEmailConfirmation

        if isinstance(emailconfirmation, EmailConfirmationHMAC):
            emailconfirmation = WorkspaceEmailConfirmation(emailconfirmation.email_address)
        super().send_confirmation_mail(request, emailconfirmation, signup)

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        """allauth's account mails (confirmation, password reset, ...) from Kefu's own
        templates, signed with the workspace's name instead of the host name, in the
        recipient's language when their account has one, else the page's."""
        from django.utils import translation

        from kefu.tenancy import in_public_schema, tenant_base_url
        from kefu.tickets.notifications import mail_language

        request = context.get("request") or getattr(self, "request", None)
        tenant = getattr(request, "tenant", None)
        if tenant is not None and not in_public_schema():
            workspace = {"workspace_name": tenant.name, "workspace_url": tenant_base_url(tenant)}
        else:
            workspace = {"workspace_name": "Kefu", "workspace_url": ""}
        user = context.get("user")
        language = mail_language(getattr(user, "language", ""), translation.get_language())
        with translation.override(language):
            super().send_mail(template_prefix, email, {**workspace, **context})

    def get_from_email(self) -> str:
        """Kefu's sending address under the workspace's name, so the mail says who it is from."""
        from email.utils import formataddr, parseaddr

        from django.conf import settings

        from kefu.tenancy import in_public_schema

        tenant = getattr(getattr(self, "request", None), "tenant", None)
        if tenant is None or in_public_schema():
            return settings.DEFAULT_FROM_EMAIL
        return formataddr((tenant.name, parseaddr(settings.DEFAULT_FROM_EMAIL)[1]))

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        user = request.user
        if getattr(user, "is_desk_user", False):
            return "/desk/"
        return super().get_login_redirect_url(request)


class MFAAdapter(DefaultMFAAdapter):
    def get_totp_label(self, user: User) -> str:
        return user.email
