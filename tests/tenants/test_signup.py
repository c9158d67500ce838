"""Self-signup on the root domain: validation, provisioning, owner, handoff to the new host."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from kefu.accounts.models import User
from kefu.tenancy import tenant_context
from tenants.models import Domain, LoginHandoff, Tenant
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def _signup_data(**overrides: str) -> dict[str, str]:
    return {
        "company_name": "Gamma Tea Co.",
        "subdomain": "gamma-tea",
        "full_name": "Gao Ming",
        "email": "gao@gamma.example",
        "password": PASSWORD,
        **overrides,
    }


def _schema_exists(name: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", [name])
        return cursor.fetchone() is not None


def test_signup_page_is_on_the_root_domain_only(client, tenant_a):
    assert client.get("/signup/", HTTP_HOST="localhost").status_code == 200
    assert client.get("/signup/", HTTP_HOST="alpha.localhost").status_code == 404


def test_signup_page_speaks_chinese_to_chinese_browsers(client):
    response = client.get("/signup/", HTTP_HOST="localhost", HTTP_ACCEPT_LANGUAGE="zh-CN")
    assert "创建你的帮助台" in response.content.decode()


@pytest.mark.parametrize(
    ("subdomain", "available", "message"),
    [
        ("ab", False, "3-40 lowercase letters"),
        ("Has_Caps", False, "3-40 lowercase letters"),
        ("-edge", False, "3-40 lowercase letters"),
        ("www", False, "reserved"),
        ("admin", False, "reserved"),
        ("alpha", False, "already taken"),
        ("fresh-name", True, "fresh-name.localhost is available"),
    ],
)
def test_subdomain_check_answers_while_typing(client, tenant_a, subdomain, available, message):
    response = client.get(
        "/signup/check-subdomain/", {"subdomain": subdomain}, HTTP_HOST="localhost"
    )
    assert response.status_code == 200
    assert response.json()["available"] is available
    assert message in response.json()["message"]


def test_signup_provisions_the_workspace_and_hands_the_owner_over_signed_in(client):
    response = client.post("/signup/", _signup_data(), HTTP_HOST="localhost")

    assert response.status_code == 302
    prefix = "http://gamma-tea.localhost/handoff/"
    assert response["Location"].startswith(prefix)
    tenant = Tenant.objects.get(slug="gamma-tea")
    assert tenant.name == "Gamma Tea Co."
    assert Domain.objects.filter(tenant=tenant, domain="gamma-tea.localhost").exists()
    with tenant_context(tenant):
        owner = User.objects.get()
        assert (owner.email, owner.role, owner.get_full_name()) == (
            "gao@gamma.example", "owner", "Gao Ming",
        )  # fmt: skip

    # The root domain's session means nothing on the new host: the handoff signs in there.
    assert client.get("/desk/", HTTP_HOST="gamma-tea.localhost").status_code == 302
    landed = client.get(response["Location"][len("http://gamma-tea.localhost") :],
                        HTTP_HOST="gamma-tea.localhost")  # fmt: skip
    assert landed.status_code == 302
    assert landed["Location"] == "/desk/"
    desk = client.get("/desk/", HTTP_HOST="gamma-tea.localhost")
    assert desk.status_code == 200
    assert "Welcome, Gao" in desk.content.decode()
    assert "Set up your help desk" in desk.content.decode()


def test_handoff_link_works_once(client):
    location = client.post("/signup/", _signup_data(), HTTP_HOST="localhost")["Location"]
    path = location.removeprefix("http://gamma-tea.localhost")
    assert client.get(path, HTTP_HOST="gamma-tea.localhost").status_code == 302
    client.post("/accounts/logout/", HTTP_HOST="gamma-tea.localhost")

    again = client.get(path, HTTP_HOST="gamma-tea.localhost")
    assert again.status_code == 400
    assert "no longer works" in again.content.decode()
    assert client.get("/desk/", HTTP_HOST="gamma-tea.localhost").status_code == 302


def test_handoff_link_expires(client):
    location = client.post("/signup/", _signup_data(), HTTP_HOST="localhost")["Location"]
    LoginHandoff.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    path = location.removeprefix("http://gamma-tea.localhost")
    assert client.get(path, HTTP_HOST="gamma-tea.localhost").status_code == 400
    assert client.get("/desk/", HTTP_HOST="gamma-tea.localhost").status_code == 302


def test_handoff_link_of_one_workspace_does_nothing_on_another(client, tenant_a):
    location = client.post("/signup/", _signup_data(), HTTP_HOST="localhost")["Location"]
    path = location.removeprefix("http://gamma-tea.localhost")
    assert client.get(path, HTTP_HOST="alpha.localhost").status_code == 400
    # ...and was not spent by the attempt.
    assert client.get(path, HTTP_HOST="gamma-tea.localhost").status_code == 302


def test_taken_subdomain_is_refused_next_to_the_field(client, tenant_a):
    response = client.post("/signup/", _signup_data(subdomain="alpha"), HTTP_HOST="localhost")
    assert response.status_code == 400
    body = response.content.decode()
    assert 'id="error-subdomain"' in body
    assert "This subdomain is already taken." in body
    assert Tenant.objects.filter(slug="alpha").count() == 1


def test_weak_password_is_refused_before_anything_is_made(client):
    response = client.post("/signup/", _signup_data(password="12345678"), HTTP_HOST="localhost")
    assert response.status_code == 400
    assert "This password is too common." in response.content.decode()
    assert not Tenant.objects.filter(slug="gamma-tea").exists()


def test_a_failure_halfway_leaves_no_schema_tenant_domain_or_user(client, monkeypatch):
    def broken_user_create(**kwargs):
        assert User.objects.count() == 0  # we are inside the new, empty schema
        raise RuntimeError("mail server on fire")

    monkeypatch.setattr("tenants.signup.user_create", broken_user_create)
    with pytest.raises(RuntimeError):
        client.post("/signup/", _signup_data(), HTTP_HOST="localhost")

    assert not Tenant.objects.filter(slug="gamma-tea").exists()
    assert not Domain.objects.filter(domain="gamma-tea.localhost").exists()
    assert not LoginHandoff.objects.exists()
    assert not _schema_exists("t_gamma_tea")


def test_double_submit_gives_one_tenant_and_a_clear_message(client):
    first = client.post("/signup/", _signup_data(), HTTP_HOST="localhost")
    second = client.post("/signup/", _signup_data(), HTTP_HOST="localhost")
    assert first.status_code == 302
    assert second.status_code == 400
    assert "This subdomain is already taken." in second.content.decode()
    assert Tenant.objects.filter(slug="gamma-tea").count() == 1


@override_settings(KEFU_SIGNUP_LIMIT_PER_EMAIL="2/3600")
def test_signups_are_rate_limited_per_email_by_workspaces_made(client):
    for index in range(2):
        made = client.post("/signup/", _signup_data(subdomain=f"made-{index}x"),
                           HTTP_HOST="localhost")  # fmt: skip
        assert made.status_code == 302
    locked = client.post("/signup/", _signup_data(), HTTP_HOST="localhost")
    assert locked.status_code == 429
    assert "Too many attempts" in locked.content.decode()
    assert not Tenant.objects.filter(slug="gamma-tea").exists()


@override_settings(KEFU_SIGNUP_LIMIT_PER_EMAIL="3/3600")
def test_typos_do_not_use_up_the_signup_limit_of_an_address(client):
    for index in range(3):
        typo = client.post("/signup/", _signup_data(subdomain=f"try-{index}x", password="x"),
                           HTTP_HOST="localhost")  # fmt: skip
        assert typo.status_code == 400
    valid = client.post("/signup/", _signup_data(), HTTP_HOST="localhost")
    assert valid.status_code == 302
    assert Tenant.objects.filter(slug="gamma-tea").exists()


@override_settings(KEFU_SIGNUP_LIMIT_PER_IP="2/3600")
def test_signups_are_rate_limited_per_ip(client):
    for index in range(2):
        client.post("/signup/", _signup_data(email=f"p{index}@x.example", password="x"),
                    HTTP_HOST="localhost")  # fmt: skip
    locked = client.post("/signup/", _signup_data(email="new@x.example"), HTTP_HOST="localhost")
    assert locked.status_code == 429


def test_default_plan_is_given_to_new_workspaces(client):
    from billing.models import Plan

    plan = Plan.objects.create(name="Starter", code="starter", is_default=True)
    client.post("/signup/", _signup_data(), HTTP_HOST="localhost")
    assert Tenant.objects.get(slug="gamma-tea").plan == plan
