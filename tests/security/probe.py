"""Sending one attempt and judging its answer.

Every attempt runs in a savepoint that is rolled back, so an allowed POST (deleting a category,
logging out, merging tickets) leaves the next attempt the same world, and each actor's browser
gets its cookies back afterwards. A leak is an answer that is not a refusal where the table
says refuse, or any answer containing a marker its reader may not see.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import quote, urlsplit

from django.db import connection, transaction
from django.http import HttpResponse
from django.test import Client

from kefu.tenancy import public_context, tenant_context
from tests.security.routes import ANONYMOUS, KINDS, OPERATOR, ROLES, STAFF, Route
from tests.security.world import World, visitor_cookie

ALLOW, DENY, QUIET, WRONG_METHOD = "allow", "deny", "quiet", "405"
REFUSED = frozenset({401, 403, 404})
LOGIN_PAGES = ("/accounts/login/", "/admin/login/")


@dataclass
class Tally:
    """What the whole security suite tried, for the summary line at the end of the run."""

    attempts: int = 0
    leaks: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # not leaks: errors, a wrong table
    known: list[str] = field(default_factory=list)  # leaks of a hole being fixed elsewhere
    known_hole: str = ""  # set while a test marked xfail for that hole runs


TALLY = Tally()


def host_of(label: str | None) -> str:
    return f"{label}.localhost" if label else "localhost"


class Actors:
    """One browser per role: people of alpha signed in on alpha's host, the operator on the
    root domain, the anonymous visitor nowhere. Each attempt gets a copy of those cookies."""

    def __init__(self, world: World, operator) -> None:
        self.world = world
        self.cookies: dict[str, SimpleCookie] = {}
        self._browsers: dict[str, Client] = {}
        for role in ROLES:
            browser = Client()
            if role == OPERATOR:
                with public_context():
                    browser.force_login(
                        operator, backend="django.contrib.auth.backends.ModelBackend"
                    )
            elif role != ANONYMOUS:
                with tenant_context(world.tenants["alpha"]):
                    browser.force_login(
                        world.users["alpha"][role],
                        backend="django.contrib.auth.backends.ModelBackend",
                    )
            browser.cookies["kefu_visitor"] = visitor_cookie(role)
            self.cookies[role] = browser.cookies
            connection.set_schema_to_public()

    def browser(self, role: str) -> Client:
        """The role's browser with its own cookies again. One client for all attempts: a new
        test client loads the middleware again (WhiteNoise scans the static files)."""
        browser = self._browsers.get(role)
        if browser is None:
            browser = self._browsers[role] = Client(raise_request_exception=False)
        browser.cookies = SimpleCookie()
        browser.cookies.load(self.cookies[role].output(header="", sep=";"))
        return browser


def concrete_path(pattern: str, values: dict[str, str]) -> str:
    """``desk/tickets/<int:ticket_id>/`` with ``ticket_id=7`` -> ``/desk/tickets/7/``."""
    path = re.sub(r"\(\?P<(\w+)>[^)]*\)\??", lambda m: quote(values[m[1]], safe=":-_.~"), pattern)
    path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: quote(values[m[1]], safe=":-_.~"), path)
    return "/" + path.replace("^", "").replace("$", "")


def body_text(response: HttpResponse) -> str:
    """The whole body (a file download is read to its end, which also closes the file; the
    test client has closed any other response already, without closing the database)."""
    if getattr(response, "streaming", False):
        content = b"".join(response.streaming_content)
    else:
        content = response.content
    return content.decode("utf-8", errors="replace")


def is_refusal(response: HttpResponse, route: Route) -> bool:
    """403/404/401, the login page, or what the route lists (a status, or where it sends)."""
    status = response.status_code
    if status in REFUSED or status in route.refusal:
        return True
    location = urlsplit(response.get("Location", "")).path
    refusing_pages = LOGIN_PAGES + tuple(page for page in route.refusal if isinstance(page, str))
    return status in (301, 302, 303) and location in refusing_pages


@dataclass(frozen=True)
class Attempt:
    """One request: who sends it, where, with which parameters, and what must come back."""

    role: str
    method: str
    path: str
    route: Route
    expect: str
    case: str
    host_label: str | None  # the workspace whose host answers (None: the root domain)
    seen_by: str  # who the answer is for on that host (a foreign session is nobody)
    params: dict[str, object] = field(default_factory=dict)
    token: str = ""  # an API token sent as Bearer
    granted: frozenset[str] = frozenset()  # audiences a link held in this attempt grants

    def describe(self) -> str:
        return (
            f"{self.role} {self.method} {host_of(self.host_label)}{self.path} "
            f"[{self.case}] {self.params or ''}"
        ).strip()


def send(actors: Actors, attempt: Attempt) -> tuple[HttpResponse, str]:
    """The request, inside a savepoint that is rolled back afterwards."""
    browser = actors.browser(attempt.role)
    headers = {"HTTP_HOST": host_of(attempt.host_label)}
    if attempt.token:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {attempt.token}"
    with transaction.atomic():
        try:
            if attempt.method == "GET":
                response = browser.get(attempt.path, data=attempt.params, **headers)
            elif attempt.route.api:
                response = browser.generic(
                    attempt.method,
                    attempt.path,
                    data=json.dumps(attempt.params),
                    content_type="application/json",
                    **headers,
                )
            elif attempt.method == "POST":
                response = browser.post(attempt.path, data=attempt.params, **headers)
            else:
                response = browser.generic(attempt.method, attempt.path, **headers)
            body = body_text(response)
        finally:
            transaction.set_rollback(True)
    connection.set_schema_to_public()
    return response, body


def judge(world: World, attempt: Attempt, response: HttpResponse, body: str) -> None:
    TALLY.attempts += 1
    status = response.status_code
    refused = is_refusal(response, attempt.route)
    body = body.replace(
        attempt.path, ""
    )  # a page naming the address it was asked for leaks nothing
    markers = world.forbidden_markers(body, host_label=attempt.host_label, seen_by=attempt.seen_by)
    markers = [
        marker
        for marker in markers
        if world.markers[marker][1] not in attempt.granted
        or world.markers[marker][0] != attempt.host_label
    ]
    where = f"{attempt.describe()} -> {status}"
    leaks = TALLY.known if TALLY.known_hole else TALLY.leaks
    problems = TALLY.known if TALLY.known_hole else TALLY.problems
    if status >= 500 and status not in attempt.route.refusal:
        problems.append(f"server error: {where}")
    if attempt.expect == DENY and not (refused or status == 405):
        leaks.append(f"not refused: {where}")
    elif markers:
        leaks.append(f"leaked {markers}: {where}")
    elif attempt.expect == ALLOW and refused and not attempt.route.may_refuse:
        TALLY.problems.append(f"refused although the table allows it: {where}")
    elif attempt.expect == ALLOW and status == 405:
        TALLY.problems.append(f"405 for a method the table lists: {where}")
    elif attempt.expect == WRONG_METHOD and status != 405:
        TALLY.problems.append(f"answers a method the table does not list: {where}")


def run(world: World, actors: Actors, attempts: list[Attempt]) -> None:
    for attempt in attempts:
        response, body = send(actors, attempt)
        judge(world, attempt, response, body)


# --- attacks of more than one request ---------------------------------------------------------


@contextmanager
def scenario(actors: Actors, role: str) -> Iterator[Client]:
    """A browser of ``role`` whose requests build on each other (it keeps its cookies), in one
    savepoint rolled back at the end."""
    browser = actors.browser(role)
    with transaction.atomic():
        try:
            yield browser
        finally:
            transaction.set_rollback(True)
    connection.set_schema_to_public()


def check(
    world: World,
    description: str,
    response: HttpResponse,
    *,
    expect: str,
    host_label: str | None = "alpha",
    seen_by: str = ANONYMOUS,
    granted: frozenset[str] = frozenset(),
    refusal: tuple[int | str, ...] = (),
) -> str:
    """Judge one answer of a scenario like any other attempt; returns its body."""
    body = body_text(response)
    route = Route(description, frozenset(ROLES), refusal=refusal)
    attempt = Attempt(
        role=seen_by,
        method=response.request["REQUEST_METHOD"],
        path=response.request["PATH_INFO"],
        route=route,
        expect=expect,
        case=description,
        host_label=host_label,
        seen_by=seen_by,
        granted=granted,
    )
    judge(world, attempt, response, body)
    return body


def record(description: str, *, leaked: bool) -> None:
    """An attempt judged by what it changed rather than by its answer."""
    TALLY.attempts += 1
    if leaked:
        (TALLY.known if TALLY.known_hole else TALLY.leaks).append(description)


def new_findings(before: tuple[int, int, int]) -> list[str]:
    return [*TALLY.leaks[before[1] :], *TALLY.problems[before[2] :]]


def mark() -> tuple[int, int, int]:
    return TALLY.attempts, len(TALLY.leaks), len(TALLY.problems)


# --- what to try for one route --------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    name: str
    variants: dict[str, str]  # parameter -> variant of its object
    denied: frozenset[str] = frozenset()  # roles a custom case is refused to


def route_cases(route: Route, world: World) -> list[Case]:
    params = route.object_params()
    if not params:
        return [Case("no ids", {})]
    kinds = {param: kind_field.split(".")[0] for param, kind_field in params.items()}
    cases = [
        Case("own", dict.fromkeys(params, "own")),
        Case("beta's id", dict.fromkeys(params, "beta")),
    ]
    if any(world.has_other(kind) for kind in kinds.values()):
        cases.append(
            Case(
                "other",
                {param: "other" if world.has_other(kinds[param]) else "own" for param in params},
            )
        )
    for name, (overrides, denied) in route.cases.items():
        variants = dict.fromkeys(params, "own")
        variants.update({param: ref.partition("@")[2] or "own" for param, ref in overrides.items()})
        cases.append(Case(name, variants, frozenset(denied)))
    return cases


def sent_params(route: Route, method: str) -> dict[str, str]:
    """The object parameters a request with ``method`` carries: the path's, and the query's
    (GET) or the form's or JSON body's (any other method)."""
    return {**route.ids, **(route.query if method == "GET" else route.form)}


def _strict(route: Route, param: str) -> bool:
    return param in route.ids or route.strict_form


def _hidden_from(route: Route, param: str) -> frozenset[str]:
    kind = route.object_params()[param].split(".")[0]
    return route.hidden.get(kind, KINDS[kind].hidden_from)


def expectation(route: Route, role: str, case: Case, method: str) -> str:
    """ALLOW, DENY (a refusal), or QUIET (a GET/POST parameter names what the role may not
    reach: any answer, as long as it leaks nothing)."""
    if role not in route.who:
        return DENY
    if route.quiet:
        return QUIET
    sent = sent_params(route, method)
    if case.name in route.cases:
        refused = [param for param in route.cases[case.name][0] if role in case.denied]
    else:
        refused = [
            param
            for param, variant in case.variants.items()
            if variant == "beta" or (variant == "other" and role in _hidden_from(route, param))
        ]
    refused = [param for param in refused if param in sent]
    if any(_strict(route, param) for param in refused):
        return DENY
    return QUIET if refused else ALLOW


def granted(route: Route, case: Case) -> frozenset[str]:
    """A signed link is its holder's credential: the link mailed to X shows X's ticket."""
    variants = (
        {
            case.variants[param]
            for param, ref in route.object_params().items()
            if ref.startswith(f"{route.grants}.")
        }
        if route.grants
        else set()
    )
    if case.name in route.cases:
        return frozenset()
    return frozenset(
        {"own": "x", "other": "y"}[variant] for variant in variants if variant in ("own", "other")
    )


def case_values(
    route: Route, world: World, case: Case, role: str, method: str, label: str = "alpha"
) -> tuple[dict[str, str], dict[str, object]]:
    """(path values, GET or POST parameters) of a case, as ``role`` would send them."""
    refs = dict(route.object_params())
    for param, ref in route.cases.get(case.name, ({}, None))[0].items():
        refs[param] = ref.partition("@")[0]
    values = {param: world.value(refs[param], case.variants[param], role, label) for param in refs}
    path_values = {**route.values, **{param: values[param] for param in route.ids}}
    # An API reads a body only on writes; on a GET its fields would be unknown query
    # parameters, refused (400) before the object is looked up.
    params: dict[str, object] = {} if route.api and method == "GET" else dict(route.data)
    params.update(
        {param: values[param] for param in sent_params(route, method) if param not in route.ids}
    )
    return path_values, params


def seen_by(role: str, host_label: str | None, signed_in_on: str | None) -> str:
    """Who a request is from, as that host sees it: a session from elsewhere is nobody."""
    if host_label is None:
        return OPERATOR if role == OPERATOR else ANONYMOUS
    if role == OPERATOR or host_label != signed_in_on:
        return ANONYMOUS
    return role


def api_token(world: World, route: Route, role: str, label: str = "alpha") -> str:
    return world.tokens[label][role] if route.api and role in STAFF else ""
