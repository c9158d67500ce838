"""What happens on a ticket and around it: the thread, attachments, history events, ratings,
views, SLA notices, and the self-service step before it (deflections and held submissions)."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from kefu.tickets.models.ticket import Ticket


class TicketMessage(models.Model):
    class Kind(models.TextChoices):
        PUBLIC = "public", _("Public reply")
        INTERNAL = "internal", _("Internal note")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="messages")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.PUBLIC)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    author_contact = models.ForeignKey(
        "contacts.Contact", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField(_("message"))
    #: Sanitised HTML of a message that arrived as HTML (email); ``body`` is its text.
    body_html = models.TextField(blank=True)
    #: What an email carried beyond the new text (quoted earlier messages, signature).
    quoted_text = models.TextField(blank=True)
    channel = models.CharField(max_length=10, choices=Ticket.Channel.choices, default="web")
    #: The email Message-ID of this message (sent or received), for threading.
    email_message_id = models.CharField(max_length=998, blank=True)
    created_at = models.DateTimeField(_("sent"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.body[:60]

    @property
    def is_internal(self) -> bool:
        return self.kind == self.Kind.INTERNAL

    @property
    def from_staff(self) -> bool:
        return self.author is not None and self.author.is_desk_user


def _attachment_path(instance: TicketAttachment, filename: str) -> str:
    # The storage puts this under the tenant's own media folder (MEDIA_ROOT/<schema>/...).
    return f"tickets/{secrets.token_hex(8)}/{filename}"


class TicketAttachment(models.Model):
    """A file on a message, on a custom file field, or held with a submission in deflection."""

    ticket = models.ForeignKey(
        Ticket, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments"
    )
    message = models.ForeignKey(
        TicketMessage,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    draft = models.ForeignKey(
        "SubmissionDraft",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="attachments",
    )
    field_key = models.CharField(max_length=50, blank=True)
    file = models.FileField(_("file"), upload_to=_attachment_path)
    filename = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveBigIntegerField(_("size"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.filename


class TicketEvent(models.Model):
    """One change in a ticket's history: who did what, when (``data`` holds from/to values)."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Created")
        STATUS = "status", _("Status changed")
        PRIORITY = "priority", _("Priority changed")
        ASSIGNED = "assigned", _("Assigned")
        UNASSIGNED = "unassigned", _("Unassigned")
        CATEGORY = "category", _("Category changed")
        SKILL_GROUP = "skill_group", _("Skill group changed")
        TAGS = "tags", _("Tags changed")
        VISIBILITY = "visibility", _("Visibility changed")
        FIELDS = "fields", _("Fields changed")
        REPLIED = "replied", _("Replied")
        NOTE = "note", _("Internal note added")
        FOLLOWED = "followed", _("Followed")
        UNFOLLOWED = "unfollowed", _("Unfollowed")
        MERGED = "merged", _("Merged")
        SPLIT = "split", _("Split")
        SLA_AT_RISK = "sla_at_risk", _("SLA at risk")
        SLA_BREACHED = "sla_breached", _("SLA breached")
        ESCALATED = "escalated", _("Escalated")
        RATED = "rated", _("Rated")
        PUBLISHED = "published", _("Published to the knowledge base")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("ticket event")
        verbose_name_plural = _("ticket events")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.kind}"


class TicketRating(models.Model):
    """The customer's satisfaction with a resolved ticket (one per ticket; rating again updates)."""

    ticket = models.OneToOneField(Ticket, on_delete=models.CASCADE, related_name="rating")
    score = models.PositiveSmallIntegerField(
        _("score"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("satisfaction rating")
        verbose_name_plural = _("satisfaction ratings")

    def __str__(self) -> str:
        return f"{self.ticket_id}: {self.score}"


class TicketView(models.Model):
    """One view of a public ticket per visitor per day (for "hot issues")."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="views")
    visitor_key = models.CharField(max_length=64)
    day = models.DateField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["ticket", "visitor_key", "day"], name="ticket_view_once_a_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.day}"


class SlaNotice(models.Model):
    """A sent SLA warning. Unique per ticket, target, kind and deadline, so the periodic check
    notifies once however often it runs."""

    class Kind(models.TextChoices):
        AT_RISK = "at_risk", _("At risk")
        BREACHED = "breached", _("Breached")

    class Target(models.TextChoices):
        FIRST_RESPONSE = "first_response", _("First response")
        RESOLUTION = "resolution", _("Resolution")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="sla_notices")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    target = models.CharField(max_length=20, choices=Target.choices)
    due_at = models.DateTimeField()
    notified_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["ticket", "kind", "target", "due_at"], name="sla_notice_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.target} {self.kind}"


class DeflectionEvent(models.Model):
    """A request that self-service answered: the customer said an answer solved it."""

    class Source(models.TextChoices):
        TICKET_FORM = "ticket_form", _("Ticket form")
        EMAIL = "email", _("Email auto-reply")
        WIDGET = "widget", _("Widget")
        GUIDED = "guided", _("Guided answer")

    query = models.TextField(_("question"))
    shown = models.JSONField(_("answers shown"), default=list)
    chosen_article = models.ForeignKey(
        "kb.Article", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    chosen_ticket = models.ForeignKey(
        Ticket, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.TICKET_FORM)
    contact = models.ForeignKey(
        "contacts.Contact", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    visitor_key = models.CharField(max_length=64, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("deflection")
        verbose_name_plural = _("deflections")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.query[:60]


def _draft_token() -> str:
    return secrets.token_urlsafe(24)


class SubmissionDraft(models.Model):
    """A ticket form held while the customer looks at suggested answers. Nothing typed (or
    uploaded) is lost: "No, submit" turns it into the ticket, "Yes, solved" into a deflection."""

    token = models.CharField(max_length=64, unique=True, default=_draft_token)
    data = models.JSONField(default=dict)
    shown = models.JSONField(default=list)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    visitor_key = models.CharField(max_length=64, blank=True)
    ticket = models.ForeignKey(
        Ticket, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    deflection = models.ForeignKey(
        DeflectionEvent, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("held submission")
        verbose_name_plural = _("held submissions")

    def __str__(self) -> str:
        return self.token[:8]

    @property
    def is_done(self) -> bool:
        return self.ticket_id is not None or self.deflection_id is not None


class OutboundNotice(models.Model):
    """A notification already sent, by a key such as ``reply:42:customer``: a retried job finds
    its key taken and sends nothing."""

    key = models.CharField(max_length=120, unique=True)
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="notices")
    recipient = models.EmailField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.key
