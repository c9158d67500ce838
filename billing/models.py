"""Public-schema billing records. Plans here; Stripe customers, subscriptions and metering later."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _


class Plan(models.Model):
    """What a workspace pays for: a base fee, included usage, and limits."""

    name = models.CharField(_("name"), max_length=100)
    code = models.SlugField(_("code"), max_length=50, unique=True)
    currency = models.CharField(_("currency"), max_length=3, default="USD")
    monthly_base_price = models.DecimalField(
        _("monthly base price"), max_digits=10, decimal_places=2, default=Decimal(0)
    )
    included_agents = models.PositiveIntegerField(_("included agents"), default=1)
    included_resolved_tickets = models.PositiveIntegerField(
        _("included resolved tickets"), default=0
    )
    price_per_extra_resolved_ticket = models.DecimalField(
        _("price per extra resolved ticket"), max_digits=10, decimal_places=4, default=Decimal(0)
    )
    max_agents = models.PositiveIntegerField(
        _("agent limit"), null=True, blank=True, help_text=_("Empty: no limit.")
    )
    max_channels = models.PositiveIntegerField(
        _("channel limit"), null=True, blank=True, help_text=_("Empty: no limit.")
    )
    max_storage_mb = models.PositiveIntegerField(
        _("storage limit (MB)"), null=True, blank=True, help_text=_("Empty: no limit.")
    )
    trial_days = models.PositiveIntegerField(_("trial length (days)"), default=14)
    is_default = models.BooleanField(_("default for new workspaces"), default=False)
    is_active = models.BooleanField(_("offered"), default=True)
    stripe_product_id = models.CharField(_("Stripe product"), max_length=255, blank=True)
    stripe_base_price_id = models.CharField(_("Stripe base price"), max_length=255, blank=True)
    stripe_metered_price_id = models.CharField(
        _("Stripe metered price"), max_length=255, blank=True
    )
    stripe_meter_id = models.CharField(_("Stripe meter"), max_length=255, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("plan")
        verbose_name_plural = _("plans")
        ordering = ["monthly_base_price", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=models.Q(is_default=True), name="plan_one_default"
            )
        ]

    def __str__(self) -> str:
        return self.name
