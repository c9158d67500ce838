"""Which site answers depends on the host: root domain, tenant subdomain, custom domain."""

from __future__ import annotations

import pytest

from tenants.models import Domain

pytestmark = pytest.mark.django_db


def test_root_domain_serves_public_site(client):
    response = client.get("/", HTTP_HOST="localhost")
    assert response.status_code == 200
    assert "A support desk that answers before a human is needed" in response.content.decode()


def test_root_domain_with_port_serves_public_site(client):
    response = client.get("/", HTTP_HOST="localhost:8000")
    assert response.status_code == 200
    assert response.wsgi_request.tenant.schema_name == "public"


def test_tenant_subdomain_serves_its_own_help_center(client, tenant_a, tenant_b):
    alpha = client.get("/", HTTP_HOST="alpha.localhost:8000").content.decode()
    beta = client.get("/", HTTP_HOST="beta.localhost").content.decode()
    assert "Alpha Ltd help center" in alpha
    assert "贝塔科技" in beta
    assert "Alpha Ltd" not in beta


def test_custom_domain_is_one_more_domain_row(client, tenant_a):
    Domain.objects.create(domain="help.alpha-corp.example", tenant=tenant_a, is_primary=False)
    response = client.get("/", HTTP_HOST="help.alpha-corp.example")
    assert response.status_code == 200
    assert "Alpha Ltd help center" in response.content.decode()


@pytest.mark.parametrize("host", ["nobody.localhost", "gamma.example.org", "alpha.localhost.evil"])
def test_unknown_host_gets_a_clear_404_page(client, host):
    response = client.get("/", HTTP_HOST=host)
    assert response.status_code == 404
    body = response.content.decode()
    assert "No help center here" in body
    assert host in body


def test_unknown_host_page_speaks_chinese_to_chinese_browsers(client):
    response = client.get("/", HTTP_HOST="nobody.localhost", HTTP_ACCEPT_LANGUAGE="zh-CN,zh;q=0.9")
    assert response.status_code == 404
    assert "这里没有帮助中心" in response.content.decode()


def test_session_and_csrf_cookies_are_host_only(client, tenant_a):
    response = client.get("/", HTTP_HOST="alpha.localhost")
    csrf = response.cookies["csrftoken"]
    assert csrf["domain"] == ""  # no Domain attribute: the browser keeps it to this exact host
    client.post(
        "/i18n/setlang/",
        {"language": "zh-hans", "next": "/"},
        HTTP_HOST="alpha.localhost",
        HTTP_X_CSRFTOKEN=csrf.value,
    )
    assert client.cookies["django_language"]["domain"] == ""


def test_health_endpoint_names_the_schema(client, tenant_a):
    assert client.get("/healthz", HTTP_HOST="alpha.localhost").json() == {
        "status": "ok",
        "schema": "t_alpha",
    }
    assert client.get("/healthz", HTTP_HOST="localhost").json()["schema"] == "public"


def test_suspended_workspace_shows_a_clear_page_and_keeps_data(client, tenant_a):
    tenant_a.status = tenant_a.Status.SUSPENDED
    tenant_a.save()
    response = client.get("/", HTTP_HOST="alpha.localhost")
    assert response.status_code == 503
    assert "This help center is unavailable" in response.content.decode()
