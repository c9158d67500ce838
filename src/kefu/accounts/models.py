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
