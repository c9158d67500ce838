"""The bad inputs an attack found giving server errors, one by one: each is now a 400 (a page, or
the API's JSON error that says what is wrong), or is ignored where it was only a hint."""

from __future__ import annotations

import json

import pytest

from kefu.accounts.models import User
from kefu.accounts.services import api_token_create
from kefu.contacts.services import contact_for_user
from kefu.tenancy import tenant_context
from kefu.tickets.services.creation import ticket_create
from tests.conftest import host

pytestmark = pytest.mark.django_db

NUL, SUPERSCRIPT_TWO, PAST_BIGINT = "\x00", "²", "99999999999999999999"


@pytest.fixture
def get(client, tenant_a):
    def send(url: str, **data: str):
        return client.get(url, data, HTTP_HOST=host(tenant_a))

    return send


@pytest.fixture
def api(client, tenant_a, make_user):
    """``api(method, path, body=None, raw=None)`` with an agent's token."""
    agent = make_user(tenant_a, User.Role.AGENT)
    with tenant_context(tenant_a):
        _token, secret = api_token_create(user=agent, name="cases")

    def call(method: str, path: str, body: object = None, raw: str | None = None):
        data = raw if raw is not None else (json.dumps(body) if body is not None else None)
        return getattr(client, method)(
            path, data=data, content_type="application/json", HTTP_HOST=host(tenant_a),
            HTTP_AUTHORIZATION=f"Bearer {secret}",
        )  # fmt: skip

    return call


def _api_error(response, status: int) -> dict:
    assert response.status_code == status, response.content
    return response.json()["error"]


@pytest.mark.parametrize("path", ["/search/", "/widget/"])
def test_nul_in_a_help_center_search_is_a_400(get, path):
    assert get(path, q=f"printer{NUL}").status_code == 400


@pytest.mark.parametrize("path", ["/desk/tickets/", "/desk/contacts/"])
def test_nul_in_a_desk_search_is_a_400(client, get, tenant_a, make_user, login_as, path):
    login_as(tenant_a, make_user(tenant_a, User.Role.AGENT))
    assert get(path, q=NUL).status_code == 400


def test_nul_in_the_api_search_gets_the_json_error_saying_so(get):
    error = _api_error(get("/api/v1/search", q=NUL), 400)
    assert "NUL" in error["message"]


def test_nul_in_an_api_filter_or_body_gets_the_json_error(api):
    assert "NUL" in _api_error(api("get", "/api/v1/tickets?q=%00"), 400)["message"]
    body = {"subject": f"Printer{NUL}", "requester": {"email": "casey@example.com"}}
    assert "NUL" in _api_error(api("post", "/api/v1/tickets", body), 400)["message"]


def test_an_unpaired_surrogate_in_an_api_body_gets_the_json_error(api):
    raw = '{"subject": "Printer \\ud800", "requester": {"email": "casey@example.com"}}'
    assert "surrogate" in _api_error(api("post", "/api/v1/tickets", raw=raw), 400)["message"]


def test_nul_in_a_portal_reply_is_a_400(client, tenant_a, make_user, login_as):
    customer = make_user(tenant_a, User.Role.CUSTOMER)
    with tenant_context(tenant_a):
        ticket = ticket_create(
            subject="Printer", description="Help", requester=contact_for_user(user=customer)
        )
    login_as(tenant_a, customer)
    reply = client.post(
        f"/tickets/{ticket.pk}/reply/", {"body": f"Still{NUL}broken"}, HTTP_HOST=host(tenant_a)
    )
    assert reply.status_code == 400


def test_a_cookie_holding_nul_is_dropped_not_a_server_error(client, tenant_a):
    client.cookies["sessionid"] = f"abcdefgh{NUL}"
    assert client.get("/", HTTP_HOST=host(tenant_a)).status_code == 200


def test_a_superscript_digit_as_an_id_is_a_400(get, make_article, tenant_a):
    article = make_article(tenant_a, "Reset a password")
    assert get(article.get_absolute_url(), sq=SUPERSCRIPT_TWO).status_code == 400


def test_a_guided_answer_path_that_is_not_numbers_is_a_400(get, make_article, tenant_a):
    outline = "? Which device?\n  - Phone\n    ! Restart it.\n  - Laptop\n    ! Update it."
    guided = make_article(tenant_a, "Device trouble", outline, kind="guided")
    assert get(guided.get_absolute_url(), path="0").status_code == 200
    assert get(guided.get_absolute_url(), path=f"0.{SUPERSCRIPT_TWO}").status_code == 400


def test_desk_filters_that_are_no_ids_are_ignored(client, get, tenant_a, make_user, login_as):
    login_as(tenant_a, make_user(tenant_a, User.Role.AGENT))
    listed = get("/desk/tickets/", category=SUPERSCRIPT_TWO, assignee=SUPERSCRIPT_TWO)
    assert listed.status_code == 200


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/desk/articles/", "article"),  # the bulk status change
        ("/desk/api-tokens/", "revoke"),
    ],
)
def test_a_desk_post_with_an_id_that_is_no_id_is_a_400(
    client, tenant_a, make_user, login_as, path, field
):
    login_as(tenant_a, make_user(tenant_a, User.Role.ADMIN))
    posted = client.post(path, {field: SUPERSCRIPT_TWO, "status": "published"},
                         HTTP_HOST=host(tenant_a))  # fmt: skip
    assert posted.status_code == 400


def test_splitting_with_a_message_id_that_is_no_id_is_a_400(client, tenant_a, make_user, login_as):
    agent = make_user(tenant_a, User.Role.AGENT)
    with tenant_context(tenant_a):
        ticket = ticket_create(subject="Printer", description="Help", requester=None)
    login_as(tenant_a, agent)
    split = client.post(f"/desk/tickets/{ticket.pk}/split/", {"message": SUPERSCRIPT_TWO},
                        HTTP_HOST=host(tenant_a))  # fmt: skip
    assert split.status_code == 400


@pytest.mark.parametrize(
    ("query", "field"),
    [
        (f"category={SUPERSCRIPT_TWO}", "category"),
        (f"assignee={SUPERSCRIPT_TWO}", "assignee"),
    ],
)
def test_an_api_filter_id_that_is_no_id_says_which(api, query, field):
    error = _api_error(api("get", f"/api/v1/tickets?{query}"), 400)
    assert field in error["fields"]


@pytest.mark.parametrize(
    ("path", "name"),
    [
        (f"/api/v1/tickets?page={PAST_BIGINT}", "page"),
        (f"/api/v1/tickets?page={SUPERSCRIPT_TWO}", "page"),
        (f"/api/v1/articles?offset={PAST_BIGINT}", "offset"),
        (f"/api/v1/articles?limit={SUPERSCRIPT_TWO}", "limit"),
    ],
)
def test_an_api_number_out_of_range_says_which(api, path, name):
    assert _api_error(api("get", path), 400)["message"].startswith(f"{name} must be")


def test_deeply_nested_json_is_refused_before_it_is_parsed(api):
    error = _api_error(api("post", "/api/v1/tickets", raw="[" * 100_000), 400)
    assert "deeper" in error["message"]


def test_a_body_past_the_size_limit_is_refused(api):
    big = {"subject": "x", "description": "y" * 1_100_000, "requester": {"email": "a@b.co"}}
    assert _api_error(api("post", "/api/v1/tickets", big), 413)["code"] == "too_large"


def test_availability_with_a_next_that_is_no_page_goes_home(client, tenant_a, make_user, login_as):
    login_as(tenant_a, make_user(tenant_a, User.Role.AGENT))
    changed = client.post("/desk/availability/", {"availability": "away", "next": "-1"},
                          HTTP_HOST=host(tenant_a))  # fmt: skip
    assert changed.status_code == 302
    assert changed["Location"] == "/desk/"


def test_the_message_reads_in_chinese(client, tenant_a):
    answer = client.get("/api/v1/search?q=x&limit=0", HTTP_HOST=host(tenant_a),
                        HTTP_ACCEPT_LANGUAGE="zh-hans")  # fmt: skip
    assert _api_error(answer, 400)["message"] == "limit 必须是 1 到 50 之间的整数。"
