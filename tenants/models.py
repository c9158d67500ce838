"""Public-schema models: workspaces, their domains, and the schema template and pool."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_tenants.models import DomainMixin, TenantMixin


class Tenant(TenantMixin):
    """A subscribing company's workspace; its data lives in its own schema."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        SUSPENDED = "suspended", _("Suspended")

    name = models.CharField(_("name"), max_length=200)
    #: The subdomain: acme -> acme.<root domain>. Empty for the public (root) tenant.
    slug = models.SlugField(_("subdomain"), max_length=40, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    # Provisioning goes through tenants.services (template clone / warm pool), never save().
    auto_create_schema = False
    auto_drop_schema = False

    class Meta:
        verbose_name = _("workspace")
        verbose_name_plural = _("workspaces")
        constraints = [
            models.UniqueConstraint(
                fields=["slug"], condition=~models.Q(slug=""), name="tenant_unique_slug"
            )
        ]

    def __str__(self) -> str:
        return self.name or self.schema_name


class Domain(DomainMixin):
    """A host name that answers for a tenant (its subdomain, or a custom domain)."""

    class Meta:
        verbose_name = _("domain")
        verbose_name_plural = _("domains")


class SchemaTemplate(models.Model):
    """The state of the template schema that new workspaces are copied from (one row)."""

    schema_name = models.CharField(max_length=63, unique=True)
    #: Hash of the migrations applied to the template; pool schemas must carry the same.
    fingerprint = models.CharField(max_length=64)
    refreshed_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.schema_name} ({self.fingerprint[:8]})"


class PoolSchema(models.Model):
    """A ready, unassigned copy of the template, waiting to be claimed by a signup."""

    schema_name = models.CharField(max_length=63, unique=True)
    fingerprint = models.CharField(max_length=64, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.schema_name
