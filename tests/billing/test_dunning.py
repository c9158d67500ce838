"""Dunning: a failed payment starts a grace period, then read-only, and paying restores access
at once; a cancellation keeps the data until the retention date. Owners are emailed once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from billing.access import workspace_access
from billing.models import BillingAccount, BillingNotice
from billing.services import billing_dunning_check
from kefu.accounts.models import User
from kefu.tenancy import public_context, tenant_context
from tests.billing.webhook_helpers import (  # noqa: F401  (fixture)
    account_of,
    checkout_open,
    deliver,
    inline_billing_jobs,
    plan_make,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("inline_billing_jobs")]


@pytest.fixture
def receive(client, django_capture_on_commit_callbacks):
    """Deliver events to the webhook; their jobs (processing, mail) run after each commit."""

    def run(*events: dict) -> None:
        for event in events:
            with django_capture_on_commit_callbacks(execute=True):
                assert deliver(client, event).status_code == 200

    return run


@pytest.fixture
def subscribed(stripe_standin, tenant_a, make_user, receive):
    """alpha subscribed to Team, with two owners (one reads Chinese) and an agent."""
    owners = [
        make_user(tenant_a, User.Role.OWNER, email="boss@alpha.example"),
        make_user(tenant_a, User.Role.OWNER, email="laoban@alpha.example"),
    ]
    with tenant_context(tenant_a):
        User.objects.filter(pk=owners[1].pk).update(language="zh-hans")
    make_user(tenant_a, User.Role.AGENT, email="agent@alpha.example")
    receive(*stripe_standin.checkout_complete_simulate(
        checkout_open(stripe_standin, tenant_a, plan_make())
    ))  # fmt: skip
    mail.outbox.clear()
    return account_of(tenant_a).stripe_subscription_id, owners


def _recipients(kind: str) -> list[str]:
    return sorted(m.to[0] for m in mail.outbox if m.extra_headers.get("X-Kefu-Billing") == kind)


def test_payment_failed_starts_a_grace_period_and_emails_the_owners_once(
    stripe_standin, tenant_a, subscribed, receive, settings
):
    subscription_id, owners = subscribed
    settings.KEFU_BILLING_GRACE_DAYS = 7

    receive(*stripe_standin.payment_failed_simulate(subscription_id))

    account = account_of(tenant_a)
    assert account.status == BillingAccount.Status.PAST_DUE
    expected = timezone.now() + timedelta(days=7)
    assert abs((account.grace_until - expected).total_seconds()) < 60
    assert workspace_access(tenant_a) == "grace"
    assert _recipients("payment_failed") == sorted(o.email for o in owners)
    message = next(m for m in mail.outbox if m.to != ["laoban@alpha.example"])
    assert message.alternatives[0][1] == "text/html"
    assert "/desk/billing/" in message.body
    assert "read-only" in message.body
    chinese = next(m for m in mail.outbox if m.to == ["laoban@alpha.example"])
    assert '<html lang="zh-hans">' in chinese.alternatives[0][0], "in the owner's language"


def test_a_second_failure_does_not_extend_the_grace_period_but_warns_about_its_invoice(
    stripe_standin, tenant_a, subscribed, receive
):
    subscription_id, owners = subscribed
    receive(*stripe_standin.payment_failed_simulate(subscription_id))
    first_grace = account_of(tenant_a).grace_until

    receive(*stripe_standin.payment_failed_simulate(subscription_id))

    assert account_of(tenant_a).grace_until == first_grace
    assert len(_recipients("payment_failed")) == 2 * len(owners)  # two invoices


def test_when_grace_runs_out_the_workspace_becomes_read_only_once(
    stripe_standin, tenant_a, subscribed, receive, django_capture_on_commit_callbacks
):
    subscription_id, owners = subscribed
    receive(*stripe_standin.payment_failed_simulate(subscription_id))
    later = account_of(tenant_a).grace_until + timedelta(minutes=1)

    with django_capture_on_commit_callbacks(execute=True):
        assert billing_dunning_check(now=timezone.now()) == []  # still in grace
        assert billing_dunning_check(now=later) == [tenant_a.pk]
        assert billing_dunning_check(now=later + timedelta(hours=1)) == []

    account = account_of(tenant_a)
    assert account.read_only_since == later
    assert workspace_access(tenant_a) == "read_only"
    assert _recipients("read_only") == sorted(o.email for o in owners)


def test_paying_restores_full_access_at_once_and_says_so_once(
    stripe_standin, tenant_a, subscribed, receive, django_capture_on_commit_callbacks
):
    subscription_id, owners = subscribed
    receive(*stripe_standin.payment_failed_simulate(subscription_id))
    with django_capture_on_commit_callbacks(execute=True):
        billing_dunning_check(now=account_of(tenant_a).grace_until + timedelta(seconds=1))
    assert workspace_access(tenant_a) == "read_only"

    paid, active = stripe_standin.payment_succeeded_simulate(subscription_id)
    receive(paid, active, paid)

    account = account_of(tenant_a)
    assert account.status == BillingAccount.Status.ACTIVE
    assert (account.grace_until, account.read_only_since) == (None, None)
    assert workspace_access(tenant_a) == "full"
    assert _recipients("restored") == sorted(o.email for o in owners)


def test_a_read_only_notice_still_waiting_when_the_payment_arrives_is_not_sent(
    stripe_standin, tenant_a, subscribed, receive
):
    subscription_id, owners = subscribed
    receive(*stripe_standin.payment_failed_simulate(subscription_id))
    # Grace runs out, but the mail job has not run yet (its commit callbacks are dropped).
    billing_dunning_check(now=account_of(tenant_a).grace_until + timedelta(seconds=1))
    with public_context():
        notice = BillingNotice.objects.get(kind="read_only")
    paid, active = stripe_standin.payment_succeeded_simulate(subscription_id)
    receive(paid, active)
    from billing.notices import billing_notice_deliver

    assert billing_notice_deliver(notice_id=notice.pk) == 0
    assert _recipients("read_only") == []
    assert _recipients("restored") == sorted(o.email for o in owners)
    with public_context():
        notice.refresh_from_db()
        assert notice.sent_at is not None  # settled: a retry sends nothing either


def test_a_paused_subscription_gets_a_grace_period_and_resuming_restores_it(
    stripe_standin, tenant_a, subscribed, receive
):
    subscription_id, owners = subscribed
    receive(stripe_standin.subscription_pause_simulate(subscription_id))
    account = account_of(tenant_a)
    assert account.status == BillingAccount.Status.UNPAID
    assert account.grace_until is not None
    assert workspace_access(tenant_a) == "grace"
    assert _recipients("payment_failed") == sorted(o.email for o in owners)  # add a card

    receive(stripe_standin.subscription_resume_simulate(subscription_id))
    account = account_of(tenant_a)
    assert (account.status, account.grace_until) == (BillingAccount.Status.ACTIVE, None)
    assert workspace_access(tenant_a) == "full"
    assert _recipients("restored") == sorted(o.email for o in owners)


def test_a_late_payment_failed_event_after_the_payment_does_not_start_grace(
    stripe_standin, tenant_a, subscribed, receive
):
    subscription_id, _owners = subscribed
    failed, past_due = stripe_standin.payment_failed_simulate(subscription_id)
    paid, active = stripe_standin.payment_succeeded_simulate(subscription_id)

    receive(paid, active, past_due, failed)

    account = account_of(tenant_a)
    assert (account.status, account.grace_until) == ("active", None)
    assert workspace_access(tenant_a) == "full"
    assert _recipients("payment_failed") == []


def test_cancellation_makes_it_read_only_and_keeps_the_data_for_the_retention_period(
    stripe_standin, tenant_a, subscribed, receive, settings
):
    subscription_id, owners = subscribed
    settings.KEFU_BILLING_RETENTION_DAYS = 90

    receive(stripe_standin.subscription_cancel_simulate(subscription_id))

    account = account_of(tenant_a)
    assert account.status == BillingAccount.Status.CANCELED
    assert account.canceled_at is not None
    expected = timezone.now() + timedelta(days=90)
    assert abs((account.retain_until - expected).total_seconds()) < 60
    assert workspace_access(tenant_a) == "read_only"
    assert _recipients("canceled") == sorted(o.email for o in owners)


def test_a_deleted_customer_clears_the_stripe_ids_and_cancels_once(
    stripe_standin, tenant_a, subscribed, receive
):
    _subscription_id, owners = subscribed
    customer_id = account_of(tenant_a).stripe_customer_id

    events = stripe_standin.customer_delete_simulate(customer_id)
    receive(events[-1], *events)  # the customer's deletion first, then everything again

    account = account_of(tenant_a)
    assert (account.stripe_customer_id, account.stripe_subscription_id) == ("", "")
    assert account.status == BillingAccount.Status.CANCELED
    assert account.retain_until is not None
    assert workspace_access(tenant_a) == "read_only"
    assert _recipients("canceled") == sorted(o.email for o in owners)


def test_subscribing_again_after_cancellation_restores_the_workspace(
    stripe_standin, tenant_a, subscribed, receive
):
    subscription_id, _owners = subscribed
    receive(stripe_standin.subscription_cancel_simulate(subscription_id))

    plan = account_of(tenant_a).tenant.plan
    receive(*stripe_standin.checkout_complete_simulate(
        checkout_open(stripe_standin, tenant_a, plan)
    ))  # fmt: skip

    account = account_of(tenant_a)
    assert account.stripe_subscription_id != subscription_id
    assert account.status == BillingAccount.Status.ACTIVE
    assert (account.canceled_at, account.retain_until, account.read_only_since) == (None,) * 3
    assert workspace_access(tenant_a) == "full"
    # The old subscription's late events change nothing now.
    old = stripe_standin.objects["subscriptions"][subscription_id]
    receive(stripe_standin.event("customer.subscription.deleted", old))
    assert account_of(tenant_a).status == BillingAccount.Status.ACTIVE


def test_each_notice_is_sent_once_however_often_its_job_runs(
    stripe_standin, tenant_a, subscribed, receive
):
    subscription_id, owners = subscribed
    receive(*stripe_standin.payment_failed_simulate(subscription_id))
    with public_context():
        notice = BillingNotice.objects.get(kind="payment_failed")
    from billing.notices import billing_notice_deliver

    assert billing_notice_deliver(notice_id=notice.pk) == 0
    assert len(_recipients("payment_failed")) == len(owners)


def test_a_declined_one_off_invoice_does_not_start_dunning(stripe_standin, tenant_a, receive):
    """No subscription behind the invoice (a one-off charge): access is not at stake, even for
    a workspace still in Kefu's own trial."""
    from billing.accounts import billing_account_open

    billing_account_open(tenant=tenant_a, plan=plan_make())
    customer = stripe_standin.objects["customers"].setdefault(
        "cus_oneoff", {"id": "cus_oneoff", "object": "customer", "metadata": {}}
    )
    with public_context():
        BillingAccount.objects.filter(tenant=tenant_a).update(stripe_customer_id=customer["id"])
    invoice = {"id": "in_oneoff", "object": "invoice", "customer": customer["id"],
               "status": "open", "parent": None}  # fmt: skip

    receive(stripe_standin.event("invoice.payment_failed", invoice))

    account = account_of(tenant_a)
    assert (account.status, account.grace_until) == ("trialing", None)
    assert workspace_access(tenant_a) == "full"
    assert not BillingNotice.objects.exists()
