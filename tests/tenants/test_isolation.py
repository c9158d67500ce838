"""A tenant's rows live in its own schema and are invisible from every other tenant."""

from __future__ import annotations

from kefu.accounts.models import User
from kefu.accounts.services import user_create
from kefu.kb.models import Article
from kefu.tenancy import tenant_context


def _publish(title: str) -> Article:
    return Article.objects.create(
        title=title, slug="s", body="b", language="en", status=Article.Status.PUBLISHED
    )


def test_row_created_in_tenant_a_is_invisible_from_tenant_b(tenant_a, tenant_b):
    with tenant_context(tenant_a):
        article = _publish("Only for Alpha")
        assert Article.objects.filter(title="Only for Alpha").exists()
    with tenant_context(tenant_b):
        assert not Article.objects.filter(title="Only for Alpha").exists()
        assert not Article.objects.filter(id=article.id, title=article.title).exists()


def test_tenant_tables_are_absent_from_the_public_schema(db):
    public_tables = _public_tables()
    assert Article._meta.db_table not in public_tables
    assert "tenants_tenant" in public_tables


def _public_tables() -> set[str]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        return {row[0] for row in cursor.fetchall()}


def test_same_email_in_two_tenants_is_two_unrelated_accounts(tenant_a, tenant_b):
    with tenant_context(tenant_a):
        user_create(email="li@example.com", password="a-Strong-pass-1", role=User.Role.AGENT)
    with tenant_context(tenant_b):
        assert not User.objects.filter(email="li@example.com").exists()
        other = user_create(
            email="li@example.com", password="another-Pass-2", role=User.Role.CUSTOMER
        )
        assert other.check_password("another-Pass-2")
    with tenant_context(tenant_a):
        agent = User.objects.get(email="li@example.com")
        assert agent.role == User.Role.AGENT
        assert not agent.check_password("another-Pass-2")


def test_help_center_lists_only_its_own_articles(client, tenant_a, tenant_b):
    with tenant_context(tenant_a):
        article = _publish("Alpha refund policy")
    alpha = client.get("/", HTTP_HOST="alpha.localhost").content.decode()
    beta = client.get("/", HTTP_HOST="beta.localhost").content.decode()
    assert "Alpha refund policy" in alpha
    assert "Alpha refund policy" not in beta
    url = f"/articles/{article.id}-s/"
    assert client.get(url, HTTP_HOST="alpha.localhost").status_code == 200
    assert client.get(url, HTTP_HOST="beta.localhost").status_code == 404
