"""Bad input gets a 4xx, never a server error: every route of the tenant and public URLconfs,
every parameter the code reads (found in its source), every bad value, every role.

The values are the ones an attack found crashing Kefu: NUL (PostgreSQL cannot store it), "²"
(``str.isdigit()`` says yes, ``int()`` says no), a number past bigint, -1; and JSON nested
100,000 deep for the API. Each request runs in a savepoint that is rolled back and its cookies are
forgotten, so nothing one request changes (or breaks) reaches the next.
"""

from __future__ import annotations

import copy
import inspect
import time
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.db import transaction
from django.test import Client

from kefu.accounts.models import User
from kefu.accounts.services import api_token_create
from kefu.contacts.services import contact_for_user
from kefu.kb.models import Category
from kefu.kb.services import article_save
from kefu.tenancy import public_context, tenant_context
from kefu.tickets.services.creation import ticket_create
from tests.conftest import host
from tests.security.report import say
from tests.security.request_parameters import all_parameters, module_parameters
from tests.security.urlconf_routes import Route, urlconf_routes

pytestmark = pytest.mark.django_db

NUL, SUPERSCRIPT_TWO, PAST_BIGINT, MINUS_ONE = "\x00", "²", "99999999999999999999", "-1"
#: Values that reach the view (NUL is stopped before it, on every route at once).
REACHING = (SUPERSCRIPT_TWO, PAST_BIGINT, MINUS_ONE)
DEEP_JSON = "[" * 100_000
#: Path parameters each converter lets through, beside a real id.
PATH_VALUES = {"int": (PAST_BIGINT,), "str": (NUL, SUPERSCRIPT_TWO), "path": (NUL,)}


@dataclass
class Role:
    name: str
    client: Client
    headers: dict[str, str] = field(default_factory=dict)  # the API token, for staff


@dataclass
class Walk:
    """The requests sent and the server errors seen."""

    requests: int = 0
    routes: int = 0
    server_errors: list[str] = field(default_factory=list)

    def send(self, role: Role, method: str, path: str, **options: Any) -> int:
        """One request, undone afterwards: its writes, and the cookies it set (a sign-out or a
        language switch would change who the next request is)."""
        self.requests += 1
        cookies = copy.deepcopy(role.client.cookies)
        with transaction.atomic():
            response = getattr(role.client, method)(path, **options, **role.headers)
            transaction.set_rollback(True)
        role.client.cookies = cookies
        if response.status_code >= 500:
            sent = f"{options.get('data', '')!r:.300}"
            self.server_errors.append(
                f"{response.status_code} as {role.name}: {method.upper()} {path} {sent}"
            )
        return response.status_code


def _client(hostname: str) -> Client:
    client = Client(HTTP_HOST=hostname)
    client.raise_request_exception = False
    return client


@pytest.fixture
def no_rate_limits(settings) -> None:
    """Limits would answer 429 before the parameters are read."""
    for name in (
        "KEFU_SEARCH_LIMIT_PER_IP",
        "KEFU_SIGNUP_LIMIT_PER_IP",
        "KEFU_SIGNUP_LIMIT_PER_EMAIL",
        "KEFU_SUBDOMAIN_CHECK_LIMIT_PER_IP",
        "KEFU_TICKET_SUBMIT_LIMIT_PER_IP",
    ):
        setattr(settings, name, "1000000/60")
    settings.ACCOUNT_RATE_LIMITS = False
    settings.STRIPE_WEBHOOK_SECRET = "whsec_walk"


@pytest.fixture
def workspace_roles(tenant_a, make_user) -> tuple[list[Role], dict[str, str]]:
    """Anonymous, customer, agent and owner of workspace alpha, and ids of real rows there."""
    roles = [Role("anonymous", _client(host(tenant_a)))]
    people = {role: make_user(tenant_a, role) for role in ("customer", "agent", "owner")}
    with tenant_context(tenant_a):
        for role, person in people.items():
            client = _client(host(tenant_a))
            client.force_login(person, backend="django.contrib.auth.backends.ModelBackend")
            headers = {}
            if person.is_desk_user:
                _token, secret = api_token_create(user=person, name="walk")
                headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
            roles.append(Role(role, client, headers))
        contact = contact_for_user(user=people["customer"])  # their ticket, their contact
        ticket = ticket_create(subject="Printer on fire", description="Help", requester=contact)
        category = Category.objects.create(name="Accounts", slug="accounts")
        article = article_save(title="Reset a password", body="Use the link.", language="en",
                               status="published", category=category)  # fmt: skip
    ids = {
        "ticket_id": ticket.pk, "number": ticket.pk, "article_id": article.pk,
        "category_id": category.pk, "contact_id": contact.pk, "user_id": people["agent"].pk,
        "slug": article.slug,
    }  # fmt: skip
    return roles, {name: str(value) for name, value in ids.items()}


@pytest.fixture
def platform_roles(tenant_a) -> tuple[list[Role], dict[str, str]]:
    """Anonymous and a platform operator on the root domain."""
    with public_context():
        operator = User.objects.create_user(
            username="ops", email="ops@kefu.example", password="x", is_staff=True,
            is_superuser=True, role="owner",
        )  # fmt: skip
        client = _client("localhost")
        client.force_login(operator, backend="django.contrib.auth.backends.ModelBackend")
    roles = [Role("anonymous", _client("localhost")), Role("operator", client)]
    return roles, {"tenant_id": str(tenant_a.pk), "object_id": str(tenant_a.pk)}


def _rotation(parameters: list[str], shift: int) -> dict[str, str]:
    """The reaching values dealt over the parameters, starting ``shift`` along: the rotations
    0, 1 and 2 together give each parameter each value once."""
    return {name: REACHING[(i + shift) % len(REACHING)] for i, name in enumerate(parameters)}


def _shifts(role_index: int, roles: list[Role]) -> range:
    """The last role (the most privileged, who reaches most) gets every rotation; the others
    one each, in turn, so that where they all reach a view they too cover every value."""
    if role_index == len(roles) - 1:
        return range(len(REACHING))
    return range(role_index % len(REACHING), role_index % len(REACHING) + 1)


def _walk_route(walk: Walk, route: Route, roles: list[Role], ids: dict[str, str]) -> None:
    known = {name: ids[name] for name in route.converters if name in ids}
    path = route.path(**known)
    everything = sorted(all_parameters())
    own = sorted(module_parameters(inspect.getmodule(inspect.unwrap(route.view))))
    one_at_a_time: set[str] = set()
    for index, role in enumerate(roles):
        for method in ("get", "post"):
            if index in (0, len(roles) - 1):  # refused before any view: whoever asks
                walk.send(role, method, path, data=dict.fromkeys(everything, NUL))
            statuses = {
                walk.send(role, method, path, data=_rotation(everything, shift))
                for shift in _shifts(index, roles)
            }
            # One bad value may have hidden the others (unless the page always says 400): one
            # at a time, once per route and method (the code reading them is the same for all).
            if method in one_at_a_time or 400 not in statuses:
                continue
            if walk.send(role, method, path) != 400:
                one_at_a_time.add(method)
                for name in own:
                    for value in REACHING:
                        walk.send(role, method, path, data={name: value})
        if route.pattern.startswith("api/"):
            for method in ("post", "patch", "put"):
                walk.send(role, method, path, data=DEEP_JSON, content_type="application/json")
        for name, converter in route.converters.items():
            for value in PATH_VALUES.get(converter, ()):
                walk.send(role, "get", route.path(**{**known, name: value}))


@pytest.mark.usefixtures("no_rate_limits")
def test_no_route_answers_bad_input_with_a_server_error(
    workspace_roles, platform_roles, pytestconfig
):
    walk, started = Walk(), time.monotonic()
    for urlconf, (roles, ids) in (
        ("kefu.urls_tenant", workspace_roles),
        ("kefu.urls_public", platform_roles),
    ):
        for route in urlconf_routes(urlconf):
            walk.routes += 1
            _walk_route(walk, route, roles, ids)
    seconds = time.monotonic() - started
    say(
        pytestconfig,
        f"bad input: {walk.requests} requests to {walk.routes} routes in {seconds:.0f} s, "
        f"{len(walk.server_errors)} server errors",
    )
    assert walk.server_errors == []
