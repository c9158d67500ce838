"""Concurrent signups: distinct slugs get distinct pool schemas; one slug gets one tenant."""

from __future__ import annotations

import pytest

from tenants.models import Tenant
from tenants.services import SlugUnavailableError, tenant_delete, tenant_provision
from tests.helpers import run_together


@pytest.fixture
def cleanup(django_db_blocker):
    slugs: list[str] = []
    with django_db_blocker.unblock():
        yield slugs
        for tenant in Tenant.objects.filter(slug__in=slugs):
            tenant_delete(tenant=tenant)


def test_concurrent_signups_claim_different_pool_schemas(cleanup):
    cleanup.extend(["race-one", "race-two"])
    results = run_together(
        [lambda: tenant_provision(slug="race-one", name="1"),
         lambda: tenant_provision(slug="race-two", name="2")]
    )  # fmt: skip
    assert all(isinstance(result, Tenant) for result in results), results
    assert {t.schema_name for t in results} == {"t_race_one", "t_race_two"}


def test_concurrent_signups_for_one_subdomain_give_exactly_one_tenant(cleanup):
    cleanup.append("same-name")
    results = run_together([lambda: tenant_provision(slug="same-name", name="X")] * 3)
    tenants = [r for r in results if isinstance(r, Tenant)]
    refused = [r for r in results if isinstance(r, SlugUnavailableError)]
    assert len(tenants) == 1, results
    assert len(refused) == 2, results
    assert all("already taken" in str(error) for error in refused)
    assert Tenant.objects.filter(slug="same-name").count() == 1
