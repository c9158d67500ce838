"""Reads of public-schema tenancy data."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from kefu.tenancy import tenant_context
from tenants.models import AuditEntry, Tenant


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


@dataclass(frozen=True)
class TenantRow:
    tenant: Tenant
    agents: int
    tickets_this_month: int


def tenant_rows_with_usage(tenants: list[Tenant]) -> list[TenantRow]:
    """Agents and this month's tickets for each workspace (two small queries per schema; the
    operator list pages through workspaces, so this stays bounded)."""
    from kefu.accounts.models import User
    from kefu.tickets.models import Ticket

    month_start = timezone.now().replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    rows = []
    for tenant in tenants:
        with tenant_context(tenant):
            agents = User.objects.filter(role__in=User.STAFF_ROLES, is_active=True).count()
            tickets = Ticket.objects.filter(created_at__gte=month_start).count()
        rows.append(TenantRow(tenant=tenant, agents=agents, tickets_this_month=tickets))
    return rows


def tenant_list_for_operator(*, query: str = "", status: str = ""):
    tenants = tenant_list().select_related("plan", "billing")
    if query:
        tenants = tenants.filter(Q(name__icontains=query) | Q(slug__icontains=query))
    if status:
        tenants = tenants.filter(status=status)
    return tenants


def audit_entry_list():
    return AuditEntry.objects.select_related("tenant").order_by("-created_at", "-id")
