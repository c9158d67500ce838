"""Customers register on the help center only when the workspace allows it."""

from __future__ import annotations

import pytest

from kefu.accounts.models import User
from kefu.desk.models import WorkspaceSettings
from kefu.tenancy import tenant_context
from tests.conftest import PASSWORD, host

pytestmark = pytest.mark.django_db


def _set_policy(tenant, policy: str) -> None:
    with tenant_context(tenant):
        WorkspaceSettings.objects.update(customer_signup=policy)


def test_open_workspace_lets_customers_register_as_customers(client, tenant_a):
    _set_policy(tenant_a, "open")
    response = client.post(
        "/accounts/signup/",
        {"email": "buyer@example.com", "password1": PASSWORD, "password2": PASSWORD},
        HTTP_HOST=host(tenant_a),
    )
    assert response.status_code == 302
    with tenant_context(tenant_a):
        assert User.objects.get(email="buyer@example.com").role == User.Role.CUSTOMER
    assert client.get("/desk/", HTTP_HOST=host(tenant_a)).status_code == 403


@pytest.mark.parametrize("policy", ["closed", "invite_only"])
def test_closed_and_invite_only_workspaces_refuse_registration(client, tenant_a, policy):
    _set_policy(tenant_a, policy)
    page = client.get("/accounts/signup/", HTTP_HOST=host(tenant_a))
    assert "Sign Up Closed" in page.content.decode()
    client.post(
        "/accounts/signup/",
        {"email": "buyer@example.com", "password1": PASSWORD, "password2": PASSWORD},
        HTTP_HOST=host(tenant_a),
    )
    with tenant_context(tenant_a):
        assert not User.objects.filter(email="buyer@example.com").exists()


def test_policy_is_per_workspace(client, tenant_a, tenant_b):
    _set_policy(tenant_a, "closed")
    _set_policy(tenant_b, "open")
    assert (
        "Sign Up Closed"
        in client.get("/accounts/signup/", HTTP_HOST=host(tenant_a)).content.decode()
    )
    assert (
        "Sign Up Closed"
        not in client.get("/accounts/signup/", HTTP_HOST=host(tenant_b)).content.decode()
    )


def test_staff_must_set_up_two_factor_when_the_workspace_requires_it(client, tenant_a, make_user):
    with tenant_context(tenant_a):
        WorkspaceSettings.objects.update(require_staff_mfa=True)
    agent = make_user(tenant_a, User.Role.AGENT)
    client.post(
        "/accounts/login/", {"login": agent.email, "password": PASSWORD}, HTTP_HOST=host(tenant_a)
    )
    response = client.get("/desk/", HTTP_HOST=host(tenant_a))
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/totp/activate/"
    # allauth asks for the password again before a second factor is added.
    confirm = client.get(response["Location"], HTTP_HOST=host(tenant_a))
    assert confirm["Location"].startswith("/accounts/reauthenticate/")
    client.post(confirm["Location"], {"password": PASSWORD}, HTTP_HOST=host(tenant_a))
    setup = client.get(response["Location"], HTTP_HOST=host(tenant_a))
    assert setup.status_code == 200
    assert "Authenticator" in setup.content.decode()
    # Customers are not asked: two-factor stays optional for them.
    client.post("/accounts/logout/", HTTP_HOST=host(tenant_a))
    customer = make_user(tenant_a, User.Role.CUSTOMER)
    client.post(
        "/accounts/login/",
        {"login": customer.email, "password": PASSWORD},
        HTTP_HOST=host(tenant_a),
    )
    assert client.get("/", HTTP_HOST=host(tenant_a)).status_code == 200
