"""What admins set up: categories and their form fields, skill groups and agents' skills, SLA
policies and the business calendar they are measured in."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class SkillGroup(models.Model):
    """A queue of work that needs one skill (e.g. "Billing", "Technical, tier 2"). Categories route
    their tickets to a group; agents who belong to it can take them."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    description = models.CharField(_("description"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("skill group")
        verbose_name_plural = _("skill groups")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class TicketCategory(models.Model):
    name = models.CharField(_("name"), max_length=100)
    description = models.CharField(_("description"), max_length=300, blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    skill_group = models.ForeignKey(
        SkillGroup,
        verbose_name=_("skill group"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="categories",
        help_text=_("Tickets in this category go to agents of this group."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("ticket category")
        verbose_name_plural = _("ticket categories")
        ordering = ["position", "name"]
        constraints = [models.UniqueConstraint(fields=["name"], name="ticket_category_unique_name")]

    def __str__(self) -> str:
        return self.name


class TicketField(models.Model):
    """A custom field on the ticket form of one category (or of every category when none)."""

    class Type(models.TextChoices):
        TEXT = "text", _("Text")
        LONG_TEXT = "long_text", _("Long text")
        NUMBER = "number", _("Number")
        DATE = "date", _("Date")
        CHOICE = "choice", _("Choice")
        MULTI_CHOICE = "multi_choice", _("Multiple choice")
        FILE = "file", _("File")

    category = models.ForeignKey(
        TicketCategory,
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="fields",
        help_text=_("Leave empty to ask it on every ticket."),
    )
    key = models.SlugField(_("key"), max_length=50)
    label = models.CharField(_("label"), max_length=150)
    help_text = models.CharField(_("help text"), max_length=300, blank=True)
    field_type = models.CharField(_("type"), max_length=20, choices=Type.choices)
    required = models.BooleanField(_("required"), default=False)
    choices = ArrayField(
        models.CharField(max_length=100), verbose_name=_("choices"), default=list, blank=True
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("ticket field")
        verbose_name_plural = _("ticket fields")
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["category", "key"], name="ticket_field_unique_key"),
            models.UniqueConstraint(
                fields=["key"],
                condition=models.Q(category__isnull=True),
                name="ticket_field_unique_global_key",
            ),
        ]

    def __str__(self) -> str:
        return self.label


class AgentProfile(models.Model):
    """How the router sees a staff member: skills, capacity and availability."""

    class Availability(models.TextChoices):
        #: Online while they are signed in and using the desk (the default): a small team gets
        #: tickets without anybody remembering to switch themselves on.
        AUTO = "auto", _("Online while at the desk")
        ONLINE = "online", _("Online")
        AWAY = "away", _("Away")
        OFFLINE = "offline", _("Offline")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="agent_profile"
    )
    skill_groups = models.ManyToManyField(
        SkillGroup, verbose_name=_("skill groups"), blank=True, related_name="agents"
    )
    languages = ArrayField(
        models.CharField(max_length=10),
        verbose_name=_("languages"),
        default=list,
        blank=True,
        help_text=_("Empty: any language."),
    )
    tiers = ArrayField(
        models.CharField(max_length=20),
        verbose_name=_("customer tiers"),
        default=list,
        blank=True,
        help_text=_("Empty: any tier."),
    )
    max_open_tickets = models.PositiveIntegerField(
        _("capacity (open tickets)"),
        default=25,
        validators=[MinValueValidator(1), MaxValueValidator(1000)],
    )
    availability = models.CharField(
        _("availability"),
        max_length=10,
        choices=Availability.choices,
        default=Availability.AUTO,
        db_index=True,
    )
    #: The last desk page they opened (written at most once a minute); None once signed out.
    last_seen_at = models.DateTimeField(null=True, blank=True)
    last_assigned_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("agent profile")
        verbose_name_plural = _("agent profiles")

    def __str__(self) -> str:
        return str(self.user)


def default_working_hours() -> dict[str, list[list[str]]]:
    """Monday (0) to Friday, 09:00 to 18:00."""
    return {str(day): [["09:00", "18:00"]] for day in range(5)}


class BusinessCalendar(models.Model):
    """The workspace's working hours (one row). SLA clocks only run inside them."""

    timezone = models.CharField(_("time zone"), max_length=64, default="Asia/Shanghai")
    working_hours = models.JSONField(
        _("working hours"),
        default=default_working_hours,
        help_text=_("Per weekday (0 = Monday): a list of [start, end] times."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("business calendar")
        verbose_name_plural = _("business calendars")

    def __str__(self) -> str:
        return self.timezone


class Holiday(models.Model):
    date = models.DateField(_("date"), unique=True)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


class SlaPolicy(models.Model):
    """Targets for tickets that match (category, customer tier, tried self-service). The most
    specific active policy wins; ``position`` breaks ties."""

    class Escalation(models.TextChoices):
        NONE = "none", _("Notify only")
        RAISE_PRIORITY = "raise_priority", _("Raise priority")
        REASSIGN = "reassign", _("Reassign to another agent")

    name = models.CharField(_("name"), max_length=100)
    category = models.ForeignKey(
        TicketCategory,
        verbose_name=_("category"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="sla_policies",
        help_text=_("Empty: every category."),
    )
    customer_tier = models.CharField(
        _("customer tier"),
        max_length=20,
        blank=True,
        help_text=_("Empty: every tier."),
    )
    tried_self_service_only = models.BooleanField(
        _("only customers who tried self-service"),
        default=False,
        help_text=_("Reward customers who read an article before asking with this policy."),
    )
    first_response_minutes = models.PositiveIntegerField(
        _("first response within (business minutes)"), default=240
    )
    resolution_minutes = models.PositiveIntegerField(
        _("resolution within (business minutes)"), default=2400
    )
    business_hours_only = models.BooleanField(_("count business hours only"), default=True)
    at_risk_percent = models.PositiveIntegerField(
        # xgettext:no-python-format
        _("at risk after (% of the time used)"),
        default=75,
        validators=[MinValueValidator(1), MaxValueValidator(99)],
    )
    escalation = models.CharField(
        _("on breach"), max_length=20, choices=Escalation.choices, default=Escalation.NONE
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def first_response_target(self) -> str:
        """e.g. "4 hours": the target in its largest whole unit, for reading."""
        from kefu.core.durations import format_duration_words

        return format_duration_words(self.first_response_minutes)

    @property
    def resolution_target(self) -> str:
        from kefu.core.durations import format_duration_words

        return format_duration_words(self.resolution_minutes)
