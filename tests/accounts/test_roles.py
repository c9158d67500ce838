"""Who can open the desk and the staff APIs: every role, anonymous, and other tenants."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kefu.accounts.models import User
from tests.conftest import PASSWORD, host

pytestmark = pytest.mark.django_db

DESK_PAGES = ["desk:home", "desk:team", "desk:brand", "desk:categories", "desk:email"]
ADMIN_PAGES = ["desk:team", "desk:brand", "desk:categories", "desk:email"]
STAFF_APIS = ["desk:api_onboarding", "desk:api_team"]


@pytest.mark.parametrize("page", DESK_PAGES)
def test_customer_cannot_open_any_desk_page(client, tenant_a, make_user, login_as, page):
    login_as(tenant_a, make_user(tenant_a, User.Role.CUSTOMER))
    response = client.get(reverse(page), HTTP_HOST=host(tenant_a))
    assert response.status_code == 403
    assert "You do not have permission" in response.content.decode()


@pytest.mark.parametrize("api", STAFF_APIS)
def test_customer_cannot_use_staff_apis(client, tenant_a, make_user, login_as, api):
    login_as(tenant_a, make_user(tenant_a, User.Role.CUSTOMER))
    response = client.get(reverse(api), HTTP_HOST=host(tenant_a))
    assert response.status_code == 403
    assert response.json()["error"] == "forbidden"


@pytest.mark.parametrize("page", DESK_PAGES)
def test_anonymous_visitor_is_sent_to_sign_in(client, tenant_a, page):
    response = client.get(reverse(page), HTTP_HOST=host(tenant_a))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_anonymous_api_call_gets_401(client, tenant_a):
    response = client.get(reverse("desk:api_onboarding"), HTTP_HOST=host(tenant_a))
    assert response.status_code == 401


@pytest.mark.parametrize("page", ADMIN_PAGES)
def test_agent_cannot_open_admin_pages(client, tenant_a, make_user, login_as, page):
    login_as(tenant_a, make_user(tenant_a, User.Role.AGENT))
    assert client.get(reverse(page), HTTP_HOST=host(tenant_a)).status_code == 403


def test_agent_opens_desk_home_and_onboarding_api_but_not_team_api(
    client, tenant_a, make_user, login_as
):
    login_as(tenant_a, make_user(tenant_a, User.Role.AGENT))
    assert client.get(reverse("desk:home"), HTTP_HOST=host(tenant_a)).status_code == 200
    api = client.get(reverse("desk:api_onboarding"), HTTP_HOST=host(tenant_a))
    assert api.status_code == 200
    assert {step["key"] for step in api.json()["steps"]} >= {"brand", "teammate", "email"}
    assert client.get(reverse("desk:api_team"), HTTP_HOST=host(tenant_a)).status_code == 403


@pytest.mark.parametrize("role", [User.Role.OWNER, User.Role.ADMIN])
@pytest.mark.parametrize("page", DESK_PAGES)
def test_owner_and_admin_open_every_desk_page(client, tenant_a, make_user, login_as, role, page):
    login_as(tenant_a, make_user(tenant_a, role))
    assert client.get(reverse(page), HTTP_HOST=host(tenant_a)).status_code == 200


def test_admin_team_api_lists_staff_of_this_workspace_only(
    client, tenant_a, tenant_b, make_user, login_as
):
    admin = make_user(tenant_a, User.Role.ADMIN)
    make_user(tenant_b, User.Role.AGENT, email="elsewhere@beta.example")
    login_as(tenant_a, admin)
    staff = client.get(reverse("desk:api_team"), HTTP_HOST=host(tenant_a)).json()["staff"]
    emails = {person["email"] for person in staff}
    assert admin.email in emails
    assert "elsewhere@beta.example" not in emails


def test_session_cookie_of_tenant_a_is_rejected_on_tenant_b(client, tenant_a, tenant_b, make_user):
    owner = make_user(tenant_a, User.Role.OWNER, email="owner@shared.example")
    response = client.post(
        "/accounts/login/",
        {"login": owner.email, "password": PASSWORD},
        HTTP_HOST=host(tenant_a),
    )
    assert response.status_code == 302
    assert client.get("/desk/", HTTP_HOST=host(tenant_a)).status_code == 200
    # The test client sends the cookie everywhere (a browser would not): tenant B must still
    # treat it as no session at all.
    on_b = client.get("/desk/", HTTP_HOST=host(tenant_b))
    assert on_b.status_code == 302
    assert on_b["Location"].startswith("/accounts/login/")
    api_on_b = client.get(reverse("desk:api_onboarding"), HTTP_HOST=host(tenant_b))
    assert api_on_b.status_code == 401


def test_same_email_in_two_tenants_is_two_unrelated_accounts(client, tenant_a, tenant_b, make_user):
    make_user(tenant_a, User.Role.OWNER, email="same@person.example")
    make_user(tenant_b, User.Role.CUSTOMER, email="same@person.example")
    client.post(
        "/accounts/login/",
        {"login": "same@person.example", "password": PASSWORD},
        HTTP_HOST=host(tenant_b),
    )
    # Signed in on B as B's customer: B's desk stays closed even though A's owner shares the email.
    assert client.get("/desk/", HTTP_HOST=host(tenant_b)).status_code == 403


def test_staff_land_in_the_desk_and_customers_on_the_help_center(client, tenant_a, make_user):
    agent = make_user(tenant_a, User.Role.AGENT)
    customer = make_user(tenant_a, User.Role.CUSTOMER)
    staff_login = client.post(
        "/accounts/login/", {"login": agent.email, "password": PASSWORD}, HTTP_HOST=host(tenant_a)
    )
    assert staff_login["Location"] == "/desk/"
    client.post("/accounts/logout/", HTTP_HOST=host(tenant_a))
    customer_login = client.post(
        "/accounts/login/",
        {"login": customer.email, "password": PASSWORD},
        HTTP_HOST=host(tenant_a),
    )
    assert customer_login["Location"] == "/"


def test_repeated_wrong_passwords_lock_the_account_with_a_clear_message(
    client, tenant_a, make_user
):
    agent = make_user(tenant_a, User.Role.AGENT)
    for _attempt in range(5):
        response = client.post(
            "/accounts/login/",
            {"login": agent.email, "password": "wrong"},
            HTTP_HOST=host(tenant_a),
        )
        assert "Too many failed login attempts" not in response.content.decode()
    locked = client.post(
        "/accounts/login/", {"login": agent.email, "password": PASSWORD}, HTTP_HOST=host(tenant_a)
    )
    assert locked.status_code == 200  # the form again, not a redirect into the desk
    assert "Too many failed login attempts" in locked.content.decode()


def test_lock_message_is_translated(client, tenant_a, make_user):
    agent = make_user(tenant_a, User.Role.AGENT)
    for _attempt in range(6):
        response = client.post(
            "/accounts/login/",
            {"login": agent.email, "password": "wrong"},
            HTTP_HOST=host(tenant_a),
            HTTP_ACCEPT_LANGUAGE="zh-CN",
        )
    assert "登录失败次数过多" in response.content.decode()
