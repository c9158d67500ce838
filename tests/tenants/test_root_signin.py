"""The root domain's sign-in (subdomain -> the workspace's own sign-in page), "find my
workspace" (one answer for every address; the list goes only to that mailbox), and pricing
built from the plans."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import override_settings

from billing.seed import plans_seed
from kefu.accounts.models import User
from tenants.models import Tenant

pytestmark = pytest.mark.django_db


@pytest.fixture
def inline_mail_job(monkeypatch):
    from tenants import jobs

    actor = jobs.workspace_list_mail_job
    monkeypatch.setattr(actor, "send", actor.fn)


def test_root_sign_in_sends_a_person_to_their_workspace_sign_in_page(client, tenant_a):
    assert client.get("/signin/", HTTP_HOST="localhost").status_code == 200

    response = client.post("/signin/", {"subdomain": " Alpha "}, HTTP_HOST="localhost")

    assert response.status_code == 302
    assert response["Location"] == "http://alpha.localhost/accounts/login/"


def test_an_unknown_or_suspended_subdomain_is_a_clear_error(client, tenant_a):
    Tenant.objects.filter(pk=tenant_a.pk).update(status=Tenant.Status.SUSPENDED)
    for subdomain in ("no-such-co", "alpha", ""):
        response = client.post("/signin/", {"subdomain": subdomain}, HTTP_HOST="localhost")
        assert response.status_code == 400
    assert (
        "No workspace answers at no-such-co.localhost"
        in client.post(
            "/signin/", {"subdomain": "no-such-co"}, HTTP_HOST="localhost"
        ).content.decode()
    )


def test_find_my_workspace_answers_the_same_and_mails_only_a_known_address(
    client, tenant_a, tenant_b, make_user, inline_mail_job
):
    make_user(tenant_a, User.Role.OWNER, email="li@tea.example")
    make_user(tenant_b, User.Role.CUSTOMER, email="LI@tea.example")

    known = client.post("/signin/find/", {"email": "li@tea.example"}, HTTP_HOST="localhost")
    unknown = client.post("/signin/find/", {"email": "nobody@x.example"}, HTTP_HOST="localhost")

    def answer(response) -> str:
        text = response.content.decode()
        return text[text.index('id="find-workspace-sent"') :].split("</p>")[0]

    assert known.status_code == unknown.status_code == 200
    assert answer(known).replace("li@tea.example", "X") == answer(unknown).replace(
        "nobody@x.example", "X"
    )
    [message] = mail.outbox
    assert message.to == ["li@tea.example"]
    assert "http://alpha.localhost/accounts/login/" in message.body
    assert "http://beta.localhost/accounts/login/" in message.body
    assert "Alpha Ltd (desk)" in message.body
    assert "贝塔科技 (help center)" in message.body


def test_find_my_workspace_mails_in_the_visitors_language(
    client, tenant_a, make_user, inline_mail_job
):
    make_user(tenant_a, User.Role.OWNER, email="li@tea.example")

    page = client.post(
        "/signin/find/", {"email": "li@tea.example"}, HTTP_HOST="localhost",
        HTTP_ACCEPT_LANGUAGE="zh-CN",
    )  # fmt: skip

    assert "我们已向它发送" in page.content.decode()
    [message] = mail.outbox
    assert message.subject == "你的客服工作区"
    assert "Alpha Ltd (客服台)" in message.body


@override_settings(KEFU_FIND_WORKSPACE_LIMIT_PER_EMAIL="2/3600")
def test_find_my_workspace_sends_an_address_a_few_mails_at_most(
    client, tenant_a, make_user, inline_mail_job
):
    make_user(tenant_a, User.Role.OWNER, email="li@tea.example")
    for _attempt in range(4):
        page = client.post("/signin/find/", {"email": "li@tea.example"}, HTTP_HOST="localhost")
        assert page.status_code == 200, "the answer never changes"
    assert len(mail.outbox) == 2


@override_settings(KEFU_FIND_WORKSPACE_LIMIT_PER_IP="2/3600")
def test_find_my_workspace_is_rate_limited_per_ip(client, inline_mail_job):
    for index in range(2):
        client.post("/signin/find/", {"email": f"p{index}@x.example"}, HTTP_HOST="localhost")
    refused = client.post("/signin/find/", {"email": "p9@x.example"}, HTTP_HOST="localhost")
    assert refused.status_code == 429


def test_a_bad_address_is_a_clear_error(client):
    response = client.post("/signin/find/", {"email": "not-an-address"}, HTTP_HOST="localhost")
    assert response.status_code == 400
    assert "Enter a valid email address." in response.content.decode()


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", ["Free", "$0.00", "Team", "$29.00", "Up to 10 agents", "Business", "$99.00"]),
        ("zh-CN", ["¥199.00", "最多 10 名客服", "¥699.00"]),
    ],
)
def test_pricing_is_built_from_the_plans_in_both_languages(client, language, expected):
    plans_seed()

    page = client.get("/pricing/", HTTP_HOST="localhost", HTTP_ACCEPT_LANGUAGE=language)

    text = page.content.decode()
    for needle in expected:
        assert needle in text
    assert 'href="/signup/?plan=team"' in text


def test_the_root_home_links_pricing_and_sign_in(client):
    page = client.get("/", HTTP_HOST="localhost").content.decode()
    assert 'href="/pricing/"' in page
    assert 'href="/signin/"' in page
