"""Reads of public-schema tenancy data."""

from __future__ import annotations

from tenants.models import Tenant


def tenant_exists_for_schema(*, schema_name: str) -> bool:
    return Tenant.objects.filter(schema_name=schema_name).exists()


def tenant_get_by_slug(*, slug: str) -> Tenant | None:
    return Tenant.objects.filter(slug=slug).exclude(slug="").first()


def tenant_list():
    """All workspaces (not the public root tenant), newest first, with their domains."""
    return (
        Tenant.objects.exclude(schema_name="public")
        .prefetch_related("domains")
        .order_by("-created_at")
    )
