"""Helpers for webhook tests: a workspace subscribed through the stand-in's Checkout the way
Kefu's checkout does it, signed deliveries to the real URL, and billing jobs run inline."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from billing.accounts import billing_account_get
from billing.models import BillingAccount, Plan
from billing.stripe_sync import plans_sync_to_stripe, stripe_client
from kefu.tenancy import public_context
from tenants.models import Tenant
from tests.billing.standin import StripeStandin, signed_delivery

WEBHOOK_URL = "/billing/webhook/"
ROOT_HOST = "localhost"


def plan_make(code: str = "team", name: str = "Team", price: str = "29") -> Plan:
    with public_context():
        return Plan.objects.create(
            code=code,
            name=name,
            monthly_base_price=Decimal(price),
            price_per_extra_resolved_ticket=Decimal("0.5"),
        )


def checkout_open(standin: StripeStandin, tenant: Tenant, plan: Plan) -> str:
    """Sync the plan, create the tenant's Stripe customer and a Checkout session for the plan,
    with the metadata the shared interface names; returns the session id."""
    if not plan.stripe_product_id:
        plans_sync_to_stripe(plans=[plan])
        plan.refresh_from_db()
    client = stripe_client()
    metadata = {"kefu_tenant_id": str(tenant.id), "kefu_plan_code": plan.code}
    account = billing_account_get(tenant=tenant)
    if not account.stripe_customer_id:
        customer = client.v1.customers.create(
            {
                "email": f"owner@{tenant.slug}.example",
                "metadata": {"kefu_tenant_id": str(tenant.id)},
            }
        )
        with public_context():
            BillingAccount.objects.filter(pk=account.pk).update(stripe_customer_id=customer.id)
        account.stripe_customer_id = customer.id
    session = client.v1.checkout.sessions.create(
        {
            "mode": "subscription",
            "customer": account.stripe_customer_id,
            "client_reference_id": str(tenant.id),
            "metadata": metadata,
            "subscription_data": {"metadata": metadata},
            "line_items": [
                {"price": plan.stripe_base_price_id, "quantity": 1},
                {"price": plan.stripe_metered_price_id},
            ],
            "success_url": f"http://{tenant.slug}.localhost/desk/billing/?done=1",
        }
    )
    return session.id


def deliver(client: Client, event: dict[str, Any], **signing: Any):
    """POST the event to the webhook URL on the root domain, signed as Stripe signs it."""
    body, header = signed_delivery(event, **signing)
    return client.post(
        WEBHOOK_URL,
        data=body,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=header,
        HTTP_HOST=ROOT_HOST,
    )


def account_of(tenant: Tenant) -> BillingAccount:
    with public_context():
        return BillingAccount.objects.select_related("tenant__plan").get(tenant=tenant)


@pytest.fixture
def inline_billing_jobs(monkeypatch: pytest.MonkeyPatch) -> None:
    """Billing jobs run right where they would be sent (after commit) instead of on Redis."""
    from billing import jobs

    for actor in (
        jobs.stripe_event_process,
        jobs.billing_notice_send,
        jobs.billing_dunning_check_job,
    ):
        monkeypatch.setattr(
            actor, "send", lambda *args, _fn=actor.fn, **kwargs: _fn(*args, **kwargs)
        )
