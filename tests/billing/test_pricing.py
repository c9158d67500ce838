"""Prices in a currency, money as people read it, and the bill at the current pace."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from billing.models import BillingAccount, Plan, PlanPrice
from billing.pricing import bill_estimate, money_format, plan_price_in
from billing.selectors import billing_period_current


@pytest.mark.parametrize(
    ("amount", "currency", "unit_price", "shown"),
    [
        ("29", "USD", False, "$29.00"),
        ("199", "CNY", False, "¥199.00"),
        ("1500", "JPY", False, "¥1,500"),
        ("1234.5", "EUR", False, "€1,234.50"),
        ("0.005", "USD", False, "$0.01"),
        ("0.015", "USD", True, "$0.015"),
        ("0.05", "USD", True, "$0.05"),
        ("3", "JPY", True, "¥3"),
        ("10", "CHF", False, "10.00 CHF"),
    ],
)
def test_money_format(amount, currency, unit_price, shown):
    assert money_format(Decimal(amount), currency, unit_price=unit_price) == shown


@pytest.mark.django_db
def test_plan_price_in_uses_the_currency_price_or_falls_back():
    plan = Plan.objects.create(name="Team", code="team", monthly_base_price=Decimal("29"))
    PlanPrice.objects.create(plan=plan, currency="CNY", monthly_base_price=Decimal("199"))

    assert plan_price_in(plan, "cny") == ("CNY", Decimal("199.00"), Decimal("0"))
    assert plan_price_in(plan, "EUR") == ("USD", Decimal("29.00"), Decimal("0"))
    assert plan_price_in(plan, "USD").base == Decimal("29.00")


def _team() -> Plan:
    return Plan(
        name="Team",
        code="team",
        currency="USD",
        monthly_base_price=Decimal("29"),
        included_resolved_tickets=500,
        price_per_extra_resolved_ticket=Decimal("0.05"),
    )


def test_bill_so_far_and_projected():
    start = datetime(2025, 3, 1, tzinfo=UTC)
    estimate = bill_estimate(
        plan=_team(),
        currency="USD",
        used_tickets=600,
        period_start=start,
        period_end=start + timedelta(days=30),
        now=start + timedelta(days=10),
    )

    assert (estimate.extra_tickets, estimate.extra_amount) == (100, Decimal("5.00"))
    assert estimate.total_so_far == Decimal("34.00")
    assert estimate.projected_tickets == 1800
    assert estimate.projected_total == Decimal("94.00")  # 29 + 1300 x 0.05


def test_a_fresh_period_does_not_project_wild_numbers():
    start = datetime(2025, 3, 1, tzinfo=UTC)
    estimate = bill_estimate(
        plan=_team(),
        currency="USD",
        used_tickets=1,
        period_start=start,
        period_end=start + timedelta(days=30),
        now=start + timedelta(seconds=5),
    )

    assert estimate.projected_tickets == 720  # a pace of one an hour, not one per 5 seconds


def test_unsubscribed_period_is_the_calendar_month_in_the_workspace_zone():
    account = BillingAccount(status=BillingAccount.Status.TRIALING)
    # 20:00 UTC on 31 March is already 1 April in Shanghai.
    period = billing_period_current(
        account=account, now=datetime(2025, 3, 31, 20, tzinfo=UTC), time_zone="Asia/Shanghai"
    )

    assert not period.from_stripe
    assert period.start.isoformat() == "2025-04-01T00:00:00+08:00"
    assert period.end.isoformat() == "2025-05-01T00:00:00+08:00"


def test_december_rolls_into_january():
    period = billing_period_current(
        account=BillingAccount(),
        now=datetime(2025, 12, 15, tzinfo=UTC),
        time_zone="UTC",
    )

    assert (period.start.month, period.end.year, period.end.month) == (12, 2026, 1)


def test_subscribed_period_is_stripes():
    start = datetime(2025, 3, 15, tzinfo=UTC)
    account = BillingAccount(
        stripe_subscription_id="sub_1",
        current_period_start=start,
        current_period_end=start + timedelta(days=31),
    )

    period = billing_period_current(
        account=account, now=start + timedelta(days=3), time_zone="Asia/Shanghai"
    )

    assert (period.start, period.from_stripe) == (start, True)
