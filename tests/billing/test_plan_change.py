"""Changing plans from the desk: a paying workspace switches its subscription in place (never a
second one), a trial can drop to the free plan without Stripe, and a smaller plan must fit."""

from __future__ import annotations

from decimal import Decimal

import pytest

from billing.accounts import billing_account_open
from billing.models import Plan
from billing.stripe_sync import plans_sync_to_stripe
from kefu.accounts.models import User
from kefu.tenancy import public_context, tenant_context
from tests.billing.webhook_helpers import (
    account_of,
    checkout_open,
    deliver,
    inline_billing_jobs,  # noqa: F401  (fixture)
    plan_make,
)
from tests.conftest import host

pytestmark = pytest.mark.django_db


@pytest.fixture
def plans(db):
    team = plan_make("team", "Team", "29")
    business = plan_make("business", "Business", "99")
    with public_context():
        free = Plan.objects.create(code="free", name="Free", max_agents=1, trial_days=0)
    return {"free": free, "team": team, "business": business}


@pytest.fixture
def paying(
    client,
    stripe_standin,
    tenant_a,
    plans,
    inline_billing_jobs,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    """tenant_a subscribed to Team through Checkout, confirmed by Stripe's webhooks."""
    plans_sync_to_stripe()
    billing_account_open(tenant=tenant_a, plan=plans["team"])
    plans["team"].refresh_from_db()
    session_id = checkout_open(stripe_standin, tenant_a, plans["team"])
    for event in stripe_standin.checkout_complete_simulate(session_id):
        with django_capture_on_commit_callbacks(execute=True):
            assert deliver(client, event).status_code == 200
    assert account_of(tenant_a).status == "active"
    return tenant_a


def _owner_posts(client, tenant, make_user, login_as, plan_code: str):
    login_as(tenant, make_user(tenant, User.Role.OWNER))
    return client.post(
        "/desk/billing/checkout/", {"plan": plan_code}, HTTP_HOST=host(tenant), follow=True
    )


def test_a_paying_workspace_switches_its_subscription_in_place(
    client, stripe_standin, paying, plans, make_user, login_as, django_capture_on_commit_callbacks
):
    sessions_before = stripe_standin.posts_to("/v1/checkout/sessions")

    page = _owner_posts(client, paying, make_user, login_as, "business").content.decode()

    assert "Your plan is now Business" in page
    assert stripe_standin.posts_to("/v1/checkout/sessions") == sessions_before  # no second one
    (subscription,) = stripe_standin.objects["subscriptions"].values()
    prices = {item["price"]["id"] for item in subscription["items"]["data"]}
    plans["business"].refresh_from_db()
    assert prices == {
        plans["business"].stripe_base_price_id,
        plans["business"].stripe_metered_price_id,
    }
    assert subscription["metadata"]["kefu_plan_code"] == "business"
    assert account_of(paying).tenant.plan.code == "business"
    # Stripe's next notice (the owner then chose to cancel at period end) still applies.
    event = stripe_standin.subscription_update_simulate(
        subscription["id"], cancel_at_period_end=True
    )
    with django_capture_on_commit_callbacks(execute=True):
        deliver(client, event)
    account = account_of(paying)
    assert (account.tenant.plan.code, account.cancel_at_period_end) == ("business", True)


def test_switching_to_a_plan_the_team_does_not_fit_is_refused(
    client, stripe_standin, paying, plans, make_user, login_as
):
    with public_context():
        Plan.objects.filter(pk=plans["business"].pk).update(max_agents=1)
    with tenant_context(paying):
        make_user(paying, User.Role.AGENT)

    page = _owner_posts(client, paying, make_user, login_as, "business").content.decode()

    assert "allows 1 staff members and this workspace has 2" in page
    (subscription,) = stripe_standin.objects["subscriptions"].values()
    assert subscription["metadata"]["kefu_plan_code"] == "team"
    assert account_of(paying).tenant.plan.code == "team"


def test_a_trial_can_drop_to_the_free_plan_without_stripe(
    client, tenant_a, plans, make_user, login_as, settings
):
    settings.STRIPE_SECRET_KEY = ""  # proves no Stripe call is needed
    billing_account_open(tenant=tenant_a, plan=plans["team"])

    page = _owner_posts(client, tenant_a, make_user, login_as, "free").content.decode()

    assert "Your plan is now Free" in page
    account = account_of(tenant_a)
    assert (account.tenant.plan.code, account.status, account.trial_ends_at) == (
        "free",
        "active",
        None,
    )


def test_a_trial_owner_is_offered_to_subscribe_to_the_trial_plan(
    client, tenant_a, plans, make_user, login_as, settings
):
    settings.STRIPE_SECRET_KEY = "sk_test_x"  # only rendered: paid plans offer a button
    billing_account_open(tenant=tenant_a, plan=plans["team"])
    login_as(tenant_a, make_user(tenant_a, User.Role.OWNER))

    page = client.get("/desk/billing/", HTTP_HOST=host(tenant_a)).content.decode()

    assert "Subscribe to Team" in page
    assert "Upgrade to Business" in page
    assert "Subscribe to Free" not in page


def test_an_admin_cannot_switch_plans(client, paying, plans, make_user, login_as):
    login_as(paying, make_user(paying, User.Role.ADMIN))

    response = client.post("/desk/billing/checkout/", {"plan": "business"}, HTTP_HOST=host(paying))

    assert response.status_code == 403
    assert account_of(paying).tenant.plan.code == "team"
    assert Decimal(account_of(paying).tenant.plan.monthly_base_price) == Decimal("29")
