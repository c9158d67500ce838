"""Upgrading in a real browser: the owner picks a plan in the desk, is sent to the Checkout page
the (stand-in) Stripe API returned, pays there, and Stripe's signed webhooks make the plan
active; the desk then shows it."""

from __future__ import annotations

import time
import urllib.request

import pytest

from tests.billing.standin import signed_delivery
from tests.helpers import delete_tenant_by_slug, run_kefu

pytestmark = [pytest.mark.slow, pytest.mark.django_db]
SLUG = "upgrade-e2e"
PASSWORD = "billing e2e password 42"

SEED = f"""
import json
from billing.accounts import billing_account_open
from billing.models import Plan
from billing.seed import plans_seed
from billing.stripe_sync import plans_sync_to_stripe
from kefu.accounts.services import user_create
from kefu.tenancy import tenant_context
from tenants.services import tenant_provision
plans_seed()
plans_sync_to_stripe()
tenant = tenant_provision(slug={SLUG!r}, name="Upgrade Co")
billing_account_open(tenant=tenant, plan=Plan.objects.get(code="free"), currency="USD")
with tenant_context(tenant):
    user_create(email="owner@upgrade.example", password={PASSWORD!r}, role="owner",
                email_verified=True)
print(json.dumps({{"tenant": tenant.pk}}))
"""


@pytest.fixture
def workspace(live_kefu):
    stripe_env = {"KEFU_STRIPE_API_BASE": live_kefu.stripe.url, "STRIPE_SECRET_KEY": "sk_x"}
    result = run_kefu("shell", "-c", SEED, env=stripe_env)
    assert result.returncode == 0, result.stderr
    yield live_kefu
    delete_tenant_by_slug(SLUG)
    run_kefu(
        "shell",
        "-c",
        "from billing.models import Plan\n"
        "Plan.objects.filter(code__in=['free', 'team', 'business'], tenants__isnull=True)"
        ".delete()",
    )


def _deliver(live_kefu, event: dict) -> int:
    body, header = signed_delivery(event)
    request = urllib.request.Request(  # noqa: S310 - our own live server
        live_kefu.url("/billing/webhook/"),
        data=body,
        headers={"Stripe-Signature": header, "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
        return response.status


def test_owner_upgrades_through_checkout_and_the_webhook_activates_the_plan(
    workspace, browser, screenshot
):
    from playwright.sync_api import expect

    live_kefu = workspace
    host = f"{SLUG}.localhost"
    page = browser.new_context(locale="en-US").new_page()
    page.goto(live_kefu.url("/accounts/login/", host=host))
    page.fill('input[name="login"]', "owner@upgrade.example")
    page.fill('input[name="password"]', PASSWORD)
    page.click('button[type="submit"]')
    page.wait_for_url("**/desk/**")

    page.goto(live_kefu.url("/desk/billing/", host=host))
    expect(page.get_by_test_id("plan-name")).to_have_text("Free")
    assert "Manage cards and invoices" not in page.content()  # no Stripe customer yet
    screenshot(page, "billing-before-upgrade")
    page.locator("li[data-plan='team'] button[type='submit']").click()

    page.wait_for_url(f"{live_kefu.stripe.url}/checkout/**")
    session_id = page.locator("#session").inner_text()
    expect(page.locator("#products")).to_contain_text("Team")
    screenshot(page, "billing-checkout-standin")

    events = live_kefu.stripe.checkout_complete_simulate(session_id)
    # Stripe does not promise order: the completed checkout arrives first, the rest after.
    for event in [events[-1], *events[:-1]]:
        assert _deliver(live_kefu, event) == 200

    deadline = time.monotonic() + 30
    while True:
        page.goto(live_kefu.url("/desk/billing/", host=host))
        if page.get_by_test_id("plan-name").inner_text().strip() == "Team":
            break
        assert time.monotonic() < deadline, "the webhook job did not activate the plan"
        time.sleep(0.5)
    expect(page.get_by_test_id("plan-status")).to_have_text("Active")
    screenshot(page, "billing-after-upgrade")
    subscription_id = events[-1]["data"]["object"]["subscription"]
    assert live_kefu.stripe.objects["subscriptions"][subscription_id]["status"] == "active"
