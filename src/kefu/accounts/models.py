"""People. In the public schema these are platform operators; in a tenant schema they are that
company's owner, admins, agents and customers. The same email in two tenants is two accounts."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    class Role(models.TextChoices):
        OWNER = "owner", _("Owner")
        ADMIN = "admin", _("Admin")
        AGENT = "agent", _("Agent")
        CUSTOMER = "customer", _("Customer")

    STAFF_ROLES = frozenset({Role.OWNER, Role.ADMIN, Role.AGENT})

    email = models.EmailField(_("email address"), unique=True)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.CUSTOMER)
    language = models.CharField(_("language"), max_length=10, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    @property
    def is_desk_user(self) -> bool:
        """Owners, admins and agents work in the desk; customers use the help center."""
        return self.role in self.STAFF_ROLES


class Invitation(models.Model):
    """An invitation to join a workspace (tenant schema). The emailed link is a signed
    ``id:nonce``; revoking or re-sending changes the nonce, so older links stop working."""

    email = models.EmailField(_("email address"))
    role = models.CharField(_("role"), max_length=20, choices=User.Role.choices)
    nonce = models.CharField(max_length=32)
    invited_by = models.ForeignKey(
        User, verbose_name=_("invited by"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("sent"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_user = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["email"],
                condition=models.Q(accepted_at__isnull=True, revoked_at__isnull=True),
                name="invitation_one_pending_per_email",
            )
        ]

    def __str__(self) -> str:
        return self.email

    @property
    def is_pending(self) -> bool:
        from django.utils import timezone

        return (
            self.accepted_at is None
            and self.revoked_at is None
            and self.expires_at > timezone.now()
        )


class ApiToken(models.Model):
    """A staff member's key for the REST API (tenant schema). Only its SHA-256 is stored; the
    token is shown once when created. Acts with its owner's role; dies with their account."""

    name = models.CharField(_("name"), max_length=100)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    token_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=12)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
