"""/api/v1 does what its OpenAPI document says: schemathesis generates valid and invalid requests
for every operation from /api/v1/openapi.json, sends them to the in-process WSGI app on
workspace alpha's host with an admin's API token, and runs every check (server errors, status
codes, content types, response schemas, valid input accepted, invalid input rejected, 405 with
Allow, authentication enforced). Bounded: a fixed number of examples, derandomised.
"""

from __future__ import annotations

import time
from collections import Counter
from typing import Any

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

from kefu.accounts.models import ApiToken, User
from kefu.accounts.services import api_token_create
from kefu.api.openapi import openapi_document
from kefu.contacts.services import contact_for_email
from kefu.core.parsing import id_or_none
from kefu.core.tokens import token_digest
from kefu.kb.models import Article, Category
from kefu.kb.services import article_save
from kefu.tenancy import tenant_context
from kefu.tickets.models import TicketCategory
from kefu.tickets.services.creation import ticket_create
from tenants.models import Tenant
from tests.conftest import host
from tests.security.report import say

MAX_EXAMPLES = 50
SECRET = "kefu_schemathesis-test-token"
GUIDED_OUTLINE = "? Which device?\n  - Phone\n    ! Restart it.\n  - Laptop\n    ! Update it."
#: Rows of the workspace under test that generated references are pointed at (see below).
REAL: dict[str, int] = {}
REAL_TENANT: list[Tenant] = []


@schemathesis.hook("before_call")
def _point_references_at_real_rows(context: Any, case: Any, kwargs: dict[str, Any]) -> None:
    """A generated id names a row that rarely exists, and the schema cannot say which ones do:
    a well-formed id in a body becomes one that does, and so does a small one in a path (the
    large ones test the 404). Likewise a guided answer's body gets a real outline, which no
    JSON schema can describe; and every case meets the article as an article, whatever an
    earlier case made of it. Schemathesis re-checks the case after this hook, so a case stays
    valid or invalid as it really is."""
    path = case.path_parameters or {}
    if "article_id" in path:  # an earlier case may have made it a guided answer
        with tenant_context(REAL_TENANT[0]):
            Article.objects.filter(pk=REAL["article"]).update(kind=Article.Kind.ARTICLE, flow=None)
    for key in ("ticket_id", "article_id"):
        path_id = id_or_none(path.get(key))
        if path_id is not None and path_id < 2**31:  # the larger ones stay unknown: 404
            path[key] = REAL[key.removesuffix("_id")]
    body = case.body
    if not isinstance(body, dict):
        return
    for key in ("category", "category_id"):
        if _is_id(body.get(key)):
            body[key] = REAL["article_category" if key == "category_id" else "ticket_category"]
    if _is_id(body.get("assignee")):
        body["assignee"] = REAL["staff"]
    if body.get("kind") == "guided" and (isinstance(body.get("body"), str) or "body" not in body):
        body["body"] = GUIDED_OUTLINE


def _is_id(value: object) -> bool:
    return id_or_none(value) is not None


@pytest.fixture
def requests_in_test_transaction():
    """The app's requests run in the test's transaction: no closing of the connection at the
    end of each request (Django's test client leaves that out too)."""
    signals = (request_started, request_finished)
    for signal in signals:
        signal.disconnect(close_old_connections)
    yield
    for signal in signals:
        signal.connect(close_old_connections)


@pytest.fixture
def api(tenant_a, make_user, pytestconfig, requests_in_test_transaction):
    """How to call the API of workspace alpha: its host and an admin's token."""
    admin = make_user(tenant_a, User.Role.ADMIN)
    REAL_TENANT[:] = [tenant_a]
    with tenant_context(tenant_a):
        token, _secret = api_token_create(user=admin, name="schemathesis")
        # A secret known before the cases are built (schemathesis builds some at collection).
        ApiToken.objects.filter(pk=token.pk).update(token_hash=token_digest(SECRET))
        requester = contact_for_email(email="casey@example.com", name="Casey")
        ticket = ticket_create(subject="Printer on fire", description="Help", requester=requester)
        article = article_save(title="Reset a password", body="Use the link.", language="en")
        REAL.update(
            staff=admin.pk,
            ticket=ticket.pk,
            article=article.pk,
            ticket_category=TicketCategory.objects.create(name="Billing").pk,
            article_category=Category.objects.create(name="Accounts", slug="accounts").pk,
        )
    started, statuses = time.monotonic(), Counter()
    yield {"base_url": f"http://{host(tenant_a)}", "statuses": statuses}
    seconds = time.monotonic() - started
    shown = ", ".join(f"{status}×{count}" for status, count in sorted(statuses.items()))
    say(pytestconfig, f"schemathesis: {statuses.total()} cases in {seconds:.1f} s ({shown})")
    # Cases that all failed authentication or validation would conform without testing much.
    assert not statuses or any(200 <= status < 300 for status in statuses), "none accepted"


# The document the view serves (test_the_served_document_is_the_one_tested checks it is).
schema = schemathesis.openapi.from_dict(openapi_document())
schema.app = WSGIHandler()  # in-process, like schemathesis.openapi.from_wsgi
# NUL is refused in all text (PostgreSQL cannot store it; the API's description says so), and
# tests/security/test_bad_input.py sends it everywhere.
schema.config.generation.update(max_examples=MAX_EXAMPLES, deterministic=True, allow_x00=False)


@schema.auth(retry_on=[])
class StaffToken:
    """An admin's token (schemathesis leaves it out where it checks that authentication is
    enforced)."""

    def get(self, case: Any, context: Any) -> str:
        return SECRET

    def set(self, case: Any, data: str, context: Any) -> None:
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}


@schema.parametrize()
@settings(suppress_health_check=list(HealthCheck), deadline=None)
def test_the_api_conforms_to_its_openapi_document(case, api):
    # The WSGI test client does not undo compression as an HTTP client does: ask for none.
    response = case.call_and_validate(
        base_url=api["base_url"], headers={"Accept-Encoding": "identity"}
    )
    api["statuses"][response.status_code] += 1


def test_the_served_document_is_the_one_tested(client, tenant_a):
    served = client.get("/api/v1/openapi.json", HTTP_HOST=host(tenant_a))
    assert served.status_code == 200
    assert served.json() == schema.raw_schema


# --- what the attack's schemathesis run reported, one by one ------------------------------------


@pytest.fixture
def agent_token(tenant_a, make_user) -> str:
    agent = make_user(tenant_a, User.Role.AGENT)
    with tenant_context(tenant_a):
        return api_token_create(user=agent, name="conformance")[1]


def test_an_empty_search_is_answered_with_no_results(client, tenant_a):
    empty = client.get("/api/v1/search?q=", HTTP_HOST=host(tenant_a))
    assert (empty.status_code, empty.json()["results"]) == (200, [])


def test_page_zero_is_rejected_as_the_schema_says(client, tenant_a, agent_token):
    listed = client.get("/api/v1/tickets?page=0", HTTP_HOST=host(tenant_a),
                        HTTP_AUTHORIZATION=f"Bearer {agent_token}")  # fmt: skip
    assert listed.status_code == 400
    assert listed.json()["error"]["message"].startswith("page must be")


def test_a_method_the_endpoint_does_not_offer_is_405_with_allow(client, tenant_a, agent_token):
    token = f"Bearer {agent_token}"
    put = client.put("/api/v1/articles/1", "{}", content_type="application/json",
                     HTTP_HOST=host(tenant_a), HTTP_AUTHORIZATION=token)  # fmt: skip
    assert put.status_code == 405
    assert put["Allow"] == "GET, PATCH, DELETE"
    assert put.json()["error"]["code"] == "method_not_allowed"
    search = client.post("/api/v1/search", HTTP_HOST=host(tenant_a))
    assert (search.status_code, search["Allow"]) == (405, "GET")


@pytest.mark.parametrize("path", ["/api/v1/nothing", "/api/v1/tickets/-1", "/api/v2/tickets"])
def test_unknown_paths_under_the_api_get_a_json_404(client, tenant_a, path):
    missing = client.get(path, HTTP_HOST=host(tenant_a))
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found"


def test_an_unknown_query_parameter_is_named(client, tenant_a, agent_token):
    listed = client.get("/api/v1/tickets?colour=red", HTTP_HOST=host(tenant_a),
                        HTTP_AUTHORIZATION=f"Bearer {agent_token}")  # fmt: skip
    assert listed.status_code == 400
    assert listed.json()["error"]["fields"] == {"colour": ["Unknown parameter."]}
