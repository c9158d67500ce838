"""Workspaces are provisioned from a warm pool (fast), the template (fallback) or migrations."""

from __future__ import annotations

import json
import re

import pytest
from django.conf import settings
from django.db import connection

from kefu.kb.models import Article
from kefu.tenancy import tenant_context
from tenants.models import Domain, PoolSchema, SchemaTemplate, Tenant
from tenants.services import (
    SlugUnavailableError,
    pool_drain,
    pool_refill,
    schema_migration_fingerprint,
    template_refresh,
    tenant_delete,
    tenant_provision,
    tenant_provision_by_migration,
)
from tests.helpers import run_kefu


def _schemas() -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT nspname FROM pg_namespace")
        return {row[0] for row in cursor.fetchall()}


def _structure(schema: str) -> dict[str, list[tuple]]:
    """Everything a migration could depend on, with the schema name taken out."""
    queries = {
        "columns": """
            SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
                   a.attidentity, a.attgenerated, pg_get_expr(d.adbin, d.adrelid)
            FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
            JOIN pg_namespace n ON n.oid = c.relnamespace
            LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
            WHERE n.nspname = %s AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped
        """,
        "constraints": """
            SELECT c.relname, con.conname, con.contype,
                   replace(pg_get_constraintdef(con.oid), n.nspname || '.', ''),
                   fn.nspname = n.nspname
            FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid
            JOIN pg_namespace n ON n.oid = c.relnamespace
            LEFT JOIN pg_class fc ON fc.oid = con.confrelid
            LEFT JOIN pg_namespace fn ON fn.oid = fc.relnamespace
            WHERE n.nspname = %s
        """,
        "indexes": """
            SELECT indexname, replace(indexdef, %s, '') FROM pg_indexes WHERE schemaname = %s
        """,
    }
    result = {}
    with connection.cursor() as cursor:
        for name, query in queries.items():
            params = [f"{schema}.", schema] if name == "indexes" else [schema]
            cursor.execute(query, params)
            rows = cursor.fetchall()
            if name == "indexes":
                rows = [(index_name, _canonical_sql(definition)) for index_name, definition in rows]
            result[name] = sorted(rows, key=repr)
    return result


def _canonical_sql(definition: str) -> str:
    """PostgreSQL re-prints a re-created partial index's predicate with casts in other places
    (``ARRAY['a'::varchar]::text[]`` vs ``ARRAY['a'::varchar::text]``): same index, other text."""
    without_casts = re.sub(r"::[a-z ]+(\[\])?", "", definition)
    return re.sub(r"[()\s]", "", without_casts)


def test_fast_path_claims_a_warm_pool_schema(db):
    pool_refill()  # what migrate_schemas and the refill job after each signup do
    pool_before = set(PoolSchema.objects.values_list("schema_name", flat=True))
    assert pool_before, "migrate_schemas fills the pool"

    tenant = tenant_provision(slug="acme", name="Acme")

    claimed = pool_before - set(PoolSchema.objects.values_list("schema_name", flat=True))
    assert len(claimed) == 1
    assert not claimed & _schemas(), "the pool schema was renamed, not copied"
    assert tenant.schema_name == "t_acme"
    assert Domain.objects.get(tenant=tenant).domain == f"acme.{settings.ROOT_DOMAIN}"
    with tenant_context(tenant):
        Article.objects.create(title="t", slug="t", body="b", language="en")
        assert Article.objects.count() == 1


def test_clone_path_serves_signup_when_the_pool_is_empty(db):
    pool_drain()
    tenant = tenant_provision(slug="no-pool-co", name="No Pool Co")
    assert tenant.schema_name in _schemas()
    assert (
        schema_migration_fingerprint(tenant.schema_name) == SchemaTemplate.objects.get().fingerprint
    )


def test_cloned_and_migrated_schemas_are_identical(db):
    pool_drain()
    cloned = tenant_provision(slug="cloned", name="Cloned")
    migrated = tenant_provision_by_migration(slug="migrated", name="Migrated")
    cloned_structure = _structure(cloned.schema_name)
    assert cloned_structure == _structure(migrated.schema_name)
    assert cloned_structure["columns"]
    assert cloned_structure["indexes"]
    # Every foreign key of the copy points inside the copy, never back at the template.
    foreign_keys = [row for row in cloned_structure["constraints"] if row[2] == "f"]
    assert foreign_keys
    assert all(row[4] for row in foreign_keys)
    assert schema_migration_fingerprint(cloned.schema_name) == schema_migration_fingerprint(
        migrated.schema_name
    )


def test_identity_sequences_continue_after_clone(db):
    tenant = tenant_provision(slug="seq-check", name="Seq")
    with tenant_context(tenant):
        first = Article.objects.create(title="a", slug="a", body="b", language="en")
        second = Article.objects.create(title="b", slug="b", body="b", language="en")
    assert second.id == first.id + 1


def test_failure_halfway_leaves_nothing_behind(db, monkeypatch):
    pool_before = PoolSchema.objects.count()

    def broken_create(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(Domain.objects, "create", broken_create)
    with pytest.raises(RuntimeError, match="disk full"):
        tenant_provision(slug="half-made", name="Half")

    assert not Tenant.objects.filter(slug="half-made").exists()
    assert "t_half_made" not in _schemas()
    assert PoolSchema.objects.count() == pool_before
    assert all(
        name in _schemas() for name in PoolSchema.objects.values_list("schema_name", flat=True)
    )


@pytest.mark.parametrize(
    ("slug", "message"),
    [
        ("ab", "3-40 lowercase"),
        ("Acme", "3-40 lowercase"),
        ("-acme", "3-40 lowercase"),
        ("ac--me", "3-40 lowercase"),
        ("a" * 41, "3-40 lowercase"),
        ("www", "reserved"),
        ("admin", "reserved"),
        ("alpha", "already taken"),
    ],
)
def test_bad_or_taken_subdomains_are_refused_with_a_clear_message(db, slug, message):
    with pytest.raises(SlugUnavailableError, match=message):
        tenant_provision(slug=slug, name="X")


def test_template_refresh_retires_pool_schemas_from_an_older_template(db):
    pool_refill()
    stale = PoolSchema.objects.first()
    stale.fingerprint = "from-an-older-deploy"
    stale.save()

    template_refresh()

    assert not PoolSchema.objects.filter(fingerprint="from-an-older-deploy").exists()
    assert stale.schema_name not in _schemas()
    pool_refill()
    assert PoolSchema.objects.count() == settings.KEFU_SCHEMA_POOL_SIZE


def test_deleting_a_workspace_drops_its_schema(db):
    tenant = tenant_provision(slug="short-lived", name="Short")
    tenant_delete(tenant=tenant)
    assert "t_short_lived" not in _schemas()
    assert not Domain.objects.filter(domain__startswith="short-lived.").exists()


def test_bench_provision_prints_one_json_line_and_cleans_up(django_db_blocker):
    with django_db_blocker.unblock():
        tenants_before = Tenant.objects.count()
        result = run_kefu("bench_provision", "--tenants", "2")
        assert result.returncode == 0, result.stderr
        line = json.loads(result.stdout.strip().splitlines()[-1])
        assert line["tenants"] == 2
        assert 0 < line["fast_p50_ms"] <= line["fast_p99_ms"]
        assert line["migrate_p50_ms"] > line["fast_p50_ms"]
        assert line["ratio"] == pytest.approx(line["migrate_p50_ms"] / line["fast_p50_ms"], rel=0.1)
        assert Tenant.objects.count() == tenants_before
        assert not [s for s in _schemas() if s.startswith("t_bench_")]
        assert PoolSchema.objects.count() == settings.KEFU_SCHEMA_POOL_SIZE
