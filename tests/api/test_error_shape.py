"""Every /api/v1 endpoint fails the one way, ``{"error": {"code", "message", "fields"}}``: with no
or a bad token, with a customer's session, with a method it does not offer, with a body or a
query it cannot read, with an id it cannot parse and with an object that does not exist.

The endpoints are found by walking the tenant URLconf, so a new one is held to the shape
without anybody adding it here; each one's methods come from the decorator it wears
(kefu.api.errors.api_view), and an endpoint that does not wear it fails the first test.
"""

from __future__ import annotations

import pytest

from kefu.accounts.models import User
from kefu.accounts.services import api_token_create
from kefu.contacts.services import contact_for_email
from kefu.tenancy import tenant_context
from kefu.tickets.services.creation import ticket_create
from tests.conftest import host
from tests.security.urlconf_routes import Route, urlconf_routes

pytestmark = pytest.mark.django_db

TENANT_URLCONF = "kefu.urls_tenant"
API_ROUTES = [route for route in urlconf_routes(TENANT_URLCONF) if route.pattern.startswith("api/")]
#: A well-formed id no object of any kind has.
MISSING_ID = "2000000000"
#: Ids the ``int`` converter lets through that name nothing PostgreSQL can store, and ids it
#: does not match at all (the URLconf's own 404).
UNREADABLE_IDS = ("99999999999999999999999", "0", "abc", "-1")
ALL_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


def _route_id(route: Route) -> str:
    return route.pattern


def _methods(route: Route) -> tuple[str, ...]:
    return route.view.api_methods


def _needs_token(route: Route) -> bool:
    return getattr(route.view, "api_token_required", False)


def _path(route: Route, object_id: str = MISSING_ID) -> str:
    return route.path(**dict.fromkeys(route.converters, object_id))


def assert_error_shape(response, status: int) -> dict:
    """The one error shape with ``status``; returns the error."""
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert set(body) == {"error"}
    error = body["error"]
    assert set(error) == {"code", "message", "fields"}
    assert isinstance(error["code"], str)
    assert error["code"]
    assert isinstance(error["message"], str)
    assert error["message"]
    assert isinstance(error["fields"], dict)
    for messages in error["fields"].values():
        assert isinstance(messages, list)
        assert all(isinstance(text, str) for text in messages)
    return error


@pytest.fixture
def call(client, tenant_a):
    """``call(method, path, token=None, raw=None)`` on workspace A's host."""

    def send(method: str, path: str, token: str | None = None, raw: str | None = None):
        headers = {"HTTP_HOST": host(tenant_a)}
        if token is not None:
            headers["HTTP_AUTHORIZATION"] = f"Bearer {token}"
        return client.generic(method, path, raw or "", content_type="application/json", **headers)

    return send


@pytest.fixture
def admin_token(tenant_a, make_user) -> str:
    admin = make_user(tenant_a, User.Role.ADMIN)
    with tenant_context(tenant_a):
        return api_token_create(user=admin, name="error shape")[1]


def test_the_walk_finds_every_endpoint_and_each_wears_the_api_decorator():
    patterns = {route.pattern for route in API_ROUTES}
    assert {
        "api/v1/search",
        "api/v1/articles",
        "api/v1/articles/<int:article_id>",
        "api/v1/tickets",
        "api/v1/tickets/<int:ticket_id>",
        "api/v1/tickets/<int:ticket_id>/reply",
        "api/v1/openapi.json",
    } <= patterns
    undecorated = [route.pattern for route in API_ROUTES if not hasattr(route.view, "api_methods")]
    assert undecorated == [], "every /api/ view wears kefu.api.errors.api_view"
    assert any(_needs_token(route) for route in API_ROUTES)


@pytest.mark.parametrize("route", API_ROUTES, ids=_route_id)
@pytest.mark.parametrize("token", [None, "kefu_nonsense", "not-even-a-kefu-token"])
def test_no_or_a_bad_token_is_401_in_the_one_shape(call, route, token):
    for method in _methods(route):
        response = call(method, _path(route), token=token)
        if _needs_token(route):
            error = assert_error_shape(response, 401)
            assert error["code"] == "unauthenticated"
            assert response["WWW-Authenticate"] == 'Bearer realm="kefu"'
        elif response.status_code >= 400:  # public: the header means nothing to it
            assert_error_shape(response, response.status_code)


@pytest.mark.parametrize("route", [r for r in API_ROUTES if _needs_token(r)], ids=_route_id)
def test_a_customers_session_is_403_in_the_one_shape(call, route, tenant_a, make_user, login_as):
    login_as(tenant_a, make_user(tenant_a, User.Role.CUSTOMER))
    for method in _methods(route):
        assert assert_error_shape(call(method, _path(route)), 403)["code"] == "forbidden"


@pytest.mark.parametrize("route", API_ROUTES, ids=_route_id)
def test_a_method_not_offered_is_405_in_the_one_shape(call, route, admin_token):
    for method in sorted(set(ALL_METHODS) - set(_methods(route))):
        response = call(method, _path(route), token=admin_token)
        assert assert_error_shape(response, 405)["code"] == "method_not_allowed"
        assert response["Allow"] == ", ".join(_methods(route))


@pytest.mark.parametrize("route", API_ROUTES, ids=_route_id)
def test_an_unknown_query_parameter_is_400_in_the_one_shape(call, route, admin_token):
    for method in _methods(route):
        response = call(method, _path(route) + "?colour=red", token=admin_token)
        error = assert_error_shape(response, 400)
        assert error["fields"] == {"colour": ["Unknown parameter."]}


@pytest.fixture
def existing_ids(tenant_a, make_article) -> dict[str, str]:
    """An object of alpha for each path parameter of the API (a new one goes here)."""
    article = make_article(tenant_a, "Refunds", "How refunds work.")
    with tenant_context(tenant_a):
        requester = contact_for_email(email="casey@example.com", name="Casey")
        ticket = ticket_create(subject="Printer", description="On fire.", requester=requester)
    return {"article_id": str(article.pk), "ticket_id": str(ticket.pk)}


@pytest.mark.parametrize("route", API_ROUTES, ids=_route_id)
@pytest.mark.parametrize("raw", ["{not json", "[1, 2]", "[" * 100])
def test_a_body_it_cannot_read_is_400_in_the_one_shape(call, route, admin_token, existing_ids, raw):
    path = route.path(**{name: existing_ids[name] for name in route.converters})
    for method in [method for method in _methods(route) if method in {"POST", "PATCH"}]:
        response = call(method, path, token=admin_token, raw=raw)
        assert assert_error_shape(response, 400)["code"] == "bad_request"


@pytest.mark.parametrize("route", [r for r in API_ROUTES if r.converters], ids=_route_id)
def test_a_missing_object_is_404_in_the_one_shape(call, route, admin_token):
    for method in _methods(route):
        response = call(method, _path(route), token=admin_token, raw="{}")
        assert assert_error_shape(response, 404)["code"] == "not_found"


@pytest.mark.parametrize("route", [r for r in API_ROUTES if r.converters], ids=_route_id)
@pytest.mark.parametrize("object_id", UNREADABLE_IDS)
def test_an_id_that_names_nothing_is_404_in_the_one_shape(call, route, admin_token, object_id):
    for method in _methods(route):
        response = call(method, _path(route, object_id), token=admin_token, raw="{}")
        assert assert_error_shape(response, 404)["code"] == "not_found"
