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

    @property
    def max_storage_bytes(self) -> int | None:
        return None if self.max_storage_mb is None else self.max_storage_mb * 1024 * 1024


class PlanPrice(models.Model):
    """The plan's price in another currency (the plan's own fields are its default currency).
    Synced to Stripe as separate prices under currency-specific lookup keys."""

    plan = models.ForeignKey(
        Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="prices"
    )
    currency = models.CharField(_("currency"), max_length=3)
    monthly_base_price = models.DecimalField(
        _("monthly base price"), max_digits=10, decimal_places=2, default=Decimal(0)
    )
    price_per_extra_resolved_ticket = models.DecimalField(
        _("price per extra resolved ticket"), max_digits=10, decimal_places=4, default=Decimal(0)
    )

    class Meta:
        verbose_name = _("plan price")
        verbose_name_plural = _("plan prices")
        ordering = ["plan", "currency"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "currency"], name="plan_price_one_per_currency")
        ]

    def __str__(self) -> str:
        return f"{self.plan} {self.currency}"


class BillingAccount(models.Model):
    """A workspace's subscription as Kefu knows it: one per workspace, in the public schema.

    Stripe is the source of truth for the subscription; webhooks (or re-reading the
    subscription) copy its state here. ``subscription_state_at`` is Stripe's timestamp of the
    newest state applied, so an older event arriving late never overwrites a newer one.
    """

    class Status(models.TextChoices):
        TRIALING = "trialing", _("Trial")
        ACTIVE = "active", _("Active")
        PAST_DUE = "past_due", _("Payment overdue")
        UNPAID = "unpaid", _("Unpaid")
        INCOMPLETE = "incomplete", _("Incomplete")
        CANCELED = "canceled", _("Canceled")

    tenant = models.OneToOneField(
        "tenants.Tenant",
        verbose_name=_("workspace"),
        on_delete=models.CASCADE,
        related_name="billing",
    )
    currency = models.CharField(_("currency"), max_length=3, default="USD")
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.TRIALING
    )
    trial_ends_at = models.DateTimeField(_("trial ends"), null=True, blank=True)
    stripe_customer_id = models.CharField(
        _("Stripe customer"), max_length=255, blank=True, db_index=True
    )
    stripe_subscription_id = models.CharField(
        _("Stripe subscription"), max_length=255, blank=True, db_index=True
    )
    current_period_start = models.DateTimeField(_("period start"), null=True, blank=True)
    current_period_end = models.DateTimeField(_("period end"), null=True, blank=True)
    cancel_at_period_end = models.BooleanField(_("cancels at period end"), default=False)
    #: Stripe's time (event ``created``) of the subscription state last applied.
    subscription_state_at = models.DateTimeField(null=True, blank=True)
    #: Payment failed: staff keep full access until then, with a banner.
    grace_until = models.DateTimeField(_("grace period ends"), null=True, blank=True)
    #: Grace ran out (or the subscription ended): staff can read but not change anything.
    read_only_since = models.DateTimeField(_("read-only since"), null=True, blank=True)
    canceled_at = models.DateTimeField(_("canceled"), null=True, blank=True)
    #: After cancellation the data is kept until then; afterwards an operator may delete it.
    retain_until = models.DateTimeField(_("data kept until"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("billing account")
        verbose_name_plural = _("billing accounts")

    def __str__(self) -> str:
        return f"{self.tenant} ({self.status})"


class StripeEvent(models.Model):
    """A webhook event from Stripe, stored once by its id before anything is done with it."""

    event_id = models.CharField(max_length=255, unique=True)
    type = models.CharField(max_length=100, db_index=True)
    #: Stripe's ``created`` for the event: orders states of the same object.
    stripe_created_at = models.DateTimeField()
    livemode = models.BooleanField(default=False)
    payload = models.JSONField()
    tenant = models.ForeignKey(
        "tenants.Tenant", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("Stripe event")
        verbose_name_plural = _("Stripe events")
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return f"{self.type} {self.event_id}"


class BillingNotice(models.Model):
    """An email about billing sent to a workspace's owners: once per kind and reference (an
    invoice id, a date), however often the job that sends it runs."""

    class Kind(models.TextChoices):
        PAYMENT_FAILED = "payment_failed", _("Payment failed")
        READ_ONLY = "read_only", _("Workspace read-only")
        RESTORED = "restored", _("Access restored")
        CANCELED = "canceled", _("Subscription canceled")
        TRIAL_ENDED = "trial_ended", _("Trial ended")

    account = models.ForeignKey(BillingAccount, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField(max_length=30, choices=Kind.choices)
    reference = models.CharField(max_length=255)
    sent_at = models.DateTimeField(null=True, blank=True)
    #: The (lower-cased) addresses already mailed, so a retry after a crash skips them.
    sent_to = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["account", "kind", "reference"], name="billing_notice_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.reference}"
