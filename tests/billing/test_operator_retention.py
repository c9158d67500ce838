"""The operator console shows each workspace's billing state, and a canceled workspace cannot
be deleted before its retention date (others are deleted as before)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from billing.accounts import billing_account_get
from kefu.accounts.models import User
from kefu.tenancy import public_context
from tenants.models import AuditEntry, Tenant
from tenants.services import tenant_provision

pytestmark = pytest.mark.django_db
ROOT = {"HTTP_HOST": "localhost"}


@pytest.fixture
def operator_client(client):
    with public_context():
        operator = User.objects.create_user(
            username="ops", email="ops@kefu.example", password="x", is_staff=True, role="owner"
        )
        client.force_login(operator, backend="django.contrib.auth.backends.ModelBackend")
    return client


def _canceled(tenant, *, kept_for: timedelta) -> None:
    account = billing_account_get(tenant=tenant)
    with public_context():
        account.status = "canceled"
        account.canceled_at = timezone.now() - timedelta(days=1)
        account.retain_until = timezone.now() + kept_for
        account.read_only_since = account.canceled_at
        account.save()


def test_the_workspace_list_and_delete_page_show_the_billing_state(operator_client, tenant_a):
    _canceled(tenant_a, kept_for=timedelta(days=30))

    listing = operator_client.get("/operator/", **ROOT).content.decode()
    page = operator_client.get(f"/operator/tenants/{tenant_a.pk}/delete/", **ROOT)

    row = listing.split('data-slug="alpha"')[1].split("</tr>")[0]
    assert "Canceled" in row
    assert "data kept until" in row
    assert 'id="billing-state"' in page.content.decode()


def test_a_canceled_workspace_is_kept_until_its_retention_date(operator_client):
    doomed = tenant_provision(slug="kept", name="Kept Inc")
    _canceled(doomed, kept_for=timedelta(days=30))

    refused = operator_client.post(
        f"/operator/tenants/{doomed.pk}/delete/", {"confirm_slug": "kept"}, **ROOT, follow=True
    )

    assert "its data is kept until" in refused.content.decode()
    assert Tenant.objects.filter(slug="kept").exists()
    assert not AuditEntry.objects.filter(action="delete").exists()


def test_after_the_retention_date_it_can_be_deleted(operator_client):
    doomed = tenant_provision(slug="expired", name="Expired Inc")
    _canceled(doomed, kept_for=-timedelta(minutes=1))

    operator_client.post(
        f"/operator/tenants/{doomed.pk}/delete/", {"confirm_slug": "expired"}, **ROOT
    )

    assert not Tenant.objects.filter(slug="expired").exists()


def test_a_workspace_in_good_standing_is_deleted_as_before(operator_client):
    doomed = tenant_provision(slug="paying", name="Paying Inc")
    billing_account_get(tenant=doomed)

    operator_client.post(
        f"/operator/tenants/{doomed.pk}/delete/", {"confirm_slug": "paying"}, **ROOT
    )

    assert not Tenant.objects.filter(slug="paying").exists()


def test_workspace_staff_cannot_open_the_operator_console(client, tenant_a, make_user, login_as):
    login_as(tenant_a, make_user(tenant_a, User.Role.OWNER))

    response = client.get(f"/operator/tenants/{tenant_a.pk}/delete/", **ROOT)

    assert response.status_code == 302
    assert "login" in response["Location"]
