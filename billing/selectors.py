"""Reads for the desk's billing page: the period, its usage and bill, the plans on offer."""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from billing.accounts import billing_account_get
from billing.metering.selectors import usage_in_period
from billing.models import BillingAccount, Plan
from billing.pricing import BillEstimate, PlanPriceTerms, bill_estimate, plan_price_in
from kefu.tenancy import public_context
from tenants.models import Tenant


@dataclass(frozen=True)
class BillingPeriod:
    start: datetime
    end: datetime
    #: True when Stripe's subscription period; else the calendar month in the workspace's zone.
    from_stripe: bool


def billing_period_current(
    *, account: BillingAccount, now: datetime, time_zone: str
) -> BillingPeriod:
    """The subscription's current period while Stripe runs one, else this calendar month."""
    start, end = account.current_period_start, account.current_period_end
    if account.stripe_subscription_id and start and end and start <= now < end:
        return BillingPeriod(start, end, from_stripe=True)
    local = timezone.localtime(now, zoneinfo.ZoneInfo(time_zone))
    month_start = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    if month_start.month == 12:
        next_month = month_start.replace(year=month_start.year + 1, month=1)
    else:
        next_month = month_start.replace(month=month_start.month + 1)
    return BillingPeriod(month_start, next_month, from_stripe=False)


@dataclass(frozen=True)
class PlanOffer:
    plan: Plan
    price: PlanPriceTerms
    is_current: bool
    #: Costs more a month than the current plan (the button says "Upgrade", else "Choose").
    is_upgrade: bool

    @property
    def is_paid(self) -> bool:
        return bool(self.price.base or self.price.per_ticket)


def plan_offers_list(*, currency: str, current: Plan | None) -> list[PlanOffer]:
    """The plans on offer, priced in ``currency`` where the plan has a price in it."""
    with public_context():
        plans = list(Plan.objects.filter(is_active=True).prefetch_related("prices"))
    current_base = plan_price_in(current, currency).base if current else None
    offers = []
    for plan in plans:
        price = plan_price_in(plan, currency)
        offers.append(
            PlanOffer(
                plan=plan,
                price=price,
                is_current=current is not None and plan.pk == current.pk,
                is_upgrade=current_base is not None and price.base > current_base,
            )
        )
    return offers


@dataclass(frozen=True)
class BillingOverview:
    account: BillingAccount
    plan: Plan | None
    trial_days_left: int | None
    period: BillingPeriod
    estimate: BillEstimate | None
    offers: list[PlanOffer]


def billing_overview_get(
    *, tenant: Tenant, time_zone: str, now: datetime | None = None
) -> BillingOverview:
    """Everything the billing page shows. Runs inside the workspace's schema (for its usage)."""
    now = now or timezone.now()
    account = billing_account_get(tenant=tenant)
    plan = None
    if account.tenant.plan_id:
        with public_context():
            plan = Plan.objects.prefetch_related("prices").get(pk=account.tenant.plan_id)
    period = billing_period_current(account=account, now=now, time_zone=time_zone)
    estimate = None
    if plan is not None:
        estimate = bill_estimate(
            plan=plan,
            currency=account.currency,
            used_tickets=usage_in_period(start=period.start, end=period.end),
            period_start=period.start,
            period_end=period.end,
            now=now,
        )
    trial_days_left = None
    if account.status == BillingAccount.Status.TRIALING and account.trial_ends_at:
        seconds = (account.trial_ends_at - now).total_seconds()
        trial_days_left = max(0, -int(-seconds // 86400))  # whole days, rounded up
    return BillingOverview(
        account=account,
        plan=plan,
        trial_days_left=trial_days_left,
        period=period,
        estimate=estimate,
        offers=plan_offers_list(currency=account.currency, current=plan),
    )
