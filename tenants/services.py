"""Workspace provisioning: instant signup from a warm pool of template copies.

- The template schema (``settings.KEFU_TEMPLATE_SCHEMA``) is kept migrated by ``migrate_schemas``.
- ``kefu_clone_schema()`` (installed once, see ``sql/clone_schema.sql``) copies it in one call.
- A small pool of ready, unassigned copies is kept warm by a job; provisioning claims one with
  ``SELECT ... FOR UPDATE SKIP LOCKED`` and renames it, all inside one transaction. With the pool
  empty it clones the template directly; either way a failure leaves nothing behind.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from io import StringIO
from typing import TextIO

from django.conf import settings
from django.core.management import call_command
from django.db import IntegrityError, ProgrammingError, connection, transaction
from django.utils.translation import gettext as _
from psycopg import errors as pg_errors
from psycopg import sql

from kefu.tenancy import public_context, schema_name_for_slug
from tenants.models import Domain, PoolSchema, SchemaTemplate, Tenant

logger = logging.getLogger(__name__)

POOL_PREFIX = "_kefu_pool_"
#: Subdomains that belong to the platform, never to a workspace.
RESERVED_SLUGS = frozenset(
    {
        "www", "admin", "api", "app", "mail", "static", "media", "assets", "cdn", "help",
        "support", "status", "docs", "blog", "billing", "signup", "login", "auth", "account",
        "accounts", "dashboard", "console", "operator", "ops", "public", "template", "kefu",
        "smtp", "imap", "pop", "ftp", "ns1", "ns2", "dev", "test", "staging", "demo-admin",
    }
)  # fmt: skip
_POOL_LOCK_KEY = 0x6B656675  # "kefu": one pool refill at a time across processes


class ProvisioningError(Exception):
    """A workspace could not be provisioned; the message is fit to show to the person."""


class SlugUnavailableError(ProvisioningError):
    pass


# --- schema primitives ------------------------------------------------------------------------


def _schema_exists(schema_name: str) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", [schema_name])
        return cursor.fetchone() is not None


def _drop_schema(schema_name: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema_name))
        )


def _clone_schema(*, source: str, dest: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT kefu_clone_schema(%s, %s)", [source, dest])


def schema_migration_fingerprint(schema_name: str) -> str:
    """A hash of the migrations recorded in a schema: equal fingerprints, equal structure."""
    with connection.cursor() as cursor:
        cursor.execute(
            sql.SQL("SELECT app, name FROM {}.django_migrations ORDER BY app, name").format(
                sql.Identifier(schema_name)
            )
        )
        rows = cursor.fetchall()
    return hashlib.sha256(repr(rows).encode()).hexdigest()


# --- template and pool ------------------------------------------------------------------------


def template_refresh(*, verbosity: int = 0, stdout: TextIO | None = None) -> SchemaTemplate:
    """Migrate the template schema to the code's migrations and retire stale pool copies.

    Runs as part of ``kefu migrate_schemas`` (a deploy step), never in a request.
    """
    template_schema = settings.KEFU_TEMPLATE_SCHEMA
    with public_context():
        if not _schema_exists(template_schema):
            with connection.cursor() as cursor:
                cursor.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(template_schema)))
        call_command(
            "migrate_schemas",
            tenant=True,
            schema_name=template_schema,
            interactive=False,
            verbosity=verbosity,
            stdout=stdout or StringIO(),
        )
    with public_context():
        fingerprint = schema_migration_fingerprint(template_schema)
        template, _created = SchemaTemplate.objects.update_or_create(
            schema_name=template_schema, defaults={"fingerprint": fingerprint}
        )
        stale = list(PoolSchema.objects.exclude(fingerprint=fingerprint))
        for pool_schema in stale:
            with transaction.atomic():
                _drop_schema(pool_schema.schema_name)
                pool_schema.delete()
        if stale:
            logger.info("retired %d stale pool schemas", len(stale))
    return template


def _current_template() -> SchemaTemplate:
    template = SchemaTemplate.objects.filter(schema_name=settings.KEFU_TEMPLATE_SCHEMA).first()
    if template is None:
        raise ProvisioningError(
            _("The workspace template is missing; run `kefu migrate_schemas` first.")
        )
    return template


def pool_refill(*, size: int | None = None) -> int:
    """Top the warm pool up to ``size`` ready schemas; returns how many it created.

    Safe to run concurrently and repeatedly: one refill holds an advisory lock, others return.
    """
    target = settings.KEFU_SCHEMA_POOL_SIZE if size is None else size
    created = 0
    with public_context(), connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [_POOL_LOCK_KEY])
        if not cursor.fetchone()[0]:
            return 0
        try:
            template = _current_template()
            while PoolSchema.objects.filter(fingerprint=template.fingerprint).count() < target:
                schema_name = POOL_PREFIX + secrets.token_hex(6)
                with transaction.atomic():
                    _clone_schema(source=template.schema_name, dest=schema_name)
                    PoolSchema.objects.create(
                        schema_name=schema_name, fingerprint=template.fingerprint
                    )
                created += 1
        finally:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [_POOL_LOCK_KEY])
    return created


def pool_drain() -> int:
    """Drop every pool schema (benchmarks and tests use this to measure the clone path)."""
    drained = 0
    with public_context():
        for pool_schema in PoolSchema.objects.all():
            with transaction.atomic():
                _drop_schema(pool_schema.schema_name)
                pool_schema.delete()
            drained += 1
    return drained


# --- workspaces -------------------------------------------------------------------------------


def validate_slug(slug: str) -> str:
    """The schema name for a free, well-formed subdomain, or SlugUnavailableError."""
    try:
        schema_name = schema_name_for_slug(slug)
    except ValueError:
        raise SlugUnavailableError(
            _(
                "Use 3-40 lowercase letters, digits and single hyphens, starting and ending with a "
                "letter or digit."
            )
        ) from None
    if slug in RESERVED_SLUGS:
        raise SlugUnavailableError(_("This subdomain is reserved."))
    if Tenant.objects.filter(slug=slug).exists() or _schema_exists(schema_name):
        raise SlugUnavailableError(_("This subdomain is already taken."))
    return schema_name


def _is_duplicate(error: Exception) -> bool:
    cause = error.__cause__
    return isinstance(cause, pg_errors.DuplicateSchema | pg_errors.UniqueViolation)


def tenant_provision(*, slug: str, name: str) -> Tenant:
    """Create a workspace, ready to use on return: claim a warm schema, or clone the template.

    One transaction: a failure anywhere leaves no schema, tenant or domain behind, and two
    concurrent calls for one slug give one tenant and a SlugUnavailableError.
    """
    from tenants.jobs import pool_refill_job

    try:
        with public_context(), transaction.atomic():
            schema_name = validate_slug(slug)
            template = _current_template()
            pool_schema = (
                PoolSchema.objects.select_for_update(skip_locked=True)
                .filter(fingerprint=template.fingerprint)
                .order_by("id")
                .first()
            )
            if pool_schema is not None:
                with connection.cursor() as cursor:
                    cursor.execute(
                        sql.SQL("ALTER SCHEMA {} RENAME TO {}").format(
                            sql.Identifier(pool_schema.schema_name), sql.Identifier(schema_name)
                        )
                    )
                pool_schema.delete()
            else:
                _clone_schema(source=template.schema_name, dest=schema_name)
            tenant = Tenant(schema_name=schema_name, slug=slug, name=name)
            tenant.save()
            Domain.objects.create(
                domain=f"{slug}.{settings.ROOT_DOMAIN}", tenant=tenant, is_primary=True
            )
            transaction.on_commit(pool_refill_job.send)
    except (IntegrityError, ProgrammingError) as error:
        if _is_duplicate(error):
            raise SlugUnavailableError(_("This subdomain is already taken.")) from error
        raise
    logger.info("provisioned workspace %s (%s)", slug, "pool" if pool_schema else "clone")
    return tenant


def tenant_provision_by_migration(*, slug: str, name: str) -> Tenant:
    """The plain django-tenants path: create the schema and run every migration in it.

    Kept for comparison (``kefu bench_provision``) and as a fallback that needs no template.
    """
    with public_context(), transaction.atomic():
        schema_name = validate_slug(slug)
        tenant = Tenant(schema_name=schema_name, slug=slug, name=name)
        tenant.save()
        tenant.create_schema(check_if_exists=False, verbosity=0)
        Domain.objects.create(
            domain=f"{slug}.{settings.ROOT_DOMAIN}", tenant=tenant, is_primary=True
        )
    return tenant


def tenant_delete(*, tenant: Tenant) -> None:
    """Drop a workspace's schema and its rows. Irreversible."""
    if tenant.schema_name == "public":
        raise ProvisioningError(_("The public schema cannot be deleted."))
    with public_context(), transaction.atomic():
        _drop_schema(tenant.schema_name)
        tenant.delete(force_drop=False)


def platform_bootstrap(*, root_domain: str | None = None) -> Tenant:
    """Make sure the root domain answers with the public site (idempotent)."""
    root_domain = root_domain or settings.ROOT_DOMAIN
    with public_context(), transaction.atomic():
        public, _created = Tenant.objects.get_or_create(
            schema_name="public", defaults={"name": "Kefu", "slug": ""}
        )
        Domain.objects.get_or_create(
            domain=root_domain, defaults={"tenant": public, "is_primary": True}
        )
    return public


def tenant_rename(*, tenant: Tenant, name: str) -> Tenant:
    """Change a workspace's display name (a public-schema row, so the tenant is explicit)."""
    name = name.strip()
    if not name:
        raise ProvisioningError(_("The company name cannot be empty."))
    if name != tenant.name:
        with public_context():
            Tenant.objects.filter(pk=tenant.pk).update(name=name)
        tenant.name = name
    return tenant
