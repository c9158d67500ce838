"""Password reset and email verification run inside the tenant whose host was used."""

from __future__ import annotations

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail

from kefu.accounts.models import User
from kefu.tenancy import tenant_context
from tests.conftest import PASSWORD, host

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a brand new passphrase 77"


def _link(message, tenant) -> str:
    match = re.search(rf"http://{tenant.slug}\.localhost(/accounts/\S+/)", message.body)
    assert match, message.body
    return match.group(1)


def test_password_reset_mails_a_link_to_this_workspace_that_sets_a_new_password(
    client, tenant_a, make_user
):
    agent = make_user(tenant_a, User.Role.AGENT)
    client.post("/accounts/password/reset/", {"email": agent.email}, HTTP_HOST=host(tenant_a))
    assert len(mail.outbox) == 1
    path = _link(mail.outbox[0], tenant_a)

    form = client.get(path, HTTP_HOST=host(tenant_a), follow=True)
    action = form.redirect_chain[-1][0] if form.redirect_chain else path
    done = client.post(
        action,
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
        HTTP_HOST=host(tenant_a),
    )
    assert done.status_code == 302
    with tenant_context(tenant_a):
        agent.refresh_from_db()
        assert agent.check_password(NEW_PASSWORD)


def test_password_reset_link_of_one_workspace_is_useless_on_another(
    client, tenant_a, tenant_b, make_user
):
    agent = make_user(tenant_a, User.Role.AGENT, email="twin@shared.example")
    make_user(tenant_b, User.Role.AGENT, email="twin@shared.example")
    client.post("/accounts/password/reset/", {"email": agent.email}, HTTP_HOST=host(tenant_a))
    path = _link(mail.outbox[0], tenant_a)
    on_b = client.get(path, HTTP_HOST=host(tenant_b), follow=True)
    assert "Bad Token" in on_b.content.decode() or "invalid" in on_b.content.decode().lower()


def test_reset_answers_the_same_for_known_and_unknown_addresses(client, tenant_a, make_user):
    agent = make_user(tenant_a, User.Role.AGENT)
    known = client.post(
        "/accounts/password/reset/", {"email": agent.email}, HTTP_HOST=host(tenant_a)
    )
    unknown = client.post(
        "/accounts/password/reset/", {"email": "nobody@nowhere.example"}, HTTP_HOST=host(tenant_a)
    )
    assert known["Location"] == unknown["Location"] == "/accounts/password/reset/done/"
    reset_links = [m for m in mail.outbox if "/accounts/password/reset/key/" in m.body]
    assert [m.to for m in reset_links] == [[agent.email]]


def test_new_owner_gets_a_verification_mail_and_confirming_marks_the_address(client):
    response = client.post(
        "/signup/",
        {
            "company_name": "Verify Co",
            "subdomain": "verify-co",
            "full_name": "Vera",
            "email": "vera@verify.example",
            "password": PASSWORD,
        },
        HTTP_HOST="localhost",
    )
    client.get(response["Location"].removeprefix("http://verify-co.localhost"),
               HTTP_HOST="verify-co.localhost")  # fmt: skip
    assert mail.outbox[-1].to == ["vera@verify.example"]
    from tenants.models import Tenant

    tenant = Tenant.objects.get(slug="verify-co")
    path = _link(mail.outbox[-1], tenant)
    client.post(path, HTTP_HOST="verify-co.localhost")
    with tenant_context(tenant):
        assert EmailAddress.objects.get(email="vera@verify.example").verified
