"""Stripe webhooks at /billing/webhook/ (root domain): verified by the stripe library, stored
once, processed once by a job, safe to receive twice and out of order."""

from __future__ import annotations

import hashlib
import hmac
import time
from datetime import timedelta

import pytest
from django.core import mail

from billing.events import stripe_event_handle
from billing.models import BillingAccount, BillingNotice, StripeEvent
from billing.services import subscription_apply
from billing.stripe_sync import stripe_client
from kefu.accounts.models import User
from kefu.tenancy import public_context
from tests.billing.standin import WEBHOOK_SECRET
from tests.billing.webhook_helpers import (  # noqa: F401  (fixture)
    ROOT_HOST,
    WEBHOOK_URL,
    account_of,
    checkout_open,
    deliver,
    inline_billing_jobs,
    plan_make,
)

pytestmark = pytest.mark.django_db


def _stored() -> int:
    with public_context():
        return StripeEvent.objects.count()


def _process(*events: dict) -> None:
    for event in events:
        stripe_event_handle(event_id=event["id"])


def _subscribed(client, standin, tenant, plan) -> tuple[str, list[dict]]:
    """Checkout completed and every event delivered and processed, in Stripe's order."""
    events = standin.checkout_complete_simulate(checkout_open(standin, tenant, plan))
    for event in events:
        assert deliver(client, event).status_code == 200
    _process(*events)
    return events[-1]["data"]["object"]["subscription"], events


# --- the endpoint ---------------------------------------------------------------------------


def test_a_forged_or_missing_signature_is_refused_and_nothing_is_stored(client, stripe_standin):
    event = stripe_standin.event("customer.created", {"id": "cus_x", "object": "customer"})

    forged = deliver(client, event, secret="whsec_someone_else")
    unsigned = client.post(
        WEBHOOK_URL, data=b"{}", content_type="application/json", HTTP_HOST=ROOT_HOST
    )

    assert forged.status_code == 400
    assert unsigned.status_code == 400
    assert _stored() == 0


def test_a_stale_signature_is_refused(client, stripe_standin):
    event = stripe_standin.event("customer.created", {"id": "cus_x", "object": "customer"})

    response = deliver(client, event, timestamp=int(time.time()) - 600)

    assert response.status_code == 400
    assert _stored() == 0


def test_a_signed_body_that_is_not_json_is_refused(client, stripe_standin):
    body = b"this is not json"
    now = int(time.time())
    digest = hmac.new(WEBHOOK_SECRET.encode(), f"{now}.".encode() + body, hashlib.sha256)

    response = client.post(
        WEBHOOK_URL,
        data=body,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=f"t={now},v1={digest.hexdigest()}",
        HTTP_HOST=ROOT_HOST,
    )

    assert response.status_code == 400
    assert _stored() == 0


def test_without_a_webhook_secret_it_answers_503_and_stores_nothing(
    client, stripe_standin, settings
):
    event = stripe_standin.event("customer.created", {"id": "cus_x", "object": "customer"})
    settings.STRIPE_WEBHOOK_SECRET = ""

    response = deliver(client, event)

    assert response.status_code == 503
    assert "STRIPE_WEBHOOK_SECRET" in response.content.decode()
    assert _stored() == 0


def test_only_post_and_only_on_the_root_domain(client, stripe_standin, tenant_a):
    assert client.get(WEBHOOK_URL, HTTP_HOST=ROOT_HOST).status_code == 405
    event = stripe_standin.event("customer.created", {"id": "cus_x", "object": "customer"})
    from tests.billing.standin import signed_delivery

    body, header = signed_delivery(event)
    on_tenant = client.post(
        WEBHOOK_URL, data=body, content_type="application/json",
        HTTP_STRIPE_SIGNATURE=header, HTTP_HOST="alpha.localhost",
    )  # fmt: skip
    assert on_tenant.status_code == 404
    assert _stored() == 0


# --- processing -----------------------------------------------------------------------------


def test_checkout_completed_links_the_customer_and_activates_the_plan(
    client, stripe_standin, tenant_a
):
    plan = plan_make()
    subscription_id, _events = _subscribed(client, stripe_standin, tenant_a, plan)

    account = account_of(tenant_a)
    assert account.status == BillingAccount.Status.ACTIVE
    assert account.stripe_subscription_id == subscription_id
    assert account.tenant.plan == plan
    assert account.current_period_end - account.current_period_start == timedelta(days=30)
    assert account.subscription_state_at is not None
    with public_context():
        assert set(StripeEvent.objects.values_list("tenant_id", flat=True)) == {tenant_a.pk}
        assert not StripeEvent.objects.filter(processed_at=None).exists()


@pytest.mark.usefixtures("inline_billing_jobs")
def test_the_same_event_delivered_twice_changes_nothing_the_second_time(
    client, stripe_standin, tenant_a, make_user, django_capture_on_commit_callbacks
):
    owner = make_user(tenant_a, User.Role.OWNER)
    subscription_id, _events = _subscribed(client, stripe_standin, tenant_a, plan_make())
    failed, _past_due = stripe_standin.payment_failed_simulate(subscription_id)

    with django_capture_on_commit_callbacks(execute=True):
        assert deliver(client, failed).status_code == 200
    first = account_of(tenant_a)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        again = deliver(client, failed)

    assert again.status_code == 200
    assert callbacks == [], "a processed event is not queued again"
    assert account_of(tenant_a).grace_until == first.grace_until
    with public_context():
        stored = StripeEvent.objects.get(event_id=failed["id"])
        assert stored.attempts == 1
        assert BillingNotice.objects.filter(kind="payment_failed").count() == 1
    assert [message.to for message in mail.outbox] == [[owner.email]]
    # Running the job again (a redelivered message) does nothing either.
    stripe_event_handle(event_id=failed["id"])
    with public_context():
        assert StripeEvent.objects.get(event_id=failed["id"]).attempts == 1
    assert len(mail.outbox) == 1


def test_subscription_updated_before_checkout_completed_ends_in_the_right_state(
    client, stripe_standin, tenant_a
):
    plan_make(code="starter", name="Starter", price="9")
    business = plan_make(code="business", name="Business", price="99")
    session_id = checkout_open(stripe_standin, tenant_a, business)
    with public_context():  # the account knows nothing yet: the metadata must carry it
        BillingAccount.objects.filter(tenant=tenant_a).update(stripe_customer_id="")
    created, paid, completed = stripe_standin.checkout_complete_simulate(session_id)
    subscription_id = completed["data"]["object"]["subscription"]
    updated = stripe_standin.subscription_update_simulate(
        subscription_id, cancel_at_period_end=True
    )

    for event in (updated, completed, paid, created):  # newest first
        assert deliver(client, event).status_code == 200
        _process(event)

    account = account_of(tenant_a)
    assert account.status == BillingAccount.Status.ACTIVE
    assert account.tenant.plan == business
    assert account.stripe_subscription_id == subscription_id
    assert account.stripe_customer_id == completed["data"]["object"]["customer"]
    assert account.cancel_at_period_end is True, "the older events did not undo the update"


def test_an_old_past_due_update_after_a_newer_active_one_does_not_regress(
    client, stripe_standin, tenant_a
):
    subscription_id, _events = _subscribed(client, stripe_standin, tenant_a, plan_make())
    _failed, past_due = stripe_standin.payment_failed_simulate(subscription_id)
    _paid, active = stripe_standin.payment_succeeded_simulate(subscription_id)

    for event in (active, past_due):
        deliver(client, event)
        _process(event)

    account = account_of(tenant_a)
    assert account.status == BillingAccount.Status.ACTIVE
    assert account.grace_until is None
    assert account.subscription_state_at.timestamp() == active["created"]


def test_an_older_subscription_state_never_overwrites_a_newer_one(client, stripe_standin, tenant_a):
    """Even without re-reading Stripe: the state's time decides."""
    subscription_id, _events = _subscribed(client, stripe_standin, tenant_a, plan_make())
    current = stripe_client().v1.subscriptions.retrieve(subscription_id).to_dict()
    newer_at = account_of(tenant_a).subscription_state_at

    subscription_apply(
        tenant=tenant_a,
        subscription={**current, "status": "past_due", "cancel_at_period_end": True},
        at=newer_at - timedelta(seconds=5),
    )

    account = account_of(tenant_a)
    assert (account.status, account.cancel_at_period_end) == ("active", False)
    assert account.grace_until is None


def test_another_workspaces_events_do_not_touch_this_one(
    client, stripe_standin, tenant_a, tenant_b
):
    plan = plan_make()
    _subscribed(client, stripe_standin, tenant_a, plan)
    before = account_of(tenant_a)
    subscription_b, _events = _subscribed(client, stripe_standin, tenant_b, plan)

    events = stripe_standin.payment_failed_simulate(subscription_b)
    events.append(stripe_standin.subscription_cancel_simulate(subscription_b))
    for event in events:
        deliver(client, event)
        _process(event)

    after = account_of(tenant_a)
    assert (after.status, after.grace_until, after.stripe_subscription_id) == (
        before.status, None, before.stripe_subscription_id,
    )  # fmt: skip
    assert account_of(tenant_b).status == BillingAccount.Status.CANCELED
    with public_context():
        assert StripeEvent.objects.get(event_id=events[-1]["id"]).tenant == tenant_b


def test_an_event_for_no_workspace_or_of_another_type_is_stored_and_done(client, stripe_standin):
    stranger = stripe_standin.event(
        "customer.subscription.updated",
        {"id": "sub_unknown", "object": "subscription", "customer": "cus_unknown",
         "metadata": {}, "status": "active"},
    )  # fmt: skip
    other = stripe_standin.event("product.created", {"id": "prod_x", "object": "product"})

    for event in (stranger, other):
        assert deliver(client, event).status_code == 200
        _process(event)

    with public_context():
        assert StripeEvent.objects.filter(processed_at__isnull=False, tenant=None).count() == 2
        assert not BillingAccount.objects.filter(stripe_subscription_id="sub_unknown").exists()


def test_a_failure_is_recorded_and_raised_for_a_retry_then_the_retry_applies_it(
    client, stripe_standin, tenant_a
):
    events = stripe_standin.checkout_complete_simulate(
        checkout_open(stripe_standin, tenant_a, plan_make())
    )
    completed = events[-1]
    deliver(client, completed)
    stripe_standin.down = True

    with pytest.raises(Exception, match="down"):
        stripe_event_handle(event_id=completed["id"])

    with public_context():
        stored = StripeEvent.objects.get(event_id=completed["id"])
    assert (stored.attempts, stored.processed_at) == (1, None)
    assert "down" in stored.last_error
    stripe_standin.down = False
    stripe_event_handle(event_id=completed["id"])
    with public_context():
        stored.refresh_from_db()
    assert stored.processed_at is not None
    assert (stored.attempts, stored.last_error) == (2, "")
    assert account_of(tenant_a).status == BillingAccount.Status.ACTIVE
