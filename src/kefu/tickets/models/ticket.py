"""The ticket itself. Its number is its id, which starts at 1001 in every workspace."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _

from kefu.tickets.models.config import SkillGroup, SlaPolicy, TicketCategory


class CustomerPromise(NamedTuple):
    """What the customer of a ticket is waiting for (see ``Ticket.customer_promise``)."""

    kind: str
    due_at: datetime | None = None


class Ticket(models.Model):
    class Status(models.TextChoices):
        NEW = "new", _("New")
        OPEN = "open", _("Open")
        PENDING = "pending", _("Pending customer")
        ON_HOLD = "on_hold", _("On hold")
        RESOLVED = "resolved", _("Resolved")
        CLOSED = "closed", _("Closed")

    class Priority(models.TextChoices):
        LOW = "low", _("Low")
        NORMAL = "normal", _("Normal")
        HIGH = "high", _("High")
        URGENT = "urgent", _("Urgent")

    class Channel(models.TextChoices):
        WEB = "web", _("Help center")
        EMAIL = "email", _("Email")
        API = "api", _("API")
        CHAT = "chat", _("Chat")
        SMS = "sms", _("SMS")
        PHONE = "phone", _("Phone")

    class SlaState(models.TextChoices):
        NONE = "", _("No SLA")
        OK = "ok", _("On track")
        AT_RISK = "at_risk", _("At risk")
        BREACHED = "breached", _("Breached")

    #: Statuses in which somebody still has to act.
    ACTIVE_STATUSES = (Status.NEW, Status.OPEN, Status.PENDING, Status.ON_HOLD)
    #: Statuses that count against an agent's capacity.
    LOAD_STATUSES = (Status.NEW, Status.OPEN, Status.ON_HOLD)
    PRIORITY_ORDER = (Priority.LOW, Priority.NORMAL, Priority.HIGH, Priority.URGENT)

    subject = models.CharField(_("subject"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.NEW, db_index=True
    )
    priority = models.CharField(
        _("priority"), max_length=10, choices=Priority.choices, default=Priority.NORMAL
    )
    category = models.ForeignKey(
        TicketCategory,
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tickets",
    )
    fields = models.JSONField(_("form fields"), default=dict, blank=True)
    requester = models.ForeignKey(
        "contacts.Contact",
        verbose_name=_("requester"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="tickets",
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assignee"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_tickets",
    )
    skill_group = models.ForeignKey(
        SkillGroup,
        verbose_name=_("skill group"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="tickets",
    )
    channel = models.CharField(
        _("channel"), max_length=10, choices=Channel.choices, default=Channel.WEB
    )
    language = models.CharField(_("language"), max_length=10, blank=True)
    is_public = models.BooleanField(
        _("public"),
        default=False,
        help_text=_("Public tickets can be read by every customer of the help center."),
    )
    followers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("followers"),
        blank=True,
        related_name="followed_tickets",
    )
    tags = ArrayField(models.CharField(max_length=50), verbose_name=_("tags"), default=list)
    tried_self_service = models.BooleanField(_("tried self-service"), default=False)
    self_service_trail = models.JSONField(
        _("self-service trail"),
        default=list,
        blank=True,
        help_text=_("What the customer searched and read before asking."),
    )

    sla_policy = models.ForeignKey(
        SlaPolicy, null=True, blank=True, on_delete=models.SET_NULL, related_name="tickets"
    )
    first_response_due_at = models.DateTimeField(_("first response due"), null=True, blank=True)
    resolution_due_at = models.DateTimeField(_("resolution due"), null=True, blank=True)
    sla_paused_at = models.DateTimeField(null=True, blank=True)
    sla_state = models.CharField(
        _("SLA"), max_length=10, choices=SlaState.choices, default=SlaState.NONE, blank=True
    )
    first_responded_at = models.DateTimeField(_("first response"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    assigned_at = models.DateTimeField(null=True, blank=True)

    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged_tickets"
    )
    split_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="split_tickets"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["assignee", "status"], name="ticket_assignee_status"),
            models.Index(fields=["skill_group", "status"], name="ticket_queue"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.subject}"

    @property
    def number(self) -> int:
        return self.pk

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE_STATUSES

    @property
    def promised_at(self):
        """The deadline the customer is shown: first response until then, then resolution."""
        if self.status not in self.ACTIVE_STATUSES:
            return None
        if self.first_responded_at is None and self.first_response_due_at:
            return self.first_response_due_at
        return self.resolution_due_at

    @property
    def customer_promise(self) -> CustomerPromise:
        """What the customer is waiting for, as a kind and a deadline: "first_response" (by the
        first response target) until staff first reply publicly, then "waiting_on_customer"
        while pending, "resolution" (by the resolution target) while open, "solved" or
        "closed". Kind "" when there is no deadline to promise."""
        status = self.status
        if status == self.Status.RESOLVED:
            return CustomerPromise("solved")
        if status == self.Status.CLOSED:
            return CustomerPromise("closed")
        if status == self.Status.PENDING:
            return CustomerPromise("waiting_on_customer")
        if self.first_responded_at is None and self.first_response_due_at:
            return CustomerPromise("first_response", self.first_response_due_at)
        if self.resolution_due_at:
            return CustomerPromise("resolution", self.resolution_due_at)
        return CustomerPromise("")
