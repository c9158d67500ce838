"""Channels (tenant schema): inbound email kept raw before anything else, and the Message-IDs
that tie mail threads to tickets."""

from __future__ import annotations

import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _


def _raw_path(instance: InboundEmail, filename: str) -> str:
    # Under the tenant's own media folder (MEDIA_ROOT/<schema>/mail/raw/...).
    return f"mail/raw/{secrets.token_hex(12)}.eml"


class InboundEmail(models.Model):
    """One received email, stored raw first. Parsing and routing may fail; the raw message is
    never lost: it stays here, quarantined with the reason, until retried or handled by hand."""

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        PROCESSED = "processed", _("Added to a ticket")
        QUARANTINED = "quarantined", _("Quarantined")
        DUPLICATE = "duplicate", _("Duplicate")
        DISCARDED = "discarded", _("Discarded")

    raw = models.FileField(_("raw message"), upload_to=_raw_path)
    sha256 = models.CharField(max_length=64, db_index=True)
    size = models.PositiveIntegerField(default=0)
    #: The Message-ID header as sent (without angle brackets), "" when missing.
    message_id = models.CharField(max_length=998, blank=True, db_index=True)
    #: What the message says (identifying headers and body, see ``content_digest_quick``): a
    #: redelivery has the same Message-ID and content; a broken mailer may reuse an ID for
    #: another message, which is then taken as a message of its own. "" for mail stored
    #: before this was kept (their raw ``sha256`` is compared instead).
    content_sha256 = models.CharField(max_length=64, blank=True, default="")
    source = models.CharField(_("arrived by"), max_length=30, default="command")
    envelope_sender = models.CharField(max_length=320, blank=True)
    envelope_recipient = models.CharField(max_length=320, blank=True)
    from_address = models.CharField(_("from"), max_length=320, blank=True)
    subject = models.CharField(_("subject"), max_length=998, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.RECEIVED, db_index=True
    )
    reason = models.TextField(_("reason"), blank=True)
    attempts = models.PositiveIntegerField(default=0)
    is_automatic = models.BooleanField(
        _("automatic mail"),
        default=False,
        help_text=_("An auto-reply, bounce or list mail: never answered automatically."),
    )
    ticket = models.ForeignKey(
        "tickets.Ticket", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ticket_message = models.ForeignKey(
        "tickets.TicketMessage",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="inbound_emails",
    )
    received_at = models.DateTimeField(_("received"), auto_now_add=True, db_index=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("inbound email")
        verbose_name_plural = _("inbound emails")
        ordering = ["-received_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["message_id", "content_sha256"],
                condition=~models.Q(message_id="") & ~models.Q(status="duplicate"),
                name="inbound_email_once_per_message",
            )
        ]

    def __str__(self) -> str:
        return self.subject or self.message_id or str(self.pk)


class EmailThreadId(models.Model):
    """A Message-ID that belongs to a ticket's thread: ones Kefu sent and ones it received.
    A reply's In-Reply-To / References are looked up here to find its ticket."""

    class Direction(models.TextChoices):
        SENT = "sent", _("Sent")
        RECEIVED = "received", _("Received")

    message_id = models.CharField(max_length=998, unique=True)
    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.CASCADE, related_name="email_thread_ids"
    )
    ticket_message = models.ForeignKey(
        "tickets.TicketMessage", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    direction = models.CharField(max_length=10, choices=Direction.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.message_id


class AutoReplyLog(models.Model):
    """Automatic mail Kefu sent to an address, for the per-sender limit that breaks mail loops."""

    address = models.CharField(max_length=320, db_index=True)
    ticket = models.ForeignKey(
        "tickets.Ticket", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self) -> str:
        return self.address


class Channel(models.Model):
    """A way in for customers that an admin added: another email address that forwards to the
    workspace's support address, a web form, a chat widget, an API integration, SMS.

    The workspace's built-in support address (with the help center's contact form) is not a
    row: every workspace has it, it cannot be switched off, and it counts as the first channel
    against the plan's channel limit. So the channels in use are 1 + the active rows here;
    deactivating a row frees its place, reactivating takes one again.
    """

    class Kind(models.TextChoices):
        EMAIL = "email", _("Email address")
        WEB_FORM = "web_form", _("Web form")
        WIDGET = "widget", _("Chat widget")
        API = "api", _("API integration")
        CHAT = "chat", _("Chat")
        SMS = "sms", _("SMS")

    #: Kinds that really bring messages in: another address that forwards to the support
    #: address, and a web form that posts to the help center's contact form. The others are
    #: kept so rows made before stay readable, but are not offered until they work; their rows
    #: do not count against the plan's channel limit.
    WORKING_KINDS = (Kind.EMAIL, Kind.WEB_FORM)

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=100)
    address = models.CharField(
        _("address"),
        max_length=320,
        blank=True,
        help_text=_(
            "Where customers write to, e.g. an email address that forwards to your support "
            "address, a phone number or a page address."
        ),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("channel")
        verbose_name_plural = _("channels")
        ordering = ["-is_active", "name", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_working(self) -> bool:
        return self.kind in self.WORKING_KINDS
