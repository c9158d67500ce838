"""Opening and reading a workspace's billing account (public schema)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from billing.models import BillingAccount, Plan
from kefu.tenancy import public_context
from tenants.models import Tenant


def default_currency_for(language: str) -> str:
    """A sensible first currency: yuan for a Chinese-speaking signup, else US dollars."""
    return "CNY" if (language or "").lower().startswith("zh") else "USD"


def signup_trial_plan() -> Plan | None:
    """The plan a new workspace tries when signup names none: the first (cheapest) paid plan
    on offer that has a trial, so "free trial" means a trial of what the product sells. When
    that trial ends without a subscription, ``trials_end`` moves the workspace to the free
    default plan. None when no paid plan has a trial (the default plan is used)."""
    from billing.pricing import plan_price_in

    with public_context():
        plans = Plan.objects.filter(is_active=True, trial_days__gt=0).prefetch_related("prices")
        for plan in plans.order_by("monthly_base_price", "name"):
            terms = plan_price_in(plan, plan.currency)
            if terms.base or terms.per_ticket:
                return plan
    return None


def billing_account_open(
    *, tenant: Tenant, plan: Plan | None = None, currency: str = "USD"
) -> BillingAccount:
    """Start the workspace on a trial of ``plan`` (default: the default plan). Idempotent."""
    with public_context(), transaction.atomic():
        plan = plan or tenant.plan or Plan.objects.filter(is_default=True, is_active=True).first()
        trial_days = plan.trial_days if plan is not None else 0
        currency = currency.upper()
        account, created = BillingAccount.objects.get_or_create(
            tenant=tenant,
            defaults={
                "currency": currency if currency in settings.KEFU_BILLING_CURRENCIES else "USD",
                # A plan without a trial (a free one) is simply active.
                "status": BillingAccount.Status.TRIALING
                if trial_days
                else BillingAccount.Status.ACTIVE,
                "trial_ends_at": timezone.now() + timedelta(days=trial_days)
                if trial_days
                else None,
            },
        )
        if created and plan is not None and tenant.plan_id != plan.pk:
            tenant.plan = plan
            tenant.save(update_fields=["plan"])
        return account


def billing_account_get(*, tenant: Tenant) -> BillingAccount:
    """The workspace's account; workspaces made before billing existed get one on first use."""
    with public_context():
        accounts = BillingAccount.objects.select_related("tenant__plan")
        account = accounts.filter(tenant=tenant).first()
    return account or billing_account_open(tenant=tenant)
