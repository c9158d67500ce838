"""Subscribing: Stripe Checkout for a plan, the Stripe customer portal for cards and invoices,
and the workspace's billing currency. The subscription itself is recorded by the webhooks.

Every Stripe failure becomes a ``BillingError`` with a message fit to show the owner.
"""

from __future__ import annotations

import logging

import stripe
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from billing.accounts import billing_account_get
from billing.models import BillingAccount, Plan
from billing.pricing import plan_price_in
from billing.stripe_sync import base_lookup_key, stripe_client, ticket_lookup_key
from kefu.accounts.models import User
from kefu.tenancy import public_context
from tenants.models import Tenant

logger = logging.getLogger(__name__)


class BillingError(Exception):
    """Something the owner should be told about; the message is translated."""


def stripe_failure(error: Exception) -> BillingError:
    logger.warning("Stripe call failed: %s", error)
    if isinstance(error, ImproperlyConfigured):
        return payments_not_set_up()
    return BillingError(
        _("We could not reach our payment provider. Nothing was charged; please try again.")
    )


def payments_not_set_up() -> BillingError:
    """What an owner is told while this server has no Stripe keys: who changes the plan."""
    return BillingError(
        _(
            "Online payment is not set up on this server yet, so plans cannot be bought here. "
            "Write to %(email)s and we will change your plan for you."
        )
        % {"email": settings.KEFU_SUPPORT_EMAIL}
    )


def has_live_subscription(account: BillingAccount) -> bool:
    """Stripe runs a subscription for the workspace (in any state but ended): a second one
    would bill twice, and its currency is fixed. Kefu's own trial has no subscription id."""
    return bool(account.stripe_subscription_id) and account.status != BillingAccount.Status.CANCELED


def stripe_locale(user: User) -> str:
    """Checkout's language: Chinese for Chinese speakers, English, or the browser's."""
    language = (getattr(user, "language", "") or get_language() or "").lower()
    if language.startswith("zh"):
        return "zh"
    return "en" if language.startswith("en") else "auto"


def _customer_ensure(client: stripe.StripeClient, *, tenant: Tenant, email: str) -> str:
    """The workspace's Stripe customer id, created once: the row lock makes a second upgrade
    started at the same moment wait and reuse the customer the first one made."""
    with public_context(), transaction.atomic():
        account = BillingAccount.objects.select_for_update().get(tenant=tenant)
        if account.stripe_customer_id:
            return account.stripe_customer_id
        customer = client.v1.customers.create(
            {
                "email": email,
                "name": tenant.name,
                "metadata": {"kefu_tenant_id": str(tenant.id)},
            }
        )
        account.stripe_customer_id = customer.id
        account.save(update_fields=["stripe_customer_id", "updated_at"])
        return customer.id


def plan_price_ids(client: stripe.StripeClient, *, plan: Plan, currency: str) -> list[str]:
    """The base and metered price ids of ``plan`` in ``currency``, by their lookup keys."""
    keys = [base_lookup_key(plan, currency), ticket_lookup_key(plan, currency)]
    found = client.v1.prices.list({"lookup_keys": keys, "active": True, "limit": 10}).data
    by_key = {price.lookup_key: price.id for price in found}
    if any(key not in by_key for key in keys):
        logger.error("plan %s has no Stripe prices in %s; sync plans", plan.code, currency)
        raise BillingError(
            _(
                "The %(plan)s plan is not available for purchase in %(currency)s yet. "
                "An operator must sync the plans to Stripe first."
            )
            % {"plan": plan.name, "currency": currency}
        )
    return [by_key[key] for key in keys]


def checkout_session_create(
    *, tenant: Tenant, plan: Plan, user: User, success_url: str, cancel_url: str
) -> str:
    """A Stripe Checkout page subscribing the workspace to ``plan``; returns its URL."""
    account = billing_account_get(tenant=tenant)
    with public_context():
        plan = Plan.objects.prefetch_related("prices").get(pk=plan.pk)
    if not plan.is_active:
        raise BillingError(_("This plan is no longer offered."))
    if has_live_subscription(account):
        # Checkout always starts a new subscription; a second one would bill twice.
        raise BillingError(
            _(
                "This workspace already has a subscription. To switch plans, cancel it under "
                "“Manage cards and invoices” first, or contact us and we will switch it for you."
            )
        )
    currency = plan_price_in(plan, account.currency).currency
    metadata = {"kefu_tenant_id": str(tenant.id), "kefu_plan_code": plan.code}
    try:
        client = stripe_client()
        base_id, ticket_id = plan_price_ids(client, plan=plan, currency=currency)
        customer_id = _customer_ensure(client, tenant=tenant, email=user.email)
        session = client.v1.checkout.sessions.create(
            {
                "mode": "subscription",
                "customer": customer_id,
                # Metered prices take no quantity: usage arrives as meter events.
                "line_items": [{"price": base_id, "quantity": 1}, {"price": ticket_id}],
                "client_reference_id": str(tenant.id),
                "metadata": metadata,
                "subscription_data": {"metadata": metadata},
                "locale": stripe_locale(user),
                "success_url": success_url,
                "cancel_url": cancel_url,
            }
        )
    except (stripe.StripeError, ImproperlyConfigured) as error:
        raise stripe_failure(error) from error
    logger.info("checkout session %s for %s (%s)", session.id, tenant.slug, plan.code)
    return session.url


def billing_portal_session_create(*, tenant: Tenant, return_url: str) -> str:
    """A Stripe customer-portal page for the workspace's customer; returns its URL."""
    account = billing_account_get(tenant=tenant)
    if not account.stripe_customer_id:
        raise BillingError(_("There are no cards or invoices yet: choose a plan first."))
    try:
        session = stripe_client().v1.billing_portal.sessions.create(
            {"customer": account.stripe_customer_id, "return_url": return_url}
        )
    except (stripe.StripeError, ImproperlyConfigured) as error:
        raise stripe_failure(error) from error
    return session.url


def billing_currency_change(*, tenant: Tenant, currency: str) -> BillingAccount:
    """Show (and later charge) prices in ``currency``. Refused while a subscription is live:
    a Stripe subscription keeps the currency it was started in."""
    currency = currency.upper()
    if currency not in settings.KEFU_BILLING_CURRENCIES:
        raise BillingError(_("That currency is not available."))
    billing_account_get(tenant=tenant)  # workspaces older than billing get their account
    with public_context(), transaction.atomic():
        account = BillingAccount.objects.select_for_update().get(tenant=tenant)
        if account.currency == currency:
            return account
        if has_live_subscription(account):
            raise BillingError(
                _(
                    "The currency cannot change while a paid subscription is active: Stripe "
                    "bills a subscription in the currency it started in."
                )
            )
        account.currency = currency
        account.save(update_fields=["currency", "updated_at"])
    return account
