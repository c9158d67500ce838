"""Webhook deliveries processed by a real dramatiq worker (committed rows, cleaned up after)."""

from __future__ import annotations

import uuid

import dramatiq
import pytest
from django.core import mail

from billing.jobs import QUEUE
from billing.models import BillingAccount, BillingNotice, Plan, StripeEvent
from kefu.accounts.models import User
from kefu.tenancy import public_context, tenant_context
from tenants.models import Tenant
from tests.billing.webhook_helpers import account_of, checkout_open, deliver, plan_make
from tests.conftest import PASSWORD
from tests.helpers import run_worker_until_idle


@pytest.fixture
def committed(django_db_setup, django_db_blocker, stripe_standin):
    """alpha with a committed plan and owner; every billing row it gets is removed after."""
    from kefu.accounts.services import user_create

    with django_db_blocker.unblock():
        tenant = Tenant.objects.get(slug="alpha")
        plan_before = tenant.plan_id
        plan = plan_make(code=f"worker-{uuid.uuid4().hex[:8]}", name="Worker plan")
        email = f"owner-{uuid.uuid4().hex[:8]}@alpha.example"
        with tenant_context(tenant):
            user_create(email=email, password=PASSWORD, role=User.Role.OWNER)
        try:
            yield tenant, plan, email
        finally:
            with public_context():
                StripeEvent.objects.filter(tenant=tenant).delete()
                BillingNotice.objects.filter(account__tenant=tenant).delete()
                BillingAccount.objects.filter(tenant=tenant).delete()
                Tenant.objects.filter(pk=tenant.pk).update(plan_id=plan_before)
                Plan.objects.filter(pk=plan.pk).delete()
            with tenant_context(tenant):
                User.objects.filter(email=email).delete()


def test_deliveries_are_processed_by_a_real_worker(client, stripe_standin, committed):
    tenant, plan, owner_email = committed
    broker = dramatiq.get_broker()
    broker.flush(QUEUE)
    events = stripe_standin.checkout_complete_simulate(checkout_open(stripe_standin, tenant, plan))
    subscription_id = events[-1]["data"]["object"]["subscription"]
    failed, past_due = stripe_standin.payment_failed_simulate(subscription_id)

    for event in [*events, past_due, failed, failed]:  # out of order, and one twice
        assert deliver(client, event).status_code == 200
    run_worker_until_idle(QUEUE, threads=2, timeout_ms=60_000)

    account = account_of(tenant)
    assert account.tenant.plan == plan
    assert account.status == BillingAccount.Status.PAST_DUE
    assert account.grace_until is not None
    with public_context():
        assert StripeEvent.objects.filter(tenant=tenant, processed_at=None).count() == 0
        assert StripeEvent.objects.filter(tenant=tenant).count() == len(events) + 2
    assert [m.to for m in mail.outbox if m.to == [owner_email]] == [[owner_email]]
    assert "Payment failed" in mail.outbox[-1].subject
    broker.flush(QUEUE)
