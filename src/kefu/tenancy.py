"""The one module that switches schemas. Everything else goes through these helpers.

Inside a tenant schema the schema is the wall; the risks are at the edges (public models, jobs,
caches, files), so every helper here takes the tenant or schema explicitly.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import connection
from django.urls import reverse
from django_tenants.utils import get_public_schema_name
from django_tenants.utils import schema_context as _schema_context
from django_tenants.utils import tenant_context as _tenant_context

if TYPE_CHECKING:
    from tenants.models import Tenant

PUBLIC_SCHEMA = "public"
_SLUG_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{1,38})[a-z0-9]$")


def schema_name_for_slug(slug: str) -> str:
    """``acme-co`` -> ``t_acme_co``: valid, unquoted identifiers that cannot collide with
    ``public``, ``pg_*`` or Kefu's own template and pool schemas."""
    if not _SLUG_RE.match(slug) or "--" in slug:
        raise ValueError(f"not a valid workspace slug: {slug!r}")
    return "t_" + slug.replace("-", "_")


def current_schema() -> str:
    return str(connection.schema_name)


def in_public_schema() -> bool:
    return current_schema() == get_public_schema_name()


@contextmanager
def schema_context(schema_name: str) -> Iterator[None]:
    """Run the block inside ``schema_name`` and restore the previous schema afterwards."""
    with _schema_context(schema_name):
        yield


@contextmanager
def tenant_context(tenant: Tenant) -> Iterator[None]:
    """Run the block inside ``tenant``'s schema. Already there (a tenant request reading its
    own cache keys, say): nothing to switch, so no search-path reset or cleared caches."""
    if connection.schema_name == tenant.schema_name:
        yield
        return
    with _tenant_context(tenant):
        yield


@contextmanager
def public_context() -> Iterator[None]:
    with _schema_context(get_public_schema_name()):
        yield


def public_reverse(
    viewname: str, *, args: tuple[object, ...] = (), kwargs: dict | None = None
) -> str:
    """Reverse a URL of the root domain (signup, operator pages, webhooks), whatever the
    current request's URLconf is."""
    return reverse(viewname, urlconf=settings.PUBLIC_SCHEMA_URLCONF, args=args, kwargs=kwargs)


def tenant_reverse(
    viewname: str, *, args: tuple[object, ...] = (), kwargs: dict | None = None
) -> str:
    """Reverse a URL of a tenant's site (help center, desk)."""
    return reverse(viewname, urlconf=settings.ROOT_URLCONF, args=args, kwargs=kwargs)


def tenant_base_url(tenant: Tenant, *, scheme: str | None = None, port: int | None = None) -> str:
    """``http://acme.localhost:8000`` for a tenant's primary domain (for links in mail and
    redirects across hosts; the port defaults to ``KEFU_PUBLIC_PORT``)."""
    domain = tenant.get_primary_domain()
    host = domain.domain if domain else f"{tenant.slug}.{settings.ROOT_DOMAIN}"
    scheme = scheme or ("https" if settings.HTTPS else "http")
    port = port or settings.KEFU_PUBLIC_PORT
    return f"{scheme}://{host}" + (f":{port}" if port else "")
