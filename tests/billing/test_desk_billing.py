"""The desk's billing page: owners and admins of this workspace only."""

from __future__ import annotations

import pytest

from billing.accounts import billing_account_open
from billing.models import Plan
from kefu.accounts.models import User
from tests.conftest import host


@pytest.fixture
def team_plan(db):
    return Plan.objects.create(name="Team", code="team-desk", trial_days=14)


def test_owner_sees_the_plan_and_its_trial(client, tenant_a, make_user, login_as, team_plan):
    billing_account_open(tenant=tenant_a, plan=team_plan)
    login_as(tenant_a, make_user(tenant_a, User.Role.OWNER))

    page = client.get("/desk/billing/", HTTP_HOST=host(tenant_a)).content.decode()

    assert "Team" in page
    assert "Trial ends" in page


@pytest.mark.parametrize("role", [User.Role.AGENT, User.Role.CUSTOMER])
def test_lower_roles_cannot_open_the_billing_page(client, tenant_a, make_user, login_as, role):
    login_as(tenant_a, make_user(tenant_a, role))

    assert client.get("/desk/billing/", HTTP_HOST=host(tenant_a)).status_code == 403


def test_an_owner_of_another_workspace_cannot_open_it(
    client, tenant_a, tenant_b, make_user, login_as
):
    login_as(tenant_b, make_user(tenant_b, User.Role.OWNER))

    response = client.get("/desk/billing/", HTTP_HOST=host(tenant_a))

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


# -- usage and the projected bill -----------------------------------------------------------


@pytest.fixture
def seeded_team(db):
    from billing.seed import plans_seed

    return {plan.code: plan for plan in plans_seed()}["team"]


def _usage(tenant, *rows):
    """``rows``: (occurred_at, quantity) resolved-ticket usage events in ``tenant``."""
    from billing.metering.models import UsageEvent
    from kefu.tenancy import tenant_context

    with tenant_context(tenant):
        UsageEvent.objects.bulk_create(
            UsageEvent(kind=UsageEvent.Kind.RESOLVED_TICKET, occurred_at=at, quantity=quantity)
            for at, quantity in rows
        )


def _testid(page: str, testid: str) -> str:
    import re

    match = re.search(rf'data-testid="{testid}">([^<]*)<', page)
    assert match, testid
    return match.group(1).strip()


def test_usage_and_projected_bill_of_a_subscribed_workspace(
    client, tenant_a, make_user, login_as, seeded_team
):
    from datetime import timedelta

    from django.utils import timezone

    from billing.models import BillingAccount

    now = timezone.now()
    billing_account_open(tenant=tenant_a, plan=seeded_team)
    BillingAccount.objects.filter(tenant=tenant_a).update(
        status=BillingAccount.Status.ACTIVE,
        stripe_subscription_id="sub_x",
        current_period_start=now - timedelta(days=15),
        current_period_end=now + timedelta(days=15),
    )
    # 600 in this period (the Team plan includes 500, then $0.05 each); older ones don't count.
    _usage(
        tenant_a,
        (now - timedelta(days=14), 250),
        (now - timedelta(days=1), 349),
        (now - timedelta(minutes=5), 1),
        (now - timedelta(days=16), 1000),
    )
    login_as(tenant_a, make_user(tenant_a, User.Role.OWNER))

    page = client.get("/desk/billing/", HTTP_HOST=host(tenant_a)).content.decode()

    assert '<span class="badge status-active">Active</span>' in page
    assert _testid(page, "used-tickets") == "600"
    assert "100 extra tickets × $0.05" in page
    assert _testid(page, "extra-amount") == "$5.00"
    assert _testid(page, "base-fee") == "$29.00"
    assert _testid(page, "bill-so-far") == "$34.00"
    # Half the period gone: 1,200 tickets by its end, 700 of them extra.
    assert "Projected at the current pace (1200 tickets)" in page
    assert _testid(page, "bill-projected") == "$64.00"


def test_a_trial_shows_days_left_and_the_calendar_month(
    client, tenant_a, make_user, login_as, seeded_team
):
    billing_account_open(tenant=tenant_a, plan=seeded_team, currency="CNY")
    login_as(tenant_a, make_user(tenant_a, User.Role.OWNER))

    page = client.get("/desk/billing/", HTTP_HOST=host(tenant_a)).content.decode()

    assert "14 days left" in page
    assert "calendar month" in page
    assert _testid(page, "base-fee") == "¥199.00"
    assert _testid(page, "bill-so-far") == "¥199.00"
    assert "Nothing is charged during the trial" in page


def test_returning_from_checkout_shows_a_thank_you(
    client, tenant_a, make_user, login_as, seeded_team
):
    billing_account_open(tenant=tenant_a, plan=seeded_team)
    login_as(tenant_a, make_user(tenant_a, User.Role.OWNER))

    page = client.get("/desk/billing/?checkout=done", HTTP_HOST=host(tenant_a)).content.decode()

    assert "as soon as Stripe confirms the payment" in page


def test_the_plans_on_offer_show_prices_limits_and_buttons(
    client, tenant_a, make_user, login_as, seeded_team, settings
):
    from billing.models import Plan

    settings.STRIPE_SECRET_KEY = "sk_test_x"  # only rendered: paid plans offer a button

    billing_account_open(tenant=tenant_a, plan=seeded_team)
    Plan.objects.filter(code="business").update(max_channels=None)
    login_as(tenant_a, make_user(tenant_a, User.Role.OWNER))

    page = client.get("/desk/billing/", HTTP_HOST=host(tenant_a)).content.decode()

    assert "$99.00" in page
    assert "3000 resolved tickets included" in page
    assert "then $0.03 per resolved ticket" in page
    assert "Up to 10 agents" in page
    assert "Unlimited agents" in page
    assert "Upgrade to Business" in page
    assert "Choose Free" in page
    assert "Upgrade to Team" not in page  # the current plan
