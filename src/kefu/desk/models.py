"""A workspace's own settings (tenant schema, one row): brand, who may register, email."""

from __future__ import annotations

from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

DEFAULT_BRAND_COLOR = "#1f6feb"


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
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("workspace settings")
        verbose_name_plural = _("workspace settings")

    def __str__(self) -> str:
        return str(_("Workspace settings"))

    @property
    def is_branded(self) -> bool:
        return bool(self.logo) or self.brand_color.lower() != DEFAULT_BRAND_COLOR
