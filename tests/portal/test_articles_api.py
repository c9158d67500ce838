"""/api/v1/articles: staff tokens only, per tenant, validated, sanitised; OpenAPI published."""

from __future__ import annotations

import json

import pytest

from kefu.accounts.models import User
from kefu.accounts.services import AccountError, api_token_create
from kefu.kb.models import Article
from kefu.tenancy import tenant_context
from tests.conftest import host

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent_token(tenant_a, make_user):
    agent = make_user(tenant_a, User.Role.AGENT)
    with tenant_context(tenant_a):
        _token, secret = api_token_create(user=agent, name="CI")
    return agent, secret


def _call(client, method, path, tenant, secret=None, body=None):
    headers = {"HTTP_HOST": host(tenant)}
    if secret:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {secret}"
    data = json.dumps(body) if body is not None else None
    return getattr(client, method)(path, data=data, content_type="application/json", **headers)


def test_crud_with_a_staff_token(client, tenant_a, agent_token):
    _agent, secret = agent_token
    body = {"title": "API article", "body": "Hi <script>x()</script>", "language": "en"}
    created = _call(client, "post", "/api/v1/articles", tenant_a, secret, body)
    assert created.status_code == 201
    article = created.json()
    assert article["status"] == "draft"
    assert "<script" not in article["body_html"]
    listed = _call(client, "get", "/api/v1/articles?status=draft", tenant_a, secret).json()
    assert [a["title"] for a in listed["results"]] == ["API article"]
    patched = _call(client, "patch", f"/api/v1/articles/{article['id']}", tenant_a, secret,
                    {"status": "published"})  # fmt: skip
    assert patched.json()["status"] == "published"
    assert patched.json()["title"] == "API article"
    assert (
        _call(client, "delete", f"/api/v1/articles/{article['id']}", tenant_a, secret).status_code
        == 204
    )
    with tenant_context(tenant_a):
        assert not Article.objects.exists()


def test_bad_input_gets_clear_errors(client, tenant_a, agent_token):
    _agent, secret = agent_token
    no_title = _call(
        client, "post", "/api/v1/articles", tenant_a, secret, {"body": "b", "language": "en"}
    )
    assert no_title.status_code == 400
    assert "title" in no_title.json()["error"]["fields"]
    unknown = _call(
        client, "post", "/api/v1/articles", tenant_a, secret, {"title": "t", "colour": "red"}
    )
    assert unknown.json()["error"]["message"] == "Unknown fields: colour"
    language = _call(client, "post", "/api/v1/articles", tenant_a, secret,
                     {"title": "t", "body": "b", "language": "fr"})  # fmt: skip
    assert "language" in language.json()["error"]["fields"]


def test_no_token_a_wrong_token_or_another_tenants_token_gets_401(
    client, tenant_a, tenant_b, agent_token
):
    _agent, secret = agent_token
    assert _call(client, "get", "/api/v1/articles", tenant_a).status_code == 401
    assert _call(client, "get", "/api/v1/articles", tenant_a, "kefu_nonsense").status_code == 401
    assert _call(client, "get", "/api/v1/articles", tenant_b, secret).status_code == 401


def test_a_deactivated_agents_token_stops_working(client, tenant_a, agent_token):
    agent, secret = agent_token
    with tenant_context(tenant_a):
        User.objects.filter(pk=agent.pk).update(is_active=False)
    assert _call(client, "get", "/api/v1/articles", tenant_a, secret).status_code == 401


def test_customers_cannot_have_tokens(tenant_a, make_user):
    customer = make_user(tenant_a, User.Role.CUSTOMER)
    with tenant_context(tenant_a), pytest.raises(AccountError):
        api_token_create(user=customer, name="nope")


def test_tokens_page_shows_a_new_secret_once(client, tenant_a, make_user, login_as):
    login_as(tenant_a, make_user(tenant_a, User.Role.AGENT))
    page = client.post(
        "/desk/api-tokens/", {"name": "Zapier"}, HTTP_HOST=host(tenant_a)
    ).content.decode()
    secret = page.split('id="new-token"')[1].split("<code>")[1].split("</code>")[0]
    assert secret.startswith("kefu_")
    assert secret not in client.get("/desk/api-tokens/", HTTP_HOST=host(tenant_a)).content.decode()
    assert _call(client, "get", "/api/v1/articles", tenant_a, secret).status_code == 200


def test_openapi_describes_the_api(client, tenant_a):
    spec = client.get("/api/v1/openapi.json", HTTP_HOST=host(tenant_a)).json()
    assert spec["openapi"].startswith("3.")
    assert {"/api/v1/search", "/api/v1/articles", "/api/v1/articles/{article_id}"} <= set(
        spec["paths"]
    )
