"""A workspace's own settings (tenant schema, one row): brand, who may register, email."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

DEFAULT_BRAND_COLOR = "#1f6feb"
#: A finished export can be downloaded for this many days; then its file is deleted.
EXPORT_KEEP_DAYS = 7


def _logo_path(instance: WorkspaceSettings, filename: str) -> str:
    # The storage puts this under the tenant's own media folder (MEDIA_ROOT/<schema>/...).
    extension = filename.rsplit(".", 1)[-1].lower()
    return f"brand/logo.{extension}"


class WorkspaceSettings(models.Model):
    class CustomerSignup(models.TextChoices):
        OPEN = "open", _("Open: anyone can register")
        INVITE_ONLY = "invite_only", _("Invite only")
        CLOSED = "closed", _("Closed")

    brand_color = models.CharField(
        _("brand colour"),
        max_length=7,
        default=DEFAULT_BRAND_COLOR,
        validators=[RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Use a colour like #1f6feb."))],
    )
    logo = models.FileField(_("logo"), upload_to=_logo_path, blank=True)
    customer_signup = models.CharField(
        _("customer registration"),
        max_length=20,
        choices=CustomerSignup.choices,
        default=CustomerSignup.OPEN,
    )
    require_staff_mfa = models.BooleanField(
        _("require two-factor authentication for staff"), default=False
    )
    support_email = models.EmailField(
        _("support email address"),
        blank=True,
        help_text=_("Your own address (e.g. help@yourcompany.com) that forwards to Kefu."),
    )
    popularity_half_life_days = models.FloatField(
        _("popularity half-life (days)"),
        default=30.0,
        validators=[MinValueValidator(1.0)],
        help_text=_("How fast old views and votes stop counting when articles are ranked."),
    )
    stale_after_days = models.PositiveIntegerField(
        _("flag articles as stale after (days)"), default=180
    )
    agents_pick_from_queue = models.BooleanField(
        _("agents may take tickets from the queue by hand"),
        default=True,
        help_text=_(
            "On: any staff member with room can take a waiting ticket from the Unassigned list. "
            "Off: tickets are only assigned by routing or by an admin."
        ),
    )
    new_tickets_public = models.BooleanField(
        _("new help center tickets are public"),
        default=False,
        help_text=_("Public tickets can be read, followed and searched by every customer."),
    )

    class ClosedReply(models.TextChoices):
        REOPEN = "reopen", _("Reopen the ticket")
        FOLLOW_UP = "follow_up", _("Open a follow-up ticket")

    support_local_part = models.CharField(
        _("support address name"),
        max_length=64,
        default="support",
        validators=[
            RegexValidator(
                r"^[a-z0-9][a-z0-9._-]*$", _("Use lower-case letters, digits, dots, dashes.")
            )
        ],
        help_text=_("The part before @ of your Kefu address, e.g. support@yourname.kefu.example."),
    )
    email_closed_reply = models.CharField(
        _("an email reply to a closed ticket"),
        max_length=10,
        choices=ClosedReply.choices,
        default=ClosedReply.FOLLOW_UP,
    )
    email_auto_reply = models.BooleanField(
        _("acknowledge new email tickets with suggested articles"), default=True
    )
    #: The support address that a mail really arrived at through the inbound path (the test
    #: message or any real one), and when: the address is verified while it is still the
    #: ``support_email`` (changing the address asks for a new proof).
    support_email_verified_address = models.CharField(max_length=320, blank=True)
    support_email_verified_at = models.DateTimeField(null=True, blank=True)
    default_language = models.CharField(
        _("workspace language"),
        max_length=10,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
        help_text=_("Mails to people whose own language is not known are written in it."),
    )
    widget_allowed_origins = models.TextField(
        _("sites that may show the widget"),
        blank=True,
        help_text=_("One site address a line, e.g. https://www.example.com. Empty: any site may."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("workspace settings")
        verbose_name_plural = _("workspace settings")

    def __str__(self) -> str:
        return str(_("Workspace settings"))

    @property
    def support_email_verified(self) -> bool:
        """A mail to the current support address has arrived through Kefu's inbound path."""
        return bool(
            self.support_email
            and self.support_email_verified_at
            and self.support_email_verified_address.lower() == self.support_email.lower()
        )

    @property
    def widget_origins(self) -> list[str]:
        """The sites allowed to show the widget (``[]``: any site)."""
        return [line.strip() for line in self.widget_allowed_origins.splitlines() if line.strip()]

    @property
    def is_branded(self) -> bool:
        return bool(self.logo) or self.brand_color.lower() != DEFAULT_BRAND_COLOR


def _export_path(instance: ExportJob, filename: str) -> str:
    # The storage puts this under the tenant's own media folder (MEDIA_ROOT/<schema>/...), which
    # is never served directly: the download view checks who asks.
    return f"exports/{instance.pk}/{filename}"


class ExportJob(models.Model):
    """A workspace owner's export of their data (tickets with messages, contacts, articles),
    written by a job into the workspace's own storage and downloaded from the desk until it
    expires. What each file and column means: docs/export.md (and the desk's help page)."""

    class Part(models.TextChoices):
        TICKETS = "tickets", _("Tickets and their messages")
        CONTACTS = "contacts", _("Contacts and their identities")
        ARTICLES = "articles", _("Articles and their categories")

    class Format(models.TextChoices):
        CSV = "csv", _("CSV files in a zip (opens in Excel)")
        JSON = "json", _("JSON (one file)")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        RUNNING = "running", _("Exporting")
        DONE = "done", _("Ready to download")
        FAILED = "failed", _("Failed")
        EXPIRED = "expired", _("Expired")

    #: Statuses after which nothing happens to the export any more (but expiry).
    FINISHED = (Status.DONE, Status.FAILED, Status.EXPIRED)

    parts = ArrayField(
        models.CharField(max_length=20, choices=Part.choices), verbose_name=_("what")
    )
    file_format = models.CharField(_("format"), max_length=10, choices=Format.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    #: The name the download gets: the workspace's slug and the day it was asked for.
    filename = models.CharField(max_length=200)
    file = models.FileField(upload_to=_export_path, max_length=300, blank=True)
    error = models.TextField(blank=True)
    #: The run that holds the export now; only it may finish it (a job delivered twice).
    run_token = models.CharField(max_length=32, blank=True, editable=False)
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("data export")
        verbose_name_plural = _("data exports")

    def __str__(self) -> str:
        return self.filename

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        if not self.progress_total:
            return 0
        return min(100, int(100 * self.progress_done / self.progress_total))

    @property
    def is_finished(self) -> bool:
        return self.status in self.FINISHED

    @property
    def expires_at(self) -> datetime | None:
        if self.status != self.Status.DONE or self.finished_at is None:
            return None
        return self.finished_at + timedelta(days=EXPORT_KEEP_DAYS)
