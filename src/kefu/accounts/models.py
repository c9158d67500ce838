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
