"""Changes to a workspace's billing account from what Stripe tells us, and dunning.

Every function here runs in the public schema, locks the account row, and queues its owner
emails as BillingNotice rows (unique per kind and reference, so each is sent once) that a job
sends after commit.

Dunning: a failed payment starts a grace period (``grace_until``: staff keep full access with
a banner); when it passes, ``billing_dunning_check`` makes the workspace read-only for staff
(``read_only_since``); a payment (or the subscription active again) clears both at once. A
canceled subscription makes the workspace read-only too, and its data is kept until
``retain_until``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from billing.accounts import billing_account_get
from billing.models import BillingAccount, BillingNotice, Plan
from kefu.jobs import enqueue_on_commit
from kefu.tenancy import public_context
from tenants.models import Tenant

Status = BillingAccount.Status
#: Stripe subscription statuses as the account keeps them.
STATUS_FROM_STRIPE = {
    "trialing": Status.TRIALING,
    "active": Status.ACTIVE,
    "past_due": Status.PAST_DUE,
    "unpaid": Status.UNPAID,
    "paused": Status.UNPAID,
    "incomplete": Status.INCOMPLETE,
    "incomplete_expired": Status.INCOMPLETE,
    "canceled": Status.CANCELED,
}
GOOD_STANDING = {Status.TRIALING, Status.ACTIVE}
OVERDUE = {Status.PAST_DUE, Status.UNPAID}
LIVE = GOOD_STANDING | OVERDUE


def stripe_time(value: Any) -> datetime | None:
    """A Stripe timestamp (seconds since the epoch) as an aware datetime."""
    if value in (None, ""):
        return None
    return datetime.fromtimestamp(int(value), tz=UTC)


def _locked_account(tenant: Tenant) -> BillingAccount:
    billing_account_get(tenant=tenant)  # workspaces older than billing get one first
    return BillingAccount.objects.select_for_update().select_related("tenant").get(tenant=tenant)


def notice_queue(*, account: BillingAccount, kind: str, reference: str) -> bool:
    """Record that the owners get this email (once per kind and reference); the job sends it
    after commit. False if it was queued before."""
    from billing.jobs import billing_notice_send

    notice, created = BillingNotice.objects.get_or_create(
        account=account, kind=kind, reference=reference[:255]
    )
    if created:
        enqueue_on_commit(billing_notice_send, notice.pk)
    return created


# --- transitions (on a locked account; the caller saves) ------------------------------------


def _grace_start(account: BillingAccount, *, reference: str, now: datetime) -> None:
    account.status = Status.PAST_DUE if account.status in GOOD_STANDING else account.status
    if account.grace_until is None and account.read_only_since is None:
        account.grace_until = now + timedelta(days=settings.KEFU_BILLING_GRACE_DAYS)
    notice_queue(account=account, kind=BillingNotice.Kind.PAYMENT_FAILED, reference=reference)


def _restore(account: BillingAccount) -> None:
    """Paid again: full access at once (and the owners hear about it, once per episode)."""
    started = account.grace_until or account.read_only_since
    if started is None and account.canceled_at is None:
        return
    reference = started.isoformat() if started else f"canceled:{account.canceled_at}"
    account.grace_until = None
    account.read_only_since = None
    account.canceled_at = None
    account.retain_until = None
    notice_queue(account=account, kind=BillingNotice.Kind.RESTORED, reference=reference)


def _cancel(account: BillingAccount, *, reference: str, at: datetime | None) -> None:
    now = timezone.now()
    already = account.status == Status.CANCELED and account.retain_until is not None
    account.status = Status.CANCELED
    account.grace_until = None
    if not already:
        account.canceled_at = at or now
        account.retain_until = now + timedelta(days=settings.KEFU_BILLING_RETENTION_DAYS)
    account.read_only_since = account.read_only_since or now
    if not already:  # a subscription ending, then its customer deleted: one email
        notice_queue(account=account, kind=BillingNotice.Kind.CANCELED, reference=reference)


# --- subscription state ---------------------------------------------------------------------


def plan_for_subscription(subscription: Mapping[str, Any]) -> Plan | None:
    """The plan a subscription is for: its prices' product, else kefu_plan_code metadata."""
    codes = []
    for item in (subscription.get("items") or {}).get("data") or []:
        price = item.get("price") or {}
        product = price.get("product")
        product_id = product.get("id") if isinstance(product, Mapping) else product
        if product_id:
            plan = Plan.objects.filter(stripe_product_id=product_id).first()
            if plan is not None:
                return plan
        codes.append((price.get("metadata") or {}).get("kefu_plan_code"))
    codes.append((subscription.get("metadata") or {}).get("kefu_plan_code"))
    for code in filter(None, codes):
        plan = Plan.objects.filter(code=code).first()
        if plan is not None:
            return plan
    return None


def _adopts(account: BillingAccount, subscription: Mapping[str, Any]) -> bool:
    """Whether this subscription is (or becomes) the workspace's: its own, the first one, or a
    live one replacing a canceled or never-completed subscription."""
    current = account.stripe_subscription_id
    if current == subscription["id"]:
        return True
    status = STATUS_FROM_STRIPE.get(subscription.get("status") or "")
    if status in LIVE:
        return not current or account.status in (Status.CANCELED, Status.INCOMPLETE)
    # An ended subscription only matters if the workspace has none and is not canceled yet
    # (otherwise it is an old one, or its customer was deleted first).
    return not current and account.status != Status.CANCELED


def _period(subscription: Mapping[str, Any]) -> tuple[datetime | None, datetime | None]:
    """The current period, from the items (where the current API keeps it)."""
    items = (subscription.get("items") or {}).get("data") or []
    starts = [item["current_period_start"] for item in items if item.get("current_period_start")]
    ends = [item["current_period_end"] for item in items if item.get("current_period_end")]
    return (
        stripe_time(min(starts)) if starts else None,
        stripe_time(max(ends)) if ends else None,
    )


@transaction.atomic
def subscription_apply(
    *, tenant: Tenant, subscription: Mapping[str, Any], at: datetime
) -> BillingAccount:
    """Copy a subscription's state (as Stripe knows it at ``at``, an event's ``created``) to
    the workspace's account, unless a newer state was applied already."""
    with public_context():
        account = _locked_account(tenant)
        newer_known = account.subscription_state_at and at < account.subscription_state_at
        if newer_known or not _adopts(account, subscription):
            return account
        customer = subscription.get("customer")
        account.stripe_subscription_id = subscription["id"]
        if isinstance(customer, str) and customer:
            account.stripe_customer_id = customer
        account.current_period_start, account.current_period_end = _period(subscription)
        account.cancel_at_period_end = bool(subscription.get("cancel_at_period_end"))
        account.trial_ends_at = stripe_time(subscription.get("trial_end")) or account.trial_ends_at
        account.subscription_state_at = at
        status = STATUS_FROM_STRIPE.get(subscription.get("status") or "", Status.INCOMPLETE)
        if status == Status.CANCELED:
            at_cancel = stripe_time(subscription.get("canceled_at") or subscription.get("ended_at"))
            _cancel(account, reference=subscription["id"], at=at_cancel)
        else:
            account.status = status
            if status in GOOD_STANDING:
                _restore(account)
            elif status in OVERDUE:
                invoice = subscription.get("latest_invoice")
                invoice_id = invoice.get("id") if isinstance(invoice, Mapping) else invoice
                reference = invoice_id or subscription["id"]
                _grace_start(account, reference=reference, now=timezone.now())
        account.save()
        plan = plan_for_subscription(subscription)
        if plan is not None and account.tenant.plan_id != plan.pk:
            Tenant.objects.filter(pk=tenant.pk).update(plan=plan)
            tenant.plan = plan
        return account


@transaction.atomic
def customer_link(*, tenant: Tenant, customer_id: str) -> BillingAccount:
    """Checkout finished with this Stripe customer: it is the workspace's from now on."""
    with public_context():
        account = _locked_account(tenant)
        if customer_id and account.stripe_customer_id != customer_id:
            account.stripe_customer_id = customer_id
            account.save(update_fields=["stripe_customer_id", "updated_at"])
        return account


@transaction.atomic
def payment_failed_record(
    *, tenant: Tenant, invoice_id: str, subscription_id: str, at: datetime
) -> BillingAccount:
    """A charge for the workspace's subscription was declined: past due and a grace period
    (unless one runs), owners emailed once per invoice. Ignored when a newer subscription state
    is known, for another subscription, or once canceled."""
    with public_context():
        account = _locked_account(tenant)
        newer_known = account.subscription_state_at and at < account.subscription_state_at
        other = not subscription_id or subscription_id != account.stripe_subscription_id
        if newer_known or other or account.status not in LIVE:
            return account
        _grace_start(account, reference=invoice_id, now=timezone.now())
        account.save()
        return account


@transaction.atomic
def customer_forget(*, tenant: Tenant, customer_id: str) -> BillingAccount:
    """The Stripe customer was deleted: its ids go, and the workspace is canceled."""
    with public_context():
        account = _locked_account(tenant)
        if account.stripe_customer_id != customer_id:
            return account
        account.stripe_customer_id = ""
        account.stripe_subscription_id = ""
        account.cancel_at_period_end = False
        _cancel(account, reference=customer_id, at=None)
        account.save()
        return account


def trials_end(*, now: datetime | None = None) -> list[int]:
    """End every trial that ran out without a subscription: the workspace moves to the free
    default plan if there is one and the team fits it, else it becomes read-only for staff
    until the owner picks a plan. The owners are told once. Returns the tenant ids."""
    from billing.plan_change import free_plan_fits, is_free

    now = now or timezone.now()
    with public_context():
        due = BillingAccount.objects.filter(
            status=Status.TRIALING,
            stripe_subscription_id="",
            trial_ends_at__lte=now,
            read_only_since=None,
        )
        default = Plan.objects.filter(is_default=True, is_active=True).first()
        ended = []
        for account_id in list(due.values_list("pk", flat=True)):
            with transaction.atomic():
                account = due.select_for_update().filter(pk=account_id).first()
                if account is None:
                    continue  # subscribed or ended meanwhile
                reference = account.trial_ends_at.isoformat()
                tenant = account.tenant
                if (
                    default
                    and is_free(default, account.currency)
                    and free_plan_fits(tenant=tenant, plan=default)
                ):
                    account.status = Status.ACTIVE
                    account.trial_ends_at = None
                    Tenant.objects.filter(pk=tenant.pk).update(plan=default)
                else:
                    account.read_only_since = now
                account.save(
                    update_fields=["status", "trial_ends_at", "read_only_since", "updated_at"]
                )
                notice_queue(
                    account=account, kind=BillingNotice.Kind.TRIAL_ENDED, reference=reference
                )
                ended.append(tenant.pk)
    return ended


def billing_dunning_check(*, now: datetime | None = None) -> list[int]:
    """Make read-only every workspace whose grace period ran out; returns their tenant ids."""
    now = now or timezone.now()
    with public_context():
        due = BillingAccount.objects.filter(grace_until__lte=now, read_only_since=None).exclude(
            status=Status.CANCELED
        )
        changed = []
        for account_id in list(due.values_list("pk", flat=True)):
            with transaction.atomic():
                account = due.select_for_update().filter(pk=account_id).first()
                if account is None:
                    continue  # paid or canceled meanwhile
                account.read_only_since = now
                account.save(update_fields=["read_only_since", "updated_at"])
                notice_queue(
                    account=account,
                    kind=BillingNotice.Kind.READ_ONLY,
                    reference=account.grace_until.isoformat(),
                )
                changed.append(account.tenant_id)
    return changed
