"""The operator console: list, suspend, resume, export, delete; all audited."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.db import connection

from kefu.accounts.models import User
from kefu.kb.models import Article
from kefu.tenancy import public_context, tenant_context
from kefu.tickets.models import Ticket
from tenants.models import AuditEntry, Tenant
from tenants.services import tenant_provision
from tests.conftest import host

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(db):
    with public_context():
        return User.objects.create_user(
            username="ops", email="ops@kefu.example", password="x", is_staff=True, role="owner"
        )


@pytest.fixture
def operator_client(client, operator):
    with public_context():
        client.force_login(operator, backend="django.contrib.auth.backends.ModelBackend")
    return client


def test_console_needs_a_platform_staff_account(client, tenant_a, make_user, login_as):
    assert client.get("/operator/", HTTP_HOST="localhost")["Location"].startswith("/admin/login/")
    with public_context():
        User.objects.create_user(username="plain", email="plain@x.example", password="pw")
    client.login(username="plain", password="pw")
    assert client.get("/operator/", HTTP_HOST="localhost").status_code == 302
    # A workspace owner is nobody on the root domain, and tenant hosts have no console at all.
    login_as(tenant_a, make_user(tenant_a, User.Role.OWNER))
    assert client.get("/operator/", HTTP_HOST=host(tenant_a)).status_code == 404


def test_console_lists_workspaces_with_plan_status_agents_and_tickets(
    operator_client, tenant_a, make_user
):
    from billing.models import Plan

    tenant_a.plan = Plan.objects.create(name="Team", code="team")
    tenant_a.save()
    make_user(tenant_a, User.Role.OWNER)
    make_user(tenant_a, User.Role.AGENT)
    make_user(tenant_a, User.Role.CUSTOMER)
    with tenant_context(tenant_a):
        Ticket.objects.create(subject="Help")
    page = operator_client.get("/operator/", HTTP_HOST="localhost").content.decode()
    row = page[page.index('data-slug="alpha"') :].split("</tr>")[0]
    cells = [cell.split(">", 1)[1].split("<")[0].strip() for cell in row.split("<td")[1:]]
    assert "Team" in cells[1]
    assert "Active" in row
    assert cells[3:5] == ["2", "1"], "2 staff, 1 ticket this month"
    assert "beta" in page


def test_suspend_shows_a_suspended_page_keeps_data_and_resume_restores(
    operator_client, operator, tenant_a
):
    with tenant_context(tenant_a):
        Article.objects.create(
            title="Kept", slug="kept", body="x", language="en", status="published"
        )
    response = operator_client.post(
        f"/operator/tenants/{tenant_a.pk}/suspend/", {"reason": "Spam"}, HTTP_HOST="localhost"
    )
    assert response.status_code == 302
    suspended = operator_client.get("/", HTTP_HOST=host(tenant_a))
    assert suspended.status_code == 503
    assert "This help center is unavailable" in suspended.content.decode()
    assert operator_client.get("/desk/", HTTP_HOST=host(tenant_a)).status_code == 503
    with tenant_context(tenant_a):
        assert Article.objects.filter(title="Kept").exists()

    # The test client sends one cookie jar to every host (browsers keep cookies host-only):
    # the workspace host dropped the root domain's unknown session cookie, so sign in again.
    with public_context():
        operator_client.force_login(operator, backend="django.contrib.auth.backends.ModelBackend")
    operator_client.post(f"/operator/tenants/{tenant_a.pk}/resume/", HTTP_HOST="localhost")
    assert "Kept" in operator_client.get("/", HTTP_HOST=host(tenant_a)).content.decode()
    actions = list(
        AuditEntry.objects.order_by("id").values_list("action", "tenant_slug", "actor_email")
    )
    assert actions == [
        ("suspend", "alpha", "ops@kefu.example"),
        ("resume", "alpha", "ops@kefu.example"),
    ]


def test_an_action_over_a_unix_socket_is_audited_without_an_address(operator_client, tenant_a):
    """Behind a proxy on a unix socket there is no client address; the action still works."""
    response = operator_client.post(
        f"/operator/tenants/{tenant_a.pk}/suspend/",
        {"reason": "Spam"},
        HTTP_HOST="localhost",
        REMOTE_ADDR="",
    )
    assert response.status_code == 302
    entry = AuditEntry.objects.get(action="suspend", tenant_slug="alpha")
    assert entry.ip_address is None


def test_export_downloads_the_workspace_data_without_secrets(operator_client, tenant_a, make_user):
    owner = make_user(tenant_a, User.Role.OWNER, email="owner@alpha.example")
    with tenant_context(tenant_a):
        Ticket.objects.create(subject="订单没有到", assignee=owner)
    response = operator_client.post(
        f"/operator/tenants/{tenant_a.pk}/export/", HTTP_HOST="localhost"
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert "kefu-alpha-" in response["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["tenant"]["slug"] == "alpha"
    users = json.loads(archive.read("data/accounts.user.json"))
    assert [u["fields"]["email"] for u in users] == ["owner@alpha.example"]
    assert "password" not in users[0]["fields"]
    tickets = json.loads(archive.read("data/tickets.ticket.json"))
    assert tickets[0]["fields"]["subject"] == "订单没有到"
    assert "data/sessions.session.json" not in archive.namelist()
    assert "data/mfa.authenticator.json" not in archive.namelist()
    assert "data/auth.permission.json" not in archive.namelist(), "Django's bookkeeping"
    assert "data/contenttypes.contenttype.json" not in archive.namelist()
    entry = AuditEntry.objects.get(action="export")
    assert entry.details["counts"]["tickets.ticket"] == 1


def test_delete_needs_the_subdomain_typed_then_drops_the_schema(operator_client):
    doomed = tenant_provision(slug="doomed", name="Doomed Inc")
    page = operator_client.get(f"/operator/tenants/{doomed.pk}/delete/", HTTP_HOST="localhost")
    assert "Delete Doomed Inc?" in page.content.decode()

    wrong = operator_client.post(
        f"/operator/tenants/{doomed.pk}/delete/", {"confirm_slug": "alpha"}, HTTP_HOST="localhost"
    )
    assert wrong.status_code == 200
    assert "not this workspace" in wrong.content.decode()
    assert Tenant.objects.filter(slug="doomed").exists()

    operator_client.post(
        f"/operator/tenants/{doomed.pk}/delete/", {"confirm_slug": "doomed"}, HTTP_HOST="localhost"
    )
    assert not Tenant.objects.filter(slug="doomed").exists()
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_namespace WHERE nspname = 't_doomed'")
        assert cursor.fetchone() is None
    entry = AuditEntry.objects.get(action="delete")
    assert (entry.tenant, entry.tenant_slug, entry.tenant_name) == (None, "doomed", "Doomed Inc")
    assert operator_client.get("/", HTTP_HOST="doomed.localhost").status_code == 404


def test_actions_need_post_and_csrf(operator, tenant_a):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    with public_context():
        strict.force_login(operator, backend="django.contrib.auth.backends.ModelBackend")
    assert (
        strict.get(f"/operator/tenants/{tenant_a.pk}/resume/", HTTP_HOST="localhost").status_code
        == 405
    )
    assert (
        strict.post(
            f"/operator/tenants/{tenant_a.pk}/suspend/", {"reason": "x"}, HTTP_HOST="localhost"
        ).status_code
        == 403
    )
    tenant_a.refresh_from_db()
    assert tenant_a.status == "active"


def test_audit_log_page_lists_entries_with_the_reason(operator_client, tenant_a):
    operator_client.post(
        f"/operator/tenants/{tenant_a.pk}/suspend/",
        {"reason": "Phishing pages in the help center"},
        HTTP_HOST="localhost",
    )
    page = operator_client.get("/operator/audit/", HTTP_HOST="localhost").content.decode()
    assert "ops@kefu.example" in page
    assert "Suspended" in page
    assert "Phishing pages in the help center" in page


def test_suspend_asks_for_confirmation_and_a_reason(operator_client, tenant_a):
    page = operator_client.get(f"/operator/tenants/{tenant_a.pk}/suspend/", HTTP_HOST="localhost")
    assert page.status_code == 200
    assert "Suspend Alpha" in page.content.decode()
    tenant_a.refresh_from_db()
    assert tenant_a.status == "active", "opening the page suspends nothing"

    refused = operator_client.post(
        f"/operator/tenants/{tenant_a.pk}/suspend/", {"reason": "  "}, HTTP_HOST="localhost"
    )
    assert refused.status_code == 400
    assert "Say why the workspace is suspended." in refused.content.decode()
    tenant_a.refresh_from_db()
    assert tenant_a.status == "active"
    assert not AuditEntry.objects.filter(action="suspend").exists()


@pytest.fixture
def superuser_client(operator):
    """The operator, as a superuser, signed in to the Django admin."""
    from django.test import Client

    browser = Client()
    with public_context():
        operator.is_superuser = True
        operator.save()
        browser.force_login(operator, backend="django.contrib.auth.backends.ModelBackend")
    return browser


@pytest.mark.parametrize(
    "path", ["/admin/tenants/tenant/", "/admin/tenants/domain/", "/admin/billing/plan/",
             "/admin/tenants/auditentry/"],
)  # fmt: skip
def test_operators_manage_tenants_domains_and_plans_in_the_admin(superuser_client, path):
    from django.test import Client

    response = superuser_client.get(path, HTTP_HOST="localhost")
    assert response.status_code == 200
    assert Client().get(path, HTTP_HOST="localhost").status_code == 302  # nobody else


def test_the_admin_cannot_delete_a_workspace_so_the_console_rules_always_apply(
    superuser_client, tenant_a
):
    from tenants.models import Tenant

    change = superuser_client.get(
        f"/admin/tenants/tenant/{tenant_a.pk}/change/", HTTP_HOST="localhost"
    )
    assert change.status_code == 200
    assert f"/admin/tenants/tenant/{tenant_a.pk}/delete/" not in change.content.decode()
    refused = superuser_client.post(
        f"/admin/tenants/tenant/{tenant_a.pk}/delete/", {"post": "yes"}, HTTP_HOST="localhost"
    )
    assert refused.status_code == 403
    with public_context():
        assert Tenant.objects.filter(pk=tenant_a.pk).exists()
