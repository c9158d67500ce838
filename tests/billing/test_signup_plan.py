"""Signing up from the pricing page with a plan chosen (``/signup/?plan=team``)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from billing.models import BillingAccount, Plan
from billing.seed import plans_seed
from billing.services import trials_end
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
def test_signup_without_a_known_plan_starts_a_trial_of_the_first_paid_plan(client, plan):
    plans_seed()

    client.post("/signup/", {**SIGNUP, "plan": plan}, HTTP_HOST="localhost")

    tenant = Tenant.objects.select_related("plan").get(slug="gamma-tea")
    assert tenant.plan.code == "team"
    account = BillingAccount.objects.get(tenant=tenant)
    assert account.status == BillingAccount.Status.TRIALING
    assert (account.trial_ends_at - timezone.now()).days in (13, 14)


def test_the_signup_page_promises_the_trial_that_signup_gives(client):
    plans_seed()

    page = client.get("/signup/", HTTP_HOST="localhost").content.decode()

    assert "A 14-day free trial of Team, no card needed." in page


def test_without_a_paid_plan_the_signup_page_promises_no_trial(client):
    Plan.objects.create(code="free", name="Free", is_default=True, trial_days=0)

    page = client.get("/signup/", HTTP_HOST="localhost").content.decode()

    assert "Free to start, no card needed." in page
    assert "free trial" not in page


def test_the_signup_trial_ends_back_on_the_free_plan(client):
    plans_seed()
    client.post("/signup/", SIGNUP, HTTP_HOST="localhost")
    tenant = Tenant.objects.get(slug="gamma-tea")
    BillingAccount.objects.filter(tenant=tenant).update(
        trial_ends_at=timezone.now() - timedelta(minutes=1)
    )

    assert trials_end() == [tenant.pk]

    tenant.refresh_from_db()
    account = BillingAccount.objects.get(tenant=tenant)
    assert (tenant.plan.code, account.status, account.read_only_since) == ("free", "active", None)


def test_signup_page_without_a_plan_names_none(client):
    plans_seed()

    page = client.get("/signup/", HTTP_HOST="localhost").content.decode()

    assert "Plan:" not in page
