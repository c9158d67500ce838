"""Signing up from the pricing page with a plan chosen (``/signup/?plan=team``)."""

from __future__ import annotations

import pytest

from billing.models import BillingAccount
from billing.seed import plans_seed
from tenants.models import Tenant
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

SIGNUP = {
    "company_name": "Gamma Tea Co.",
    "subdomain": "gamma-tea",
    "full_name": "Gao Ming",
    "email": "gao@gamma.example",
    "password": PASSWORD,
}


def test_signup_page_names_the_chosen_plan_and_carries_it(client):
    plans_seed()

    page = client.get("/signup/?plan=team", HTTP_HOST="localhost").content.decode()

    assert "Plan: Team, with a 14-day free trial." in page
    assert 'name="plan" value="team"' in page


def test_signup_with_a_chosen_plan_starts_its_trial(client):
    plans_seed()

    response = client.post("/signup/?plan=team", {**SIGNUP, "plan": "team"}, HTTP_HOST="localhost")

    assert response.status_code == 302
    tenant = Tenant.objects.select_related("plan").get(slug="gamma-tea")
    assert tenant.plan.code == "team"
    account = BillingAccount.objects.get(tenant=tenant)
    assert account.status == BillingAccount.Status.TRIALING
    assert account.trial_ends_at is not None


@pytest.mark.parametrize("plan", ["", "no-such-plan"])
def test_signup_without_a_known_plan_gets_the_default_plan(client, plan):
    plans_seed()

    client.post("/signup/", {**SIGNUP, "plan": plan}, HTTP_HOST="localhost")

    assert Tenant.objects.select_related("plan").get(slug="gamma-tea").plan.code == "free"


def test_signup_page_without_a_plan_names_none(client):
    plans_seed()

    page = client.get("/signup/", HTTP_HOST="localhost").content.decode()

    assert "Plan:" not in page
