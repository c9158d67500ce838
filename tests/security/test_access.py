"""Every route, as every role of workspace alpha, with alpha's ids, beta's ids and another
customer's ids: refused where the table in ``routes.py`` says so, answered where it allows,
and never a marker of what the reader may not see. A route missing from the table fails."""

from __future__ import annotations

import pytest

from tests.security.probe import (
    DENY,
    QUIET,
    TALLY,
    WRONG_METHOD,
    Attempt,
    api_token,
    case_values,
    concrete_path,
    expectation,
    granted,
    mark,
    new_findings,
    route_cases,
    run,
    seen_by,
)
from tests.security.routes import (
    ANONYMOUS,
    PUBLIC_ROUTES,
    PUBLIC_URLCONF,
    ROLES,
    STAFF,
    TENANT_ROUTES,
    TENANT_URLCONF,
    Route,
    covered_routes,
    table_problems,
)

pytestmark = pytest.mark.django_db

PROBE_METHODS = ("GET", "POST")
API_PROBE_METHODS = ("DELETE", "PUT", "PATCH", "POST", "GET")


def _probe_method(route: Route) -> str | None:
    """A method the route does not answer, sent to check that it really does not."""
    candidates = API_PROBE_METHODS if route.api else PROBE_METHODS
    return next((method for method in candidates if method not in route.methods), None)


def _methods(route: Route, role: str, case_name: str) -> list[tuple[str, str | None]]:
    """(method, expectation if it is a probe of a method the route must refuse). The probe
    checks the route, not the role: it is sent once, by the first role the route lets in."""
    methods: list[tuple[str, str | None]] = [(method, None) for method in route.methods]
    probe = _probe_method(route)
    prober = next((candidate for candidate in ROLES if candidate in route.who), ANONYMOUS)
    if probe and case_name in ("own", "no ids") and role == prober:
        methods.append((probe, WRONG_METHOD if role in route.who else DENY))
    return [
        (method, probe_expect)
        for method, probe_expect in methods
        if not (method in route.unsafe and role in route.who)
    ]


def _attempts_for(world, role: str) -> list[Attempt]:
    attempts = []
    for urlconf, table, label in (
        (TENANT_URLCONF, TENANT_ROUTES, "alpha"),
        (PUBLIC_URLCONF, PUBLIC_ROUTES, None),
    ):
        for pattern, route in covered_routes(urlconf, table):
            for case in route_cases(route, world):
                for method, probe_expect in _methods(route, role, case.name):
                    path_values, params = case_values(route, world, case, role, method)
                    attempts.append(
                        Attempt(
                            role=role,
                            method=method,
                            path=concrete_path(pattern, path_values),
                            route=route,
                            case=case.name,
                            host_label=label,
                            params=params,
                            expect=probe_expect or expectation(route, role, case, method),
                            seen_by=seen_by(role, label, "alpha"),
                            granted=granted(route, case),
                            token=api_token(world, route, role),
                        )
                    )
    return attempts


def _check(before: tuple[int, int, int]) -> None:
    findings = new_findings(before)
    assert not findings, f"{len(findings)} leaks or problems:\n" + "\n".join(findings[:60])


def test_every_route_is_in_the_table():
    problems = table_problems(TENANT_URLCONF, TENANT_ROUTES) + table_problems(
        PUBLIC_URLCONF, PUBLIC_ROUTES
    )
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("role", ROLES)
def test_each_role_reaches_only_what_the_table_allows(attack, role):
    before = mark()
    run(attack.world, attack.actors, _attempts_for(attack.world, role))
    _check(before)


@pytest.mark.parametrize("role", ROLES)
def test_a_session_of_alpha_is_nobody_on_beta(attack, role):
    """Alpha's cookies (and API tokens) sent to beta's host, naming beta's objects by the ids
    that alpha's twins share: treated as a stranger there."""
    world, attempts = attack.world, []
    for pattern, route in covered_routes(TENANT_URLCONF, TENANT_ROUTES):
        case = route_cases(route, world)[0]
        expect = QUIET if ANONYMOUS in route.who else DENY
        for method in route.methods:
            if method in route.unsafe:
                continue
            path_values, params = case_values(route, world, case, ANONYMOUS, method, label="beta")
            attempts.append(
                Attempt(
                    role=role,
                    method=method,
                    route=route,
                    expect=expect,
                    path=concrete_path(pattern, path_values),
                    case=case.name,
                    host_label="beta",
                    seen_by=ANONYMOUS,
                    params=params,
                    token=api_token(world, route, role),
                    granted=granted(route, case),
                )
            )
    before = mark()
    run(world, attack.actors, attempts)
    _check(before)


@pytest.mark.parametrize("role", sorted(STAFF))
def test_beta_api_tokens_open_nothing_in_alpha(attack, role):
    world, attempts = attack.world, []
    for pattern, route in covered_routes(TENANT_URLCONF, TENANT_ROUTES):
        if not route.api:
            continue
        for case in route_cases(route, world)[:2]:  # alpha's ids (beta's twins) and beta's own
            for method in route.methods:
                path_values, params = case_values(route, world, case, role, method)
                attempts.append(
                    Attempt(
                        role=ANONYMOUS,
                        method=method,
                        route=route,
                        expect=DENY,
                        path=concrete_path(pattern, path_values),
                        case=case.name,
                        host_label="alpha",
                        seen_by=ANONYMOUS,
                        params=params,
                        token=world.tokens["beta"][role],
                    )
                )
    before = mark()
    run(world, attack.actors, attempts)
    assert TALLY.attempts > before[0]
    _check(before)


def test_there_are_no_websocket_routes_for_the_table_to_miss():
    """The ASGI application serves HTTP through Django only. Once chat adds WebSocket routes
    (Django Channels' URLRouter), they need their own entries and attacks here."""
    from django.core.handlers.asgi import ASGIHandler

    from kefu.asgi import application

    assert isinstance(application, ASGIHandler)
