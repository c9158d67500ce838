"""Two people (or one double click on two connections) signing up for one subdomain at once."""

from __future__ import annotations

from django.db import connection

from kefu.accounts.models import User
from kefu.tenancy import tenant_context
from tenants.models import LoginHandoff, Tenant
from tenants.services import SlugUnavailableError
from tenants.signup import SignupResult, workspace_signup
from tests.conftest import PASSWORD
from tests.helpers import run_together
from tests.tenants.test_provisioning_concurrency import cleanup  # noqa: F401


def _signup(email: str):
    return lambda: workspace_signup(
        company_name="Race Co", slug="race-co", full_name="R", email=email, password=PASSWORD
    )


def test_concurrent_double_signup_for_one_subdomain_yields_exactly_one_tenant(cleanup):  # noqa: F811
    cleanup.append("race-co")
    results = run_together([_signup("a@race.example"), _signup("b@race.example")])
    winners = [r for r in results if isinstance(r, SignupResult)]
    losers = [r for r in results if isinstance(r, SlugUnavailableError)]
    assert len(winners) == 1, results
    assert len(losers) == 1, results
    tenant = Tenant.objects.get(slug="race-co")
    with tenant_context(tenant):
        assert list(User.objects.values_list("pk", flat=True)) == [winners[0].owner_id]
    assert LoginHandoff.objects.filter(tenant=tenant).count() == 1
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_namespace WHERE nspname LIKE 't_race_co%%'")
        assert cursor.fetchone()[0] == 1
