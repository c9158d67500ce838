"""The attack suite's world (built once per module) and its summary line at the end of a run."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import connection, transaction
from django.test import override_settings

from kefu.accounts.models import User
from kefu.tenancy import public_context
from tenants.models import Tenant
from tests.security.probe import TALLY, Actors
from tests.security.world import World, build_world

#: The suite sends thousands of requests from one address; the limits are tested elsewhere.
NO_RATE_LIMITS = {
    "KEFU_SEARCH_LIMIT_PER_IP": "1000000/60",
    "KEFU_TICKET_SUBMIT_LIMIT_PER_IP": "1000000/60",
    "KEFU_SIGNUP_LIMIT_PER_IP": "1000000/60",
    "KEFU_SIGNUP_LIMIT_PER_EMAIL": "1000000/60",
    "KEFU_SUBDOMAIN_CHECK_LIMIT_PER_IP": "1000000/60",
    "ACCOUNT_RATE_LIMITS": False,
}
#: Webhooks check signatures only once they have a secret; with one, a forged call is a 400.
WEBHOOK_SECRETS = {
    "STRIPE_WEBHOOK_SECRET": "whsec_security_suite",
    "ANYMAIL_MAILGUN_WEBHOOK_SIGNING_KEY": "security-suite-signing-key",
}
#: Words alone must always work; the embedding model would only slow thousands of requests.
SUITE_SETTINGS = {
    **NO_RATE_LIMITS,
    **WEBHOOK_SECRETS,
    "KEFU_SEMANTIC_SEARCH": False,
    "PASSWORD_HASHERS": ["django.contrib.auth.hashers.MD5PasswordHasher"],
}


class Attack:
    """The world and the actors' browsers, shared by the tests of a module."""

    def __init__(self, world: World, actors: Actors) -> None:
        self.world, self.actors = world, actors


@pytest.fixture(scope="module")
def attack_world(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[Attack]:
    """Both workspaces filled once per module, inside a transaction rolled back at its end
    (each test still runs in its own savepoint). Per module, not per package: the fault
    tests beside this suite commit rows and restart PostgreSQL."""
    media = tmp_path_factory.getbasetemp() / "media"  # where tests/conftest.py puts uploads
    with django_db_blocker.unblock(), transaction.atomic():
        with override_settings(MEDIA_ROOT=media, **SUITE_SETTINGS):
            world = build_world(Tenant.objects.get(slug="alpha"), Tenant.objects.get(slug="beta"))
            _add_workspaces(world)
            with public_context():
                operator = User.objects.create_user(
                    username="attack-suite-operator",
                    email="attack-suite-operator@kefu.example",
                    password="x",
                    is_staff=True,
                    is_superuser=True,
                )
            connection.set_schema_to_public()
            actors = Actors(world, operator)
        yield Attack(world, actors)
        transaction.set_rollback(True)
    connection.set_schema_to_public()


def _add_workspaces(world: World) -> None:
    """The operator console's objects: workspaces (operators may act on every one)."""
    alpha, beta = world.tenants["alpha"], world.tenants["beta"]
    world.objects["alpha"]["workspace"] = {"own": {"id": alpha.pk}, "other": {"id": beta.pk}}
    world.objects["beta"]["workspace"] = {"own": {"id": beta.pk}}
    world.objects["beta-only"]["workspace"] = {"own": {"id": 987_654_321}}


@pytest.fixture
def attack(attack_world: Attack, settings) -> Attack:
    """The suite's world, with its settings for the test that attacks it."""
    for name, value in SUITE_SETTINGS.items():
        setattr(settings, name, value)
    return attack_world


def pytest_terminal_summary(terminalreporter) -> None:
    if TALLY.attempts:
        known = f", {len(TALLY.known)} known and reported (xfail)" if TALLY.known else ""
        terminalreporter.write_line(
            f"security suite: {TALLY.attempts} attempts, {len(TALLY.leaks)} leaks{known}, "
            f"{len(TALLY.problems)} other problems"
        )
