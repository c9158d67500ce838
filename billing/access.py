"""What a workspace's staff may do, given its billing state: ``full``, ``grace`` (full access
with a banner: a payment failed) or ``read_only`` (grace ran out, or the subscription ended).

The answer is read on every unsafe desk or API request, so it is cached per workspace (under a
key made inside the workspace's schema, so django-tenants' key function scopes it) and dropped
whenever the billing account is saved. A cached answer never outlives the end of a grace period.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone

from billing.models import BillingAccount
from kefu.tenancy import public_context, tenant_context
from tenants.models import Tenant

FULL = "full"
GRACE = "grace"
READ_ONLY = "read_only"

CACHE_SECONDS = 300
TRIAL_NOTICE_DAYS = 7


@dataclass(frozen=True)
class AccessState:
    access: str
    #: Why: "canceled", "overdue" or "trial_ended" when read-only; "trial" while a trial
    #: without a subscription ends within TRIAL_NOTICE_DAYS (full access, a reminder).
    reason: str = ""
    grace_until: datetime | None = None
    retain_until: datetime | None = None
    trial_ends_at: datetime | None = None


def access_state_for(account: BillingAccount | None, *, now: datetime | None = None) -> AccessState:
    """The access an account's state gives (no cache, no query)."""
    if account is None:
        return AccessState(FULL)
    now = now or timezone.now()
    if account.status == BillingAccount.Status.CANCELED:
        return AccessState(READ_ONLY, "canceled", retain_until=account.retain_until)
    if account.status == BillingAccount.Status.TRIALING and not account.stripe_subscription_id:
        return _trial_state(account, now=now)
    if account.read_only_since or (account.grace_until and account.grace_until <= now):
        return AccessState(READ_ONLY, "overdue", grace_until=account.grace_until)
    if account.grace_until:
        return AccessState(GRACE, "overdue", grace_until=account.grace_until)
    return AccessState(FULL)


def _trial_state(account: BillingAccount, *, now: datetime) -> AccessState:
    """Kefu's own trial (no subscription yet): read-only once it ended without a plan chosen,
    a reminder in its last days, else plain full access."""
    if account.read_only_since:
        return AccessState(READ_ONLY, "trial_ended")
    ends = account.trial_ends_at
    if ends and ends - now <= timedelta(days=TRIAL_NOTICE_DAYS):
        return AccessState(FULL, "trial", trial_ends_at=ends)
    return AccessState(FULL)


def retention_until(tenant: Tenant, *, now: datetime | None = None) -> datetime | None:
    """Until when a canceled workspace's data must be kept (None: nothing keeps it)."""
    now = now or timezone.now()
    with public_context():
        account = BillingAccount.objects.filter(tenant_id=tenant.pk).first()
    if account is None or account.status != BillingAccount.Status.CANCELED:
        return None
    if account.retain_until is None or account.retain_until <= now:
        return None
    return account.retain_until


def _cache_key(tenant: Tenant) -> str:
    return f"billing:access:{tenant.pk}"


def workspace_access_state(tenant: Tenant) -> AccessState:
    """The workspace's access with its reason and dates (cached)."""
    with tenant_context(tenant):
        cached = cache.get(_cache_key(tenant))
    if isinstance(cached, AccessState):
        return cached
    # The public schema is on every tenant's search path: no schema switch needed to read it.
    account = BillingAccount.objects.filter(tenant_id=tenant.pk).first()
    state = access_state_for(account)
    seconds = CACHE_SECONDS
    if state.access == GRACE and state.grace_until is not None:
        remaining = int((state.grace_until - timezone.now()).total_seconds())
        seconds = max(1, min(seconds, remaining))
    with tenant_context(tenant):
        cache.set(_cache_key(tenant), state, seconds)
    return state


def workspace_access(tenant: Tenant) -> str:
    """``"full"``, ``"grace"`` or ``"read_only"`` for the workspace's staff."""
    return workspace_access_state(tenant).access


def workspace_access_forget(tenant: Tenant) -> None:
    """Drop the cached answer (after the account changed)."""
    with tenant_context(tenant):
        cache.delete(_cache_key(tenant))


@receiver(post_save, sender=BillingAccount, dispatch_uid="billing.access.account_saved")
@receiver(post_delete, sender=BillingAccount, dispatch_uid="billing.access.account_deleted")
def _account_changed(sender: Any, instance: BillingAccount, **kwargs: Any) -> None:
    # Cache invalidation only (no business flow): after commit, and once more right away so
    # the request that changed it sees the new state too.
    try:
        tenant = instance.tenant
    except Tenant.DoesNotExist:
        return
    workspace_access_forget(tenant)
    transaction.on_commit(lambda: workspace_access_forget(tenant))
