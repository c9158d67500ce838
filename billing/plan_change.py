"""Switching a running subscription to another plan, in place.

Checkout always starts a new subscription, so a workspace that already pays switches here: both
items of its subscription (the base fee and the metered tickets) move to the new plan's prices
in the subscription's currency, with Stripe's proration for the rest of the period. Usage
already reported stays on the meter, so the tickets of this period are billed at the new plan's
rates when the period closes.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

import stripe
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from billing.accounts import billing_account_get
from billing.checkout import BillingError, has_live_subscription, plan_price_ids, stripe_failure
from billing.limits import PlanLimitError, plan_fits_check
from billing.models import BillingAccount, Plan
from billing.pricing import plan_price_in
from billing.services import subscription_apply
from billing.stripe_sync import stripe_client
from kefu.accounts.models import User
from kefu.tenancy import public_context, tenant_context
from tenants.models import Tenant

logger = logging.getLogger(__name__)


def _item_changes(items: list[Any], *, base_id: str, ticket_id: str) -> list[dict[str, Any]]:
    """New prices for the licensed (base) and metered (tickets) items; anything else goes."""
    changes: list[dict[str, Any]] = []
    wanted = {"licensed": base_id, "metered": ticket_id}
    for item in items:
        recurring = item["price"].get("recurring") or {}
        usage = recurring.get("usage_type") or "licensed"
        price_id = wanted.pop(usage, None)
        if price_id is None:
            changes.append({"id": item["id"], "deleted": True})
        elif usage == "metered":
            changes.append({"id": item["id"], "price": price_id})
        else:
            changes.append({"id": item["id"], "price": price_id, "quantity": 1})
    for usage, price_id in wanted.items():  # an item the subscription lacked: add it
        changes.append({"price": price_id, **({"quantity": 1} if usage == "licensed" else {})})
    return changes


def subscription_plan_change(*, tenant: Tenant, plan: Plan) -> BillingAccount:
    """Move the workspace's live subscription to ``plan``; the account shows it at once."""
    account = billing_account_get(tenant=tenant)
    if not has_live_subscription(account):
        raise BillingError(_("There is no subscription to change: choose a plan first."))
    if not plan.is_active:
        raise BillingError(_("This plan is no longer offered."))
    if tenant.plan_id == plan.pk:
        raise BillingError(_("The workspace is already on this plan."))
    _fits(plan)
    metadata = {"kefu_tenant_id": str(tenant.id), "kefu_plan_code": plan.code}
    try:
        client = stripe_client()
        current = client.v1.subscriptions.retrieve(account.stripe_subscription_id).to_dict()
        base_id, ticket_id = plan_price_ids(
            client, plan=plan, currency=str(current["currency"]).upper()
        )
        changes = _item_changes(current["items"]["data"], base_id=base_id, ticket_id=ticket_id)
        updated = client.v1.subscriptions.update(
            account.stripe_subscription_id,
            {"items": changes, "metadata": metadata, "proration_behavior": "create_prorations"},
        ).to_dict()
    except (stripe.StripeError, ImproperlyConfigured) as error:
        raise stripe_failure(error) from error
    logger.info("subscription of %s switched to plan %s", tenant.slug, plan.code)
    return subscription_apply(tenant=tenant, subscription=updated, at=_state_time(account))


def _fits(plan: Plan) -> None:
    try:
        plan_fits_check(plan)
    except PlanLimitError as error:
        raise BillingError(str(error)) from error


def free_plan_fits(*, tenant: Tenant, plan: Plan) -> bool:
    """Whether the workspace's team and channels fit ``plan`` (counted in its schema)."""
    with tenant_context(tenant):
        try:
            plan_fits_check(plan)
        except PlanLimitError:
            return False
    return True


def is_free(plan: Plan, currency: str) -> bool:
    terms = plan_price_in(plan, currency)
    return not terms.base and not terms.per_ticket


def free_plan_choose(*, tenant: Tenant, plan: Plan) -> BillingAccount:
    """Move a workspace without a subscription to a free plan: no Stripe involved, the trial
    ends, and the plan's limits must already fit."""
    account = billing_account_get(tenant=tenant)
    if has_live_subscription(account) or not is_free(plan, account.currency):
        raise BillingError(_("This plan needs a subscription."))
    _fits(plan)
    with public_context(), transaction.atomic():
        account = BillingAccount.objects.select_for_update().get(pk=account.pk)
        if has_live_subscription(account):  # a subscription arrived meanwhile: it decides
            raise BillingError(_("This plan needs a subscription."))
        account.status = BillingAccount.Status.ACTIVE
        account.trial_ends_at = None
        account.read_only_since = None  # a trial that ended read-only: a plan is chosen now
        account.save(update_fields=["status", "trial_ends_at", "read_only_since", "updated_at"])
        Tenant.objects.filter(pk=tenant.pk).update(plan=plan)
        tenant.plan = plan
    logger.info("workspace %s chose the free plan %s", tenant.slug, plan.code)
    return account


def _state_time(account: BillingAccount) -> datetime:
    """The time to apply our own read of the subscription at: the newest Stripe time already
    applied (or a minute ago), never our clock. Stripe's events for this change carry a later
    (whole-second) time and so still apply; a time of ours could be ahead of them."""
    return account.subscription_state_at or timezone.now() - timedelta(minutes=1)


def plan_set_by_operator(
    *, tenant: Tenant, plan: Plan, actor: User, reason: str = "", ip: str | None = None
) -> BillingAccount:
    """An operator puts a workspace without a Stripe subscription on ``plan`` (invoiced by
    hand, a favour, or Stripe not set up here): no trial, full access, the plan's limits must
    fit, and the audit log says who did it and from which plan. A workspace that pays through
    Stripe changes its subscription instead, or it would be billed for one plan and given
    another."""
    from tenants.models import AuditEntry
    from tenants.operator import audit_record  # tenants.operator knows nothing of billing

    account = billing_account_get(tenant=tenant)
    if has_live_subscription(account):
        raise BillingError(
            _(
                "%(name)s pays through a Stripe subscription: change the plan in Stripe, or "
                "let the owner switch it on the billing page."
            )
            % {"name": tenant.name}
        )
    if not free_plan_fits(tenant=tenant, plan=plan):
        raise BillingError(
            _("The team or channels of %(name)s do not fit the limits of %(plan)s.")
            % {"name": tenant.name, "plan": plan.name}
        )
    with public_context(), transaction.atomic():
        account = BillingAccount.objects.select_for_update().get(tenant=tenant)
        if has_live_subscription(account):
            raise BillingError(_("A subscription arrived meanwhile; nothing was changed."))
        previous = Plan.objects.filter(tenants__pk=tenant.pk).first()
        account.status = BillingAccount.Status.ACTIVE
        account.trial_ends_at = None
        account.read_only_since = None
        account.save(update_fields=["status", "trial_ends_at", "read_only_since", "updated_at"])
        Tenant.objects.filter(pk=tenant.pk).update(plan=plan)
        tenant.plan = plan
        details = {"from": previous.code if previous else "", "to": plan.code}
        if reason:
            details["reason"] = reason
        audit_record(
            actor=actor, action=AuditEntry.Action.CHANGE_PLAN, tenant=tenant,
            details=details, ip_address=ip,
        )  # fmt: skip
    logger.info("operator %s put workspace %s on plan %s", actor.pk, tenant.slug, plan.code)
    return account
