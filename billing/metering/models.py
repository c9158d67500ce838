"""Usage, recorded in the workspace's schema at the moment it happens."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _


def _identifier() -> str:
    return f"kefu_{uuid.uuid4().hex}"


class UsageEvent(models.Model):
    """One billable thing (a resolved ticket), with the identifier Stripe deduplicates on.

    ``reported_at`` is set once Stripe accepted the meter event (or the usage was found not
    billable: no subscription then). A ticket is billed once, however often it is resolved.
    """

    class Kind(models.TextChoices):
        RESOLVED_TICKET = "resolved_ticket", _("Resolved ticket")

    class Outcome(models.TextChoices):
        PENDING = "", _("Not reported yet")
        REPORTED = "reported", _("Reported to Stripe")
        NOT_BILLABLE = "not_billable", _("Not billable")

    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    identifier = models.CharField(max_length=64, unique=True, default=_identifier)
    quantity = models.PositiveIntegerField(default=1)
    ticket_id = models.BigIntegerField(null=True, blank=True)
    occurred_at = models.DateTimeField(_("when"), db_index=True)
    reported_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True, default="")
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("usage event")
        verbose_name_plural = _("usage events")
        ordering = ["occurred_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "ticket_id"],
                condition=models.Q(ticket_id__isnull=False),
                name="usage_once_per_ticket_and_kind",
            )
        ]
        indexes = [
            models.Index(
                fields=["occurred_at"],
                condition=models.Q(reported_at__isnull=True),
                name="usage_unreported",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.identifier}"
