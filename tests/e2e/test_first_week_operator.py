"""A new company's first week with the platform, in a real browser: the pricing page built
from the plans, signup that starts the trial it promises (shown in the desk), the root
domain's sign-in and "find my workspace" mail, the operator changing the plan (audited) and
suspending with a reason, and what the suspended workspace's owner and customers then see."""

from __future__ import annotations

import re
import secrets

import pytest

from tests.conftest import PASSWORD
from tests.helpers import delete_tenant_by_slug, run_kefu

pytestmark = [pytest.mark.slow, pytest.mark.django_db]
OPERATOR_PASSWORD = "operator e2e password 42"

SEED = f"""
from billing.seed import plans_seed
from kefu.accounts.models import User
plans_seed()
if not User.objects.filter(username="ops-i16").exists():
    User.objects.create_user(username="ops-i16", email="ops-i16@kefu.example",
                             password={OPERATOR_PASSWORD!r}, is_staff=True, role="owner")
"""
# The operator goes by SQL: the ORM's delete would follow relations of tenant-only tables,
# which the public schema lacks.
CLEANUP = """
from django.db import connection
from billing.models import Plan
from billing.seed import STARTER_PLANS
from tenants.models import AuditEntry
AuditEntry.objects.filter(actor_email="ops-i16@kefu.example").delete()
with connection.cursor() as cursor:
    cursor.execute("DELETE FROM accounts_user WHERE username = %s", ["ops-i16"])
Plan.objects.filter(code__in=[row[0] for row in STARTER_PLANS], tenants__isnull=True).delete()
"""


@pytest.fixture
def slug(live_kefu):
    result = run_kefu("shell", "-c", SEED)
    assert result.returncode == 0, result.stderr
    slug = f"i16-{secrets.token_hex(3)}"
    yield slug
    delete_tenant_by_slug(slug)
    result = run_kefu("shell", "-c", CLEANUP)
    assert result.returncode == 0, result.stderr


def _pricing_then_signup(page, live_kefu, slug: str, email: str, screenshot) -> None:
    from playwright.sync_api import expect

    page.goto(live_kefu.url("/"))
    page.click("#home-pricing-link")
    plans = page.locator("#pricing-plans")
    expect(plans.locator('[data-plan="team"]')).to_contain_text("$29.00")
    expect(plans.locator('[data-plan="team"]')).to_contain_text("Up to 10 agents")
    expect(plans.locator('[data-plan="business"]')).to_contain_text("Unlimited agents")
    screenshot(page, "i16-pricing")

    page.goto(live_kefu.url("/signup/"))
    expect(page.get_by_test_id("signup-promise")).to_contain_text(
        "A 14-day free trial of Team, no card needed."
    )
    page.fill("#id_company_name", "First Week Tea")
    page.fill("#id_subdomain", slug)
    page.fill("#id_full_name", "Fang Owner")
    page.fill("#id_email", email)
    page.fill("#id_password", PASSWORD)
    page.click("#signup-submit")
    page.wait_for_url(live_kefu.url("/desk/", host=f"{slug}.localhost"))
    page.click("text=Plan and billing")
    expect(page.get_by_test_id("plan-name")).to_have_text("Team")
    expect(page.get_by_test_id("plan-status")).to_contain_text("Trial")
    expect(page.get_by_test_id("plan-status")).to_contain_text("14 days left")
    screenshot(page, "i16-trial-in-desk")


def _root_sign_in_and_find_workspace(page, live_kefu, slug: str, email: str, screenshot):
    from playwright.sync_api import expect

    page.goto(live_kefu.url("/"))
    page.click("#home-signin-link")
    page.fill("#id_subdomain", "no-such-company")
    page.click("#workspace-signin-form button[type=submit]")
    expect(page.locator("#error-subdomain")).to_contain_text("No workspace answers")
    page.fill("#id_subdomain", slug)
    page.click("#workspace-signin-form button[type=submit]")
    page.wait_for_url(live_kefu.url("/accounts/login/", host=f"{slug}.localhost"))

    page.goto(live_kefu.url("/signin/"))
    page.click("#find-workspace-link")
    page.fill("#id_email", email)
    page.click("#find-workspace-form button[type=submit]")
    expect(page.locator("#find-workspace-sent")).to_contain_text(f"If {email} has an account")
    screenshot(page, "i16-find-workspace")
    mail = live_kefu.wait_for_mail(f"http://{slug}.localhost:{live_kefu.port}/accounts/login/")
    assert "Your Kefu workspaces" in mail
    assert "First Week Tea (desk)" in mail


def _operator_changes_plan_and_suspends(page, live_kefu, slug: str, screenshot) -> None:
    from playwright.sync_api import expect

    page.goto(live_kefu.url("/admin/login/?next=/operator/"))
    page.fill("#id_username", "ops-i16")
    page.fill("#id_password", OPERATOR_PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url(live_kefu.url("/operator/"))
    row = page.locator(f'tr[data-slug="{slug}"]')
    row.locator("select[name=plan]").select_option("business")
    row.locator("text=Change plan").click()
    expect(page.locator(".messages")).to_contain_text("First Week Tea is now on the Business plan.")
    expect(row.locator("td.plan")).to_contain_text("Business")

    row.locator("text=Suspend…").click()
    expect(page.locator("h1")).to_have_text("Suspend First Week Tea?")
    page.click("#suspend-form button[type=submit]")  # no reason: refused, nothing suspended
    expect(page.locator("#error-reason")).to_contain_text("Say why the workspace is suspended.")
    page.fill("#id_reason", "The bank transfer for December has not arrived")
    page.check("#id_about_billing")
    page.click("#suspend-form button[type=submit]")
    expect(page.locator(".messages")).to_contain_text("First Week Tea is suspended.")
    expect(row).to_contain_text("Suspended")
    audit = page.locator("table.audit")
    expect(audit).to_contain_text("The bank transfer for December has not arrived")
    expect(audit).to_contain_text("Plan team → business")
    screenshot(page, "i16-operator-plan-and-suspend")


def test_first_week_with_the_platform(live_kefu, browser, screenshot, slug):
    from playwright.sync_api import expect

    email = f"{slug}@first-week.example"
    owner = browser.new_context(locale="en-US").new_page()
    _pricing_then_signup(owner, live_kefu, slug, email, screenshot)
    visitor = browser.new_context(locale="en-US").new_page()
    _root_sign_in_and_find_workspace(visitor, live_kefu, slug, email, screenshot)
    operator = browser.new_context(locale="en-US").new_page()
    _operator_changes_plan_and_suspends(operator, live_kefu, slug, screenshot)

    # The signed-in owner learns why, and can open billing since it is about billing.
    owner.goto(live_kefu.url("/desk/", host=f"{slug}.localhost"))
    expect(owner.locator("#suspended-staff h1")).to_have_text("This workspace is suspended")
    expect(owner.locator("#suspension-reason")).to_contain_text("bank transfer for December")
    expect(owner.locator("#suspended-staff")).to_contain_text("support@localhost")
    screenshot(owner, "i16-suspended-owner")
    owner.click("text=Open plan and billing")
    expect(owner.get_by_test_id("plan-name")).to_have_text("Business")

    # A customer sees the neutral page, without a sign-in link that would loop.
    visitor.goto(live_kefu.url("/", host=f"{slug}.localhost"))
    expect(visitor.locator("h1")).to_have_text("This help center is unavailable")
    expect(visitor.locator("body")).not_to_contain_text("bank transfer")
    assert visitor.locator('a[href*="/accounts/login/"]').count() == 0
    assert not re.search("Sign in", visitor.locator(".site-nav").inner_text())
    screenshot(visitor, "i16-suspended-customer")
