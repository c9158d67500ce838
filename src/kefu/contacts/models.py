"""Customers of a workspace (tenant schema): one contact per person, whether they have a help
center account or only wrote in. The email channel issue adds more identities per contact."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Contact(models.Model):
    class Tier(models.TextChoices):
        STANDARD = "standard", _("Standard")
        PREMIUM = "premium", _("Premium")
        ENTERPRISE = "enterprise", _("Enterprise")

    name = models.CharField(_("name"), max_length=200, blank=True)
    email = models.EmailField(_("email address"), blank=True)
    #: The address of a help center account that has not verified it: shown to staff as a
    #: claim, matched to nothing (no identity) until the account verifies it.
    claimed_email = models.EmailField(_("claimed email address"), blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("help center account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contact",
    )
    language = models.CharField(_("language"), max_length=10, blank=True)
    #: True while ``language`` is Kefu's guess from what they wrote; an agent's or the
    #: contact's own choice clears it (and is never overwritten by a guess).
    language_detected = models.BooleanField(_("language detected from messages"), default=False)
    tier = models.CharField(_("tier"), max_length=20, choices=Tier.choices, default=Tier.STANDARD)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="merged_contacts",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["name", "email"]
        constraints = [
            models.UniqueConstraint(
                models.functions.Lower("email"),
                condition=~models.Q(email=""),
                name="contact_unique_email",
            )
        ]

    def __str__(self) -> str:
        return self.name or self.email or str(_("Anonymous"))

    @property
    def display_name(self) -> str:
        return str(self)

    @property
    def language_label(self) -> str:
        """The language's name in the reader's language ("" when not known)."""
        names = dict(settings.LANGUAGES)
        return str(names[self.language]) if self.language in names else self.language


class ContactIdentity(models.Model):
    """One way a contact reaches the workspace: an email address, a phone number, a chat visitor
    id or a help center account. Messages from any identity land on the same contact."""

    class Kind(models.TextChoices):
        EMAIL = "email", _("Email")
        PHONE = "phone", _("Phone")
        CHAT = "chat", _("Chat visitor")
        ACCOUNT = "account", _("Help center account")

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="identities")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    #: Normalised: email lower-cased, phone in E.164-like digits, account = user id.
    value = models.CharField(_("value"), max_length=320)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("identity")
        verbose_name_plural = _("identities")
        constraints = [
            models.UniqueConstraint(fields=["kind", "value"], name="contact_identity_unique")
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.value}"


class ContactVisitor(models.Model):
    """A help center visitor id (cookie) seen for this contact: their searches and reads before
    contacting belong on their timeline."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="visitors")
    visitor_key = models.CharField(max_length=64)
    first_seen_at = models.DateTimeField(auto_now_add=True)
    last_seen_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["contact", "visitor_key"], name="contact_visitor_unique"
            )
        ]

    def __str__(self) -> str:
        return self.visitor_key


class ContactMerge(models.Model):
    """A merge of one contact into another, with what moved, so it can be undone."""

    source = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="+")
    target = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="+")
    moved = models.JSONField(default=dict)
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    undone_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.source_id} -> {self.target_id}"
