"""The operator console's plans page: Stripe ids and a sync button, for platform staff only."""

from __future__ import annotations

from decimal import Decimal

import pytest

from billing.models import Plan, PlanPrice
from kefu.accounts.models import User
from kefu.tenancy import public_context
from tests.conftest import host

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator_client(client):
    with public_context():
        operator = User.objects.create_user(
            username="ops", email="ops@kefu.example", password="x", is_staff=True, role="owner"
        )
        client.force_login(operator, backend="django.contrib.auth.backends.ModelBackend")
        Plan.objects.create(name="Team", code="team", monthly_base_price=Decimal("29"))
    return client


def test_operator_syncs_plans_and_sees_their_stripe_ids(operator_client, stripe_standin):
    page = operator_client.get("/operator/plans/", HTTP_HOST="localhost").content.decode()
    assert 'data-code="team"' in page
    assert "kefu_plan_team" not in page

    response = operator_client.post("/operator/plans/sync/", HTTP_HOST="localhost", follow=True)

    page = response.content.decode()
    assert "1 created" in page
    assert "kefu_plan_team" in page
    assert Plan.objects.get().stripe_meter_id in page


def test_sync_without_stripe_keys_says_so_not_crashed(operator_client, settings):
    settings.STRIPE_SECRET_KEY = ""
    response = operator_client.post("/operator/plans/sync/", HTTP_HOST="localhost", follow=True)
    assert "Stripe keys are not set" in response.content.decode()


def test_plans_page_is_for_platform_staff_only(client, tenant_a, make_user, login_as):
    for path in ("/operator/plans/", "/operator/plans/sync/"):
        assert client.get(path, HTTP_HOST="localhost")["Location"].startswith("/admin/login/")
        assert client.post(path, HTTP_HOST="localhost").status_code == 302
    login_as(tenant_a, make_user(tenant_a, User.Role.OWNER))
    assert client.get("/operator/plans/", HTTP_HOST=host(tenant_a)).status_code == 404
    assert client.post("/operator/plans/sync/", HTTP_HOST=host(tenant_a)).status_code == 404
    with public_context():
        User.objects.create_user(username="plain", email="plain@x.example", password="pw")
    client.login(username="plain", password="pw")
    assert client.post("/operator/plans/sync/", HTTP_HOST="localhost").status_code == 302
    assert Plan.objects.filter(stripe_product_id__gt="").count() == 0


def test_plans_page_lists_the_prices_in_other_currencies(operator_client):
    PlanPrice.objects.create(
        plan=Plan.objects.get(code="team"),
        currency="CNY",
        monthly_base_price=Decimal("199"),
        price_per_extra_resolved_ticket=Decimal("0.35"),
    )

    page = operator_client.get("/operator/plans/", HTTP_HOST="localhost").content.decode()

    assert "¥199.00 a month, ¥0.35 per extra ticket" in page


def test_operator_sees_how_many_workspaces_use_and_pay_for_each_plan(
    operator_client, tenant_a, tenant_b
):
    from billing.accounts import billing_account_open
    from billing.models import BillingAccount

    with public_context():
        team = Plan.objects.get(code="team")
        for tenant in (tenant_a, tenant_b):
            billing_account_open(tenant=tenant, plan=team)
        BillingAccount.objects.filter(tenant=tenant_a).update(
            status="active", stripe_subscription_id="sub_1"
        )

    page = operator_client.get("/operator/plans/", HTTP_HOST="localhost").content.decode()

    row = page.split('data-code="team"', 1)[1].split("</tr>", 1)[0]
    assert '<td class="plan-workspaces">2</td>' in row
    assert '<td class="plan-paying">1</td>' in row
