"""Without Stripe keys every billing page says so plainly: the operator reads "Stripe keys are
not set", the owner a message with the platform's support address to write to."""

from __future__ import annotations

import pytest
from django.test import override_settings

from billing.accounts import billing_account_open
from billing.models import BillingAccount
from billing.seed import plans_seed
from kefu.accounts.models import User
from kefu.tenancy import public_context
from tests.conftest import host

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("no_stripe"),
]
SUPPORT = "help@platform.example"


@pytest.fixture
def no_stripe(settings):
    settings.STRIPE_SECRET_KEY = ""
    settings.KEFU_SUPPORT_EMAIL = SUPPORT


@pytest.fixture
def plans(db):
    return {plan.code: plan for plan in plans_seed()}


@pytest.fixture
def owner_client(client, tenant_a, make_user, login_as, plans):
    billing_account_open(tenant=tenant_a, plan=plans["team"])
    login_as(tenant_a, make_user(tenant_a, User.Role.OWNER))
    return client


def _messages(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def test_the_billing_page_says_payment_is_not_set_up_with_a_contact_link(owner_client, tenant_a):
    page = owner_client.get("/desk/billing/", HTTP_HOST=host(tenant_a)).content.decode()

    assert "Online payment is not set up on this server yet" in page
    assert f'href="mailto:{SUPPORT}"' in page
    # No button that can only fail: paid plans are asked for, the free plan can still be chosen.
    assert 'value="business"' not in page
    assert f"mailto:{SUPPORT}?subject=Business" in page
    assert 'value="free"' in page


@pytest.mark.parametrize(
    ("path", "data"),
    [("/desk/billing/checkout/", {"plan": "business"}), ("/desk/billing/portal/", {})],
)
def test_buying_or_managing_explains_whom_to_write_to(owner_client, tenant_a, path, data):
    with public_context():
        BillingAccount.objects.filter(tenant=tenant_a).update(stripe_customer_id="cus_1")

    response = owner_client.post(path, data, HTTP_HOST=host(tenant_a), follow=True)

    [message] = _messages(response)
    assert "Online payment is not set up on this server yet" in message
    assert SUPPORT in message
    assert "try again" not in message


def test_the_portal_button_is_not_offered_without_stripe(owner_client, tenant_a):
    with public_context():
        BillingAccount.objects.filter(tenant=tenant_a).update(stripe_customer_id="cus_1")

    page = owner_client.get("/desk/billing/", HTTP_HOST=host(tenant_a)).content.decode()

    assert "Manage cards and invoices" not in page


def test_the_free_plan_is_still_chosen_without_stripe(owner_client, tenant_a):
    response = owner_client.post(
        "/desk/billing/checkout/", {"plan": "free"}, HTTP_HOST=host(tenant_a), follow=True
    )

    assert _messages(response) == ["Your plan is now Free."]


@pytest.fixture
def operator_client(client):
    with public_context():
        operator = User.objects.create_user(
            username="ops", email="ops@kefu.example", password="x", is_staff=True, role="owner"
        )
        client.force_login(operator, backend="django.contrib.auth.backends.ModelBackend")
    return client


@pytest.mark.parametrize("path", ["/operator/", "/operator/plans/"])
def test_operator_pages_say_stripe_keys_are_not_set(operator_client, plans, path):
    page = operator_client.get(path, HTTP_HOST="localhost").content.decode()

    assert "Stripe keys are not set" in page


def test_syncing_plans_says_stripe_keys_are_not_set(operator_client, plans):
    response = operator_client.post("/operator/plans/sync/", HTTP_HOST="localhost", follow=True)

    [message] = _messages(response)
    assert "Stripe keys are not set" in message
    assert "try again" not in message


@override_settings(STRIPE_SECRET_KEY="sk_test_x")
def test_with_stripe_keys_nothing_says_they_are_missing(operator_client, plans):
    assert (
        "Stripe keys are not set"
        not in operator_client.get("/operator/plans/", HTTP_HOST="localhost").content.decode()
    )
