"""Root-domain sign-in: from a workspace's subdomain to its sign-in page, and "find my
workspace", which mails a person the workspaces their address has an account in.

The answer on the page never says whether the address has any (no enumeration); the mail is
sent by a job, so the page also takes the same time either way.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from kefu.accounts.models import User
from kefu.tenancy import public_context, tenant_base_url, tenant_context, tenant_reverse
from tenants.models import Tenant

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class WorkspaceLink:
    name: str
    host: str
    login_url: str
    is_staff: bool


def workspace_login_url(
    tenant: Tenant, *, scheme: str | None = None, port: int | None = None
) -> str:
    """``http://acme.<root>/accounts/login/``: where a person of that workspace signs in."""
    return tenant_base_url(tenant, scheme=scheme, port=port) + tenant_reverse("account_login")


def workspace_for_slug(slug: str) -> Tenant | None:
    """The active workspace answering at ``<slug>.<root>``, if any."""
    slug = slug.strip().lower()
    if not slug:
        return None
    with public_context():
        return (
            Tenant.objects.exclude(schema_name="public")
            .filter(slug=slug, status=Tenant.Status.ACTIVE)
            .first()
        )


def workspaces_for_email(email: str) -> list[WorkspaceLink]:
    """Every active workspace where ``email`` has an active account (staff or customer).
    Reads one small query per workspace: it runs in a job, never in a request."""
    email = email.strip()
    links = []
    with public_context():
        tenants = list(
            Tenant.objects.exclude(schema_name="public")
            .filter(status=Tenant.Status.ACTIVE)
            .order_by("name")
        )
    for tenant in tenants:
        with tenant_context(tenant):
            user = User.objects.filter(email__iexact=email, is_active=True).first()
            if user is None:
                continue
            url = workspace_login_url(tenant)
        links.append(
            WorkspaceLink(
                name=tenant.name,
                host=url.split("//", 1)[1].split("/", 1)[0],
                login_url=url,
                is_staff=user.is_desk_user,
            )
        )
    return links


def workspace_list_mail_send(*, email: str, language: str) -> bool:
    """Mail ``email`` the workspaces it has an account in (nothing when it has none: a mail
    to an address that never signed up anywhere would be spam). True if a mail went out."""
    links = workspaces_for_email(email)
    if not links:
        logger.info("find-my-workspace: no workspace for the address")
        return False
    with translation.override(language or settings.LANGUAGE_CODE):
        subject = _("Your Kefu workspaces")
        context = {"subject": subject, "links": links, "email": email}
        body = render_to_string("tenants/email/workspace_list.txt", context)
        html = render_to_string("tenants/email/workspace_list.html", context)
    message = EmailMultiAlternatives(
        subject=subject,
        body=body,
        to=[email],
        headers={"Auto-Submitted": "auto-generated"},
    )
    message.attach_alternative(html, "text/html")
    message.send()
    return True
