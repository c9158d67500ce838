"""Test database: real PostgreSQL (embedded, or DATABASE_URL), created once per session.

pytest-django creates the test database and runs ``migrate`` (django-tenants' migrate_schemas,
which also builds the template schema and warm pool). Two workspaces, ``alpha`` and ``beta``,
are then provisioned once for the whole session, so every test can check isolation. Each test
runs inside a transaction that is rolled back, including any schema it creates or renames.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.db import connection

from kefu.tenancy import tenant_context
from tenants.models import Tenant


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
