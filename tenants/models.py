"""Public-schema models: workspaces, their domains, and the schema template and pool."""

from __future__ import annotations

from django.conf import settings
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
    plan = models.ForeignKey(
        "billing.Plan",
        verbose_name=_("plan"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="tenants",
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


class LoginHandoff(models.Model):
    """A one-time sign-in link from the root domain (signup) to a workspace's own host.

    Only the token's SHA-256 is stored; the link works once, for one user of one tenant, for
    ``settings.KEFU_HANDOFF_TTL_SECONDS``.
    """

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    user_id = models.BigIntegerField()
    token_hash = models.CharField(max_length=64, unique=True)
    next_path = models.CharField(max_length=200, default="/desk/")
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"handoff for user {self.user_id} of {self.tenant_id}"


class AuditEntry(models.Model):
    """What a platform operator did to a workspace. Kept after the workspace is deleted."""

    class Action(models.TextChoices):
        SUSPEND = "suspend", _("Suspended")
        RESUME = "resume", _("Resumed")
        EXPORT = "export", _("Exported")
        DELETE = "delete", _("Deleted")
        CHANGE_PLAN = "change_plan", _("Changed plan")
        ADMIN_ADD = "admin_add", _("Added in the admin")
        ADMIN_CHANGE = "admin_change", _("Changed in the admin")
        ADMIN_DELETE = "admin_delete", _("Deleted in the admin")

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("operator"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_email = models.EmailField(_("operator email"))
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    tenant = models.ForeignKey(
        Tenant,
        verbose_name=_("workspace"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="audit_entries",
    )
    #: Copied so the entry still says which workspace after it is deleted.
    tenant_slug = models.CharField(_("subdomain"), max_length=40)
    tenant_name = models.CharField(_("workspace name"), max_length=200)
    details = models.JSONField(_("details"), default=dict, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.actor_email} {self.action} {self.tenant_slug}"


def _unrouted_path(instance: UnroutedEmail, filename: str) -> str:
    import secrets

    return f"unrouted-mail/{secrets.token_hex(12)}.eml"


class UnroutedEmail(models.Model):
    """Mail that reached the platform but no workspace (unknown address, failed webhook
    payload): kept raw for operators, never dropped."""

    raw = models.FileField(upload_to=_unrouted_path)
    source = models.CharField(max_length=30)
    recipient = models.CharField(max_length=320, blank=True)
    reason = models.TextField()
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_at"]
        verbose_name = _("unrouted email")
        verbose_name_plural = _("unrouted emails")

    def __str__(self) -> str:
        return f"{self.recipient}: {self.reason[:40]}"
