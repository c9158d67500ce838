"""Test database: real PostgreSQL (embedded, or DATABASE_URL), created once per session.

pytest-django creates the test database and runs ``migrate`` (django-tenants' migrate_schemas,
which also builds the template schema and warm pool). Two workspaces, ``alpha`` and ``beta``,
are then provisioned once for the whole session, so every test can check isolation. Each test
runs inside a transaction that is rolled back, including any schema it creates or renames.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.conf import settings
from django.db import connection
from django.utils import translation

from kefu.tenancy import tenant_context
from tenants.models import Tenant

# ``kefu.settings.test`` is imported after ``kefu.settings`` has already built the development
# settings, so the test-only fast hasher in ``base`` never applies in this process (the live
# server and workers the tests start do run with KEFU_ENV=test). A million PBKDF2 rounds cost
# about 0.4 s per sign-in or new user here; the tests check who may sign in, not the hash.
settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from tenants.services import platform_bootstrap, pool_refill, tenant_provision

    with django_db_blocker.unblock():
        platform_bootstrap(root_domain="localhost")
        for slug, name in (("alpha", "Alpha Ltd"), ("beta", "贝塔科技")):
            if not Tenant.objects.filter(slug=slug).exists():
                tenant_provision(slug=slug, name=name)
        pool_refill()  # what the refill job does after each signup


@pytest.fixture
def tenant_a(db) -> Tenant:
    return Tenant.objects.get(slug="alpha")


@pytest.fixture
def tenant_b(db) -> Tenant:
    return Tenant.objects.get(slug="beta")


@pytest.fixture
def in_tenant_a(tenant_a: Tenant) -> Iterator[Tenant]:
    with tenant_context(tenant_a):
        yield tenant_a


@pytest.fixture(autouse=True)
def _public_schema_between_tests() -> Iterator[None]:
    connection.set_schema_to_public()
    yield
    connection.set_schema_to_public()


@pytest.fixture(autouse=True)
def _default_language_between_tests() -> Iterator[None]:
    """A request leaves its language active in the thread; the next test starts from the
    default again (a message checked outside a request would otherwise read in Chinese)."""
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> None:
    """Rate-limit counters live in the cache (Redis database 1, apart from the job queues)."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _media_in_a_temporary_folder(settings, tmp_path_factory) -> None:
    """Uploaded files go to a folder of this test session, not the checkout's data folder."""
    settings.MEDIA_ROOT = tmp_path_factory.getbasetemp() / "media"


PASSWORD = "correct horse battery staple 42"


@pytest.fixture
def make_user(db):
    """``make_user(tenant, role)``: a person inside that tenant's schema (password PASSWORD)."""
    from kefu.accounts.services import user_create

    counter = iter(range(1, 10_000))

    def make(tenant: Tenant, role: str, email: str | None = None, **extra):
        with tenant_context(tenant):
            return user_create(
                email=email or f"{role}{next(counter)}@{tenant.slug}.example",
                password=PASSWORD,
                role=role,
                **extra,
            )

    return make


@pytest.fixture
def login_as(client):
    """Sign ``user`` in on ``tenant``'s host (the session lives in that tenant's schema)."""

    def login(tenant: Tenant, user) -> None:
        with tenant_context(tenant):
            client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")

    return login


def host(tenant: Tenant) -> str:
    return f"{tenant.slug}.localhost"


@pytest.fixture
def make_article(db):
    """``make_article(tenant, title, body, ...)``: saved, rendered and indexed in that tenant."""
    from kefu.kb.services import article_save

    def make(tenant: Tenant, title: str, body: str = "", **options):
        options.setdefault("language", "en")
        options.setdefault("status", "published")
        with tenant_context(tenant):
            return article_save(title=title, body=body or title, index_now=True, **options)

    return make
