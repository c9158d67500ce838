"""The operator changes a workspace's plan (audited, no Stripe needed); a suspended
workspace tells its owner why and how to resolve it, and its customers only that it is
unavailable; changes made in the Django admin are in the audit log too."""

from __future__ import annotations

import pytest

from billing.accounts import billing_account_open
from billing.models import BillingAccount
from billing.seed import plans_seed
from kefu.accounts.models import User
from kefu.tenancy import public_context
from tenants.models import AuditEntry, Tenant
from tests.conftest import host

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(db):
    with public_context():
        return User.objects.create_user(
            username="ops",
            email="ops@kefu.example",
            password="x",
            is_staff=True,
            is_superuser=True,
            role="owner",
        )


@pytest.fixture
def operator_client(client, operator):
    with public_context():
        client.force_login(operator, backend="django.contrib.auth.backends.ModelBackend")
    return client


@pytest.fixture
def plans(db):
    return {plan.code: plan for plan in plans_seed()}


def test_operator_moves_a_workspace_to_a_plan_without_stripe_and_it_is_audited(
    operator_client, tenant_a, plans
):
    billing_account_open(tenant=tenant_a, plan=plans["team"])

    response = operator_client.post(
        f"/operator/tenants/{tenant_a.pk}/plan/",
        {"plan": "business", "reason": "Invoiced by bank transfer"},
        HTTP_HOST="localhost",
        follow=True,
    )

    assert "Alpha Ltd is now on the Business plan." in response.content.decode()
    tenant_a.refresh_from_db()
    account = BillingAccount.objects.get(tenant=tenant_a)
    assert (tenant_a.plan.code, account.status, account.trial_ends_at) == (
        "business",
        "active",
        None,
    )
    entry = AuditEntry.objects.get(action="change_plan")
    assert (entry.actor_email, entry.tenant_slug) == ("ops@kefu.example", "alpha")
    assert entry.details == {
        "from": "team",
        "to": "business",
        "reason": "Invoiced by bank transfer",
    }
    audit = operator_client.get("/operator/audit/", HTTP_HOST="localhost").content.decode()
    assert "Plan team → business" in audit


def test_a_workspace_paying_through_stripe_is_not_changed_behind_its_subscription(
    operator_client, tenant_a, plans
):
    billing_account_open(tenant=tenant_a, plan=plans["team"])
    BillingAccount.objects.filter(tenant=tenant_a).update(
        stripe_subscription_id="sub_1", status="active"
    )

    response = operator_client.post(
        f"/operator/tenants/{tenant_a.pk}/plan/", {"plan": "business"}, HTTP_HOST="localhost",
        follow=True,
    )  # fmt: skip

    assert "pays through a Stripe subscription" in response.content.decode()
    tenant_a.refresh_from_db()
    assert tenant_a.plan.code == "team"
    assert not AuditEntry.objects.filter(action="change_plan").exists()


def test_an_unknown_plan_is_a_clear_message(operator_client, tenant_a, plans):
    response = operator_client.post(
        f"/operator/tenants/{tenant_a.pk}/plan/", {"plan": "nope"}, HTTP_HOST="localhost",
        follow=True,
    )  # fmt: skip
    assert response.status_code == 200
    assert "Choose one of the listed plans." in response.content.decode()


# -- a suspended workspace, as its people see it ---------------------------------------------


def _suspend(operator_client, tenant, *, billing: bool) -> None:
    data = {"reason": "The invoice of March is unpaid"}
    if billing:
        data["about_billing"] = "on"
    response = operator_client.post(
        f"/operator/tenants/{tenant.pk}/suspend/", data, HTTP_HOST="localhost"
    )
    assert response.status_code == 302
    operator_client.logout()


def test_the_owner_sees_why_and_can_reach_billing_when_it_is_about_billing(
    operator_client, client, tenant_a, make_user, login_as, plans
):
    billing_account_open(tenant=tenant_a, plan=plans["team"])
    _suspend(operator_client, tenant_a, billing=True)
    login_as(tenant_a, make_user(tenant_a, User.Role.OWNER))

    page = client.get("/desk/", HTTP_HOST=host(tenant_a))

    assert page.status_code == 503
    text = page.content.decode()
    assert "This workspace is suspended" in text
    assert "The invoice of March is unpaid" in text
    assert 'href="/desk/billing/"' in text
    assert "mailto:support@" in text
    assert client.get("/desk/billing/", HTTP_HOST=host(tenant_a)).status_code == 200
    # Elsewhere the owner gets the same explanation, not the customers' page.
    assert "The invoice of March is unpaid" in client.get("/", HTTP_HOST=host(tenant_a)).text


def test_a_suspension_not_about_billing_keeps_the_billing_page_closed(
    operator_client, client, tenant_a, make_user, login_as
):
    _suspend(operator_client, tenant_a, billing=False)
    login_as(tenant_a, make_user(tenant_a, User.Role.OWNER))

    page = client.get("/desk/", HTTP_HOST=host(tenant_a)).content.decode()

    assert "The invoice of March is unpaid" in page
    assert 'href="/desk/billing/"' not in page
    assert client.get("/desk/billing/", HTTP_HOST=host(tenant_a)).status_code == 503


def test_customers_see_the_neutral_page_without_a_sign_in_link_that_loops(
    operator_client, client, tenant_a, make_user, login_as
):
    _suspend(operator_client, tenant_a, billing=True)
    anonymous = client.get("/", HTTP_HOST=host(tenant_a)).content.decode()
    login_as(tenant_a, make_user(tenant_a, User.Role.CUSTOMER))
    customer = client.get("/tickets/", HTTP_HOST=host(tenant_a)).content.decode()

    for page in (anonymous, customer):
        assert "This help center is unavailable" in page
        assert "The invoice of March is unpaid" not in page
        assert "/accounts/login/" not in page


def test_a_signed_out_owner_on_the_desk_can_sign_in_to_see_why(
    operator_client, client, tenant_a, make_user
):
    from tests.conftest import PASSWORD

    owner = make_user(tenant_a, User.Role.OWNER, email="own@alpha.example")
    _suspend(operator_client, tenant_a, billing=False)

    desk = client.get("/desk/", HTTP_HOST=host(tenant_a)).content.decode()
    assert "This workspace is suspended" in desk
    assert "The invoice of March is unpaid" not in desk, "the reason is for its managers"
    assert "/accounts/login/?next=/desk/" in desk
    assert client.get("/accounts/login/", HTTP_HOST=host(tenant_a)).status_code == 200

    signed_in = client.post(
        "/accounts/login/?next=/desk/",
        {"login": owner.email, "password": PASSWORD},
        HTTP_HOST=host(tenant_a),
        follow=True,
    )
    assert "The invoice of March is unpaid" in signed_in.content.decode()


# -- the Django admin ------------------------------------------------------------------------


def test_changes_in_the_django_admin_are_in_the_audit_log(operator_client, tenant_a, plans):
    response = operator_client.post(
        f"/admin/billing/plan/{plans['team'].pk}/change/",
        {
            "name": "Team+",
            "code": "team",
            "currency": "USD",
            "monthly_base_price": "39",
            "included_agents": "10",
            "included_resolved_tickets": "500",
            "price_per_extra_resolved_ticket": "0.05",
            "max_agents": "10",
            "max_channels": "3",
            "trial_days": "14",
            "is_active": "on",
            "prices-TOTAL_FORMS": "0",
            "prices-INITIAL_FORMS": "0",
        },
        HTTP_HOST="localhost",
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    entry = AuditEntry.objects.get(action="admin_change")
    assert entry.actor_email == "ops@kefu.example"
    assert entry.details["model"] == "billing.plan"
    assert "monthly_base_price" in entry.details["changed"]
    audit = operator_client.get("/operator/audit/", HTTP_HOST="localhost").content.decode()
    assert "Changed in the admin" in audit
    assert "billing.plan" in audit


def test_suspending_and_plans_are_not_edited_in_the_admin(operator_client, tenant_a):
    page = operator_client.get(
        f"/admin/tenants/tenant/{tenant_a.pk}/change/", HTTP_HOST="localhost"
    ).content.decode()
    assert 'name="status"' not in page
    assert 'name="plan"' not in page
    tenant_a.refresh_from_db()
    assert tenant_a.status == Tenant.Status.ACTIVE
