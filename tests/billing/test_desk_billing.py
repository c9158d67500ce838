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
