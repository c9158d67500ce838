"""Kefu's own 400, 403, 404 and 500 answers: branded pages in both languages, JSON under /api/,
no URL list, no traceback, and a 500 that needs no database (issue 14, item 5)."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import BadRequest, PermissionDenied
from django.db import connection
from django.test import Client, RequestFactory

from kefu.core import error_pages
from tests.conftest import host

pytestmark = pytest.mark.django_db


class KefuInputError(BadRequest):
    """Stands in for the input parser's error: an exception class of Kefu's own."""

    __module__ = "kefu.core.parsing"


def _boom(*args, **kwargs):
    raise RuntimeError("secret detail: postgresql://kefu:hunter2@db/kefu")


@pytest.fixture
def tenant_request(in_tenant_a):
    """``tenant_request(path)``: a GET on workspace A's host, as the middleware leaves it."""

    def build(path: str):
        request = RequestFactory().get(path, HTTP_HOST=host(in_tenant_a))
        request.tenant = in_tenant_a
        return request

    return build


@pytest.fixture
def quiet_client() -> Client:
    """A browser's view: an exception in a view is answered, not raised into the test."""
    return Client(raise_request_exception=False)


@pytest.mark.parametrize("hostname", ["localhost", "alpha.localhost"])
def test_unknown_page_is_kefus_404_without_the_url_list(client, tenant_a, hostname):
    response = client.get("/no-such-page/", HTTP_HOST=hostname)
    assert response.status_code == 404
    body = response.content.decode()
    assert "Page not found" in body
    assert 'href="/static/core/kefu.css"' in body, "the site's own look"
    assert "URLconf" not in body
    assert "operator/" not in body


def test_404_page_in_chinese_with_the_workspace_name(client, tenant_a):
    response = client.get("/no-such-page/", HTTP_HOST=host(tenant_a), HTTP_ACCEPT_LANGUAGE="zh")
    body = response.content.decode()
    assert "页面不存在" in body
    assert "前往帮助中心" in body
    assert "Alpha Ltd" in body


@pytest.mark.parametrize("path", ["/api/v1/x", "/api/v1/tickets/1/nothing", "/api/v2/search"])
def test_unknown_api_path_answers_the_apis_json_404(client, tenant_a, path):
    response = client.get(path, HTTP_HOST=host(tenant_a))
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    error = response.json()["error"]
    assert error["code"] == "not_found"
    assert error["message"]
    assert error["fields"] == {}


@pytest.mark.parametrize(
    ("hostname", "patched", "path"),
    [
        ("localhost", "kefu.core.views.render", "/"),
        ("alpha.localhost", "kefu.portal.views.article_list_hot", "/"),
    ],
)
def test_a_server_error_is_kefus_500_page_without_a_traceback(
    quiet_client, tenant_a, monkeypatch, hostname, patched, path
):
    monkeypatch.setattr(patched, _boom)
    response = quiet_client.get(path, HTTP_HOST=hostname, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 500
    body = response.content.decode()
    assert "Something went wrong" in body
    assert "Traceback" not in body
    assert "hunter2" not in body


def test_a_server_error_page_in_chinese(quiet_client, tenant_a, monkeypatch):
    monkeypatch.setattr("kefu.portal.views.article_list_hot", _boom)
    response = quiet_client.get("/", HTTP_HOST=host(tenant_a), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "出错了" in response.content.decode()
    assert "Alpha Ltd" in response.content.decode()


def test_a_server_error_under_the_api_is_json(quiet_client, tenant_a, monkeypatch):
    monkeypatch.setattr("kefu.api.search.search", _boom)
    response = quiet_client.get("/api/v1/search?q=refund", HTTP_HOST=host(tenant_a))
    assert response.status_code == 500
    assert response.json()["error"]["code"] == "server_error"
    assert "hunter2" not in response.content.decode()


def test_the_500_page_needs_no_database(tenant_request):
    request = tenant_request("/")

    def database_down(*args, **kwargs):
        raise AssertionError("the 500 page queried the database")

    with connection.execute_wrapper(database_down):
        response = error_pages.server_error(request)
    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()


def test_bad_request_shows_kefus_own_message_escaped(tenant_request):
    request = tenant_request("/search/")
    response = error_pages.bad_request(request, KefuInputError("page must be <b>a number</b>."))
    assert response.status_code == 400
    body = response.content.decode()
    assert "page must be &lt;b&gt;a number&lt;/b&gt;." in body
    assert "<b>a number</b>" not in body


def test_bad_request_hides_messages_of_others(tenant_request):
    request = tenant_request("/search/")
    response = error_pages.bad_request(request, BadRequest("raw input: <script>x</script>"))
    body = response.content.decode()
    assert "raw input" not in body
    assert "could not be understood" in body


def test_bad_request_under_the_api_is_json_with_the_message(tenant_request):
    request = tenant_request("/api/v1/search")
    response = error_pages.bad_request(request, KefuInputError("limit must be a number."))
    assert response.status_code == 400
    assert json.loads(response.content)["error"] == {
        "code": "bad_request", "message": "limit must be a number.", "fields": {}
    }  # fmt: skip


def test_permission_denied_is_kefus_403(tenant_request):
    request = tenant_request("/desk/")
    response = error_pages.permission_denied(request, PermissionDenied())
    assert response.status_code == 403
    assert "You do not have permission to open this page." in response.content.decode()
    api = error_pages.permission_denied(tenant_request("/api/v1/tickets"), PermissionDenied())
    assert json.loads(api.content)["error"]["code"] == "forbidden"


def test_a_form_without_its_csrf_token_gets_a_clear_page(tenant_a):
    browser = Client(enforce_csrf_checks=True)
    response = browser.post("/accounts/login/", {"login": "x"}, HTTP_HOST=host(tenant_a))
    assert response.status_code == 403
    body = response.content.decode()
    assert "The form has expired" in body
    assert "CSRF" not in body
