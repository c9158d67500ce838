"""Subscribing from the desk: the owner is sent to Stripe Checkout (the stand-in) with the plan's
prices in the workspace's currency; cards and invoices through the customer portal."""

from __future__ import annotations

import pytest

from billing.accounts import billing_account_open
from billing.models import BillingAccount, Plan
from billing.seed import plans_seed
from billing.stripe_sync import plans_sync_to_stripe
from kefu.accounts.models import User
from tests.conftest import host

pytestmark = pytest.mark.django_db

CHECKOUT = "/desk/billing/checkout/"
PORTAL = "/desk/billing/portal/"
CURRENCY = "/desk/billing/currency/"


@pytest.fixture
def plans(stripe_standin):
    plans = {plan.code: plan for plan in plans_seed()}
    plans_sync_to_stripe()
    return plans


@pytest.fixture
def owner(tenant_a, make_user, login_as, plans):
    billing_account_open(tenant=tenant_a, plan=plans["free"])
    user = make_user(tenant_a, User.Role.OWNER, email="owner@alpha.example")
    login_as(tenant_a, user)
    return user


def upgrade(client, tenant, code="team"):
    return client.post(CHECKOUT, {"plan": code}, HTTP_HOST=host(tenant))


def price_keys(standin, session):
    prices = standin.objects["prices"]
    return [
        (prices[item["price"]]["lookup_key"], item["quantity"]) for item in session["_line_items"]
    ]


def only_session(standin):
    (session,) = standin.objects["checkout_sessions"].values()
    return session


def test_upgrade_sends_the_owner_to_checkout_with_the_plans_prices(
    client, tenant_a, owner, stripe_standin
):
    response = upgrade(client, tenant_a)

    assert response.status_code == 303
    session = only_session(stripe_standin)
    assert response["Location"] == session["url"]
    assert session["url"].startswith(stripe_standin.url + "/checkout/")
    assert price_keys(stripe_standin, session) == [
        ("kefu_team_base_usd", 1),
        ("kefu_team_ticket_usd", None),  # metered: no quantity
    ]
    tenant_id = str(tenant_a.id)
    assert session["client_reference_id"] == tenant_id
    assert session["metadata"] == {"kefu_tenant_id": tenant_id, "kefu_plan_code": "team"}
    assert session["_subscription_data"]["metadata"] == session["metadata"]
    assert session["success_url"] == "http://alpha.localhost/desk/billing/?checkout=done"
    assert session["cancel_url"] == "http://alpha.localhost/desk/billing/"
    assert session["locale"] == "en"
    customer = stripe_standin.objects["customers"][session["customer"]]
    assert (customer["email"], customer["name"]) == ("owner@alpha.example", tenant_a.name)
    assert customer["metadata"] == {"kefu_tenant_id": tenant_id}
    assert BillingAccount.objects.get(tenant=tenant_a).stripe_customer_id == customer["id"]


def test_a_yuan_workspace_gets_the_yuan_prices_and_chinese_checkout(
    client, tenant_a, make_user, login_as, plans, stripe_standin
):
    billing_account_open(tenant=tenant_a, plan=plans["free"], currency="CNY")
    login_as(tenant_a, make_user(tenant_a, User.Role.OWNER))
    client.cookies["django_language"] = "zh-hans"

    upgrade(client, tenant_a)

    session = only_session(stripe_standin)
    assert session["currency"] == "cny"
    assert price_keys(stripe_standin, session) == [
        ("kefu_team_base_cny", 1),
        ("kefu_team_ticket_cny", None),
    ]
    assert session["locale"] == "zh"


def test_the_customer_is_created_once_and_reused(client, tenant_a, owner, stripe_standin):
    upgrade(client, tenant_a)
    upgrade(client, tenant_a, "business")

    assert stripe_standin.posts_to("/v1/customers") == 1
    customers = {s["customer"] for s in stripe_standin.objects["checkout_sessions"].values()}
    assert customers == {BillingAccount.objects.get(tenant=tenant_a).stripe_customer_id}


def test_portal_sends_the_owner_to_stripe(client, tenant_a, owner, stripe_standin):
    upgrade(client, tenant_a)
    page = client.get("/desk/billing/", HTTP_HOST=host(tenant_a)).content.decode()
    assert "Manage cards and invoices" in page

    response = client.post(PORTAL, HTTP_HOST=host(tenant_a))

    assert response.status_code == 303
    (session,) = stripe_standin.objects["portal_sessions"].values()
    assert response["Location"] == session["url"]
    assert session["customer"] == BillingAccount.objects.get(tenant=tenant_a).stripe_customer_id
    assert session["return_url"] == "http://alpha.localhost/desk/billing/"


def test_portal_before_any_customer_explains_instead(client, tenant_a, owner, stripe_standin):
    page = client.get("/desk/billing/", HTTP_HOST=host(tenant_a)).content.decode()
    assert "Manage cards and invoices" not in page

    response = client.post(PORTAL, HTTP_HOST=host(tenant_a), follow=True)

    assert "choose a plan first" in response.content.decode()
    assert stripe_standin.objects["portal_sessions"] == {}


def test_stripe_down_shows_a_clear_error(client, tenant_a, owner, stripe_standin):
    stripe_standin.down = True

    response = upgrade(client, tenant_a)

    assert response.status_code == 303
    assert response["Location"] == "/desk/billing/"
    page = client.get(response["Location"], HTTP_HOST=host(tenant_a))
    assert page.status_code == 200
    assert "We could not reach our payment provider" in page.content.decode()


def test_unsynced_plan_tells_the_operator_to_sync(client, tenant_a, owner, stripe_standin):
    Plan.objects.create(name="Enterprise", code="enterprise", monthly_base_price=500)

    response = upgrade(client, tenant_a, "enterprise")

    assert response["Location"] == "/desk/billing/"
    page = client.get("/desk/billing/", HTTP_HOST=host(tenant_a)).content.decode()
    assert "An operator must sync the plans to Stripe first" in page
    assert stripe_standin.objects["checkout_sessions"] == {}
    assert stripe_standin.objects["customers"] == {}, "no customer made for nothing"


@pytest.mark.parametrize("status", ["active", "past_due", "trialing"])
def test_a_workspace_with_a_subscription_never_gets_a_second_checkout(
    client, tenant_a, owner, stripe_standin, status
):
    BillingAccount.objects.filter(tenant=tenant_a).update(
        status=status, stripe_subscription_id="sub_unknown"
    )

    upgrade(client, tenant_a, "business")

    # It switches the existing subscription instead (unknown to Stripe here: a clear error).
    assert stripe_standin.objects["checkout_sessions"] == {}
    assert ("GET", "/v1/subscriptions/sub_unknown") in stripe_standin.requests
    page = client.get("/desk/billing/", HTTP_HOST=host(tenant_a)).content.decode()
    assert "Nothing was charged" in page


def test_owner_changes_the_currency_and_sees_prices_in_it(client, tenant_a, owner):
    response = client.post(CURRENCY, {"currency": "CNY"}, HTTP_HOST=host(tenant_a))

    assert response.status_code == 303
    assert BillingAccount.objects.get(tenant=tenant_a).currency == "CNY"
    page = client.get("/desk/billing/", HTTP_HOST=host(tenant_a)).content.decode()
    assert "¥199.00" in page  # Team in yuan
    assert "$29.00" not in page


@pytest.mark.parametrize("currency", ["XXX", ""])
def test_unknown_currency_is_refused(client, tenant_a, owner, currency):
    client.post(CURRENCY, {"currency": currency}, HTTP_HOST=host(tenant_a))

    assert BillingAccount.objects.get(tenant=tenant_a).currency == "USD"


def test_a_canceled_workspace_can_subscribe_again(client, tenant_a, owner, stripe_standin):
    BillingAccount.objects.filter(tenant=tenant_a).update(
        status=BillingAccount.Status.CANCELED, stripe_subscription_id="sub_old"
    )

    assert upgrade(client, tenant_a).status_code == 303
    assert len(stripe_standin.objects["checkout_sessions"]) == 1


def test_currency_cannot_change_under_a_paid_subscription(client, tenant_a, owner):
    BillingAccount.objects.filter(tenant=tenant_a).update(
        status=BillingAccount.Status.ACTIVE, stripe_subscription_id="sub_1"
    )

    response = client.post(CURRENCY, {"currency": "EUR"}, HTTP_HOST=host(tenant_a), follow=True)

    assert "cannot change while a paid subscription is active" in response.content.decode()
    assert BillingAccount.objects.get(tenant=tenant_a).currency == "USD"


def test_admin_sees_the_page_but_cannot_act(
    client, tenant_a, make_user, login_as, plans, stripe_standin
):
    billing_account_open(tenant=tenant_a, plan=plans["free"])
    login_as(tenant_a, make_user(tenant_a, User.Role.ADMIN))

    page = client.get("/desk/billing/", HTTP_HOST=host(tenant_a))
    assert page.status_code == 200
    assert "Only the workspace owner can change" in page.content.decode()
    assert "Upgrade to Team" not in page.content.decode()

    assert upgrade(client, tenant_a).status_code == 403
    assert client.post(PORTAL, HTTP_HOST=host(tenant_a)).status_code == 403
    assert client.post(CURRENCY, {"currency": "EUR"}, HTTP_HOST=host(tenant_a)).status_code == 403
    assert stripe_standin.objects["checkout_sessions"] == {}
    assert BillingAccount.objects.get(tenant=tenant_a).currency == "USD"


@pytest.mark.parametrize("role", [User.Role.AGENT, User.Role.CUSTOMER])
@pytest.mark.parametrize("path", [CHECKOUT, PORTAL, CURRENCY])
def test_lower_roles_cannot_act(client, tenant_a, make_user, login_as, plans, role, path):
    login_as(tenant_a, make_user(tenant_a, role))

    assert client.post(path, {"plan": "team"}, HTTP_HOST=host(tenant_a)).status_code == 403


@pytest.mark.parametrize("path", [CHECKOUT, PORTAL, CURRENCY])
def test_an_owner_of_another_workspace_cannot_act(
    client, tenant_a, tenant_b, make_user, login_as, plans, stripe_standin, path
):
    login_as(tenant_b, make_user(tenant_b, User.Role.OWNER))

    response = client.post(path, {"plan": "team", "currency": "EUR"}, HTTP_HOST=host(tenant_a))

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    assert stripe_standin.objects["checkout_sessions"] == {}
    assert stripe_standin.objects["customers"] == {}
