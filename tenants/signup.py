"""Self-signup on the root domain: provision a workspace, create its owner, hand them over.

The handoff is a one-time link to the new workspace's own host. The signup page cannot sign the
owner in there itself: cookies are host-only, so the new host must set its own session.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from kefu.accounts.models import User
from kefu.accounts.services import split_full_name, user_create
from kefu.core.tokens import token_digest
from kefu.tenancy import public_context, tenant_context
from tenants.models import LoginHandoff, Tenant
from tenants.services import tenant_provision

if TYPE_CHECKING:
    from billing.models import Plan

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SignupResult:
    tenant: Tenant
    owner_id: int
    handoff_token: str


def handoff_create(*, tenant: Tenant, user_id: int, next_path: str = "/desk/") -> str:
    """A fresh one-time sign-in token for ``user_id`` of ``tenant``."""
    token = secrets.token_urlsafe(32)
    with public_context():
        LoginHandoff.objects.create(
            tenant=tenant,
            user_id=user_id,
            token_hash=token_digest(token),
            next_path=next_path,
            expires_at=timezone.now() + timedelta(seconds=settings.KEFU_HANDOFF_TTL_SECONDS),
        )
    return token


def handoff_consume(*, tenant: Tenant, token: str) -> LoginHandoff | None:
    """Use a token once. None if it is unknown, for another tenant, used or expired."""
    now = timezone.now()
    with public_context(), transaction.atomic():
        handoff = (
            LoginHandoff.objects.select_for_update()
            .filter(tenant=tenant, token_hash=token_digest(token))
            .first()
        )
        if handoff is None or handoff.used_at is not None or handoff.expires_at <= now:
            return None
        handoff.used_at = now
        handoff.save(update_fields=["used_at"])
    return handoff


def _workspace_language_set(language: str) -> None:
    """The new workspace writes to people whose language is not known in its owner's."""
    from kefu.desk.models import WorkspaceSettings
    from kefu.desk.selectors import workspace_settings_get

    row = workspace_settings_get()
    WorkspaceSettings.objects.filter(pk=row.pk).update(default_language=language)


def workspace_signup(
    *,
    company_name: str,
    slug: str,
    full_name: str,
    email: str,
    password: str,
    plan: Plan | None = None,
    currency: str = "USD",
    language: str = "",
) -> SignupResult:
    """Everything a signup makes, in one transaction: the workspace (from the warm pool), its
    owner inside the new schema, and the handoff token. Any failure leaves none of it.
    ``language`` (the signup page's) becomes the owner's and the workspace's mail language."""
    from billing.accounts import billing_account_open, signup_trial_plan  # billing imports tenants

    plan = plan or signup_trial_plan()
    first_name, last_name = split_full_name(full_name)
    with transaction.atomic():
        tenant = tenant_provision(slug=slug, name=company_name.strip())
        billing_account_open(tenant=tenant, plan=plan, currency=currency)
        with tenant_context(tenant):
            owner = user_create(
                email=email,
                password=password,
                role=User.Role.OWNER,
                first_name=first_name,
                last_name=last_name,
                language=language,
            )
            if owner.language:
                _workspace_language_set(owner.language)
        token = handoff_create(tenant=tenant, user_id=owner.pk)
    logger.info("workspace %s signed up", slug)
    return SignupResult(tenant=tenant, owner_id=owner.pk, handoff_token=token)
