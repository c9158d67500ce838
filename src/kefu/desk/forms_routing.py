"""Forms of the routing and SLA settings pages: validation at the edge, writes in services."""

from __future__ import annotations

import re
from itertools import pairwise

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from kefu.contacts.models import Contact
from kefu.core.durations import (
    MAX_LENGTH,
    DurationError,
    format_duration,
    parse_duration_minutes,
)
from kefu.core.forms import EmptyChoiceLabelMixin
from kefu.desk.models import WorkspaceSettings
from kefu.kb.models import Language
from kefu.tickets.calendar import validate_timezone
from kefu.tickets.models import (
    AgentProfile,
    BusinessCalendar,
    Holiday,
    SkillGroup,
    SlaPolicy,
    TicketCategory,
)

WEEKDAYS = [
    ("0", _("Monday")),
    ("1", _("Tuesday")),
    ("2", _("Wednesday")),
    ("3", _("Thursday")),
    ("4", _("Friday")),
    ("5", _("Saturday")),
    ("6", _("Sunday")),
]
_INTERVAL_RE = re.compile(r"^(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})$")


class SkillGroupForm(EmptyChoiceLabelMixin, forms.ModelForm):
    class Meta:
        model = SkillGroup
        fields = ["name", "description"]
        help_texts = {
            "name": _(
                "A ticket category can send its tickets to a skill group (Ticket categories); "
                "routing then gives those tickets only to the group's members."
            )
        }

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        others = SkillGroup.objects.filter(name__iexact=name).exclude(pk=self.instance.pk)
        if others.exists():
            raise ValidationError(_("There is already a skill group with this name."))
        return name


class AgentSkillsForm(EmptyChoiceLabelMixin, forms.Form):
    skill_groups = forms.ModelMultipleChoiceField(
        label=_("Skill groups"),
        queryset=SkillGroup.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Tickets of a skill group go only to its members. None ticked: this person gets "
            "only tickets that have no skill group."
        ),
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages"),
        choices=Language.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Routing gives this person only tickets in these languages. None: any language."
        ),
    )
    tiers = forms.MultipleChoiceField(
        label=_("Customer tiers"),
        choices=Contact.Tier.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Routing gives this person only tickets from customers of these tiers. None: any tier."
        ),
    )
    max_open_tickets = forms.IntegerField(
        label=_("Capacity (open tickets)"),
        min_value=1,
        max_value=1000,
        help_text=_(
            "Routing stops giving this person tickets while they have this many new, open or "
            "on-hold tickets; new ones wait in the queue (pending tickets do not count)."
        ),
    )
    availability = forms.ChoiceField(
        label=_("Availability"),
        choices=AgentProfile.Availability.choices,
        help_text=_(
            "Online while at the desk: gets tickets while signed in and using the desk (until "
            "15 minutes after their last page). Online: always gets tickets. Away or Offline: "
            "gets no new tickets; the ones they have stay theirs."
        ),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["skill_groups"].queryset = SkillGroup.objects.all()

    @classmethod
    def for_profile(cls, profile: AgentProfile, data: object = None) -> AgentSkillsForm:
        initial = {
            "skill_groups": list(profile.skill_groups.all()),
            "languages": profile.languages,
            "tiers": profile.tiers,
            "max_open_tickets": profile.max_open_tickets,
            "availability": profile.availability,
        }
        return cls(data, initial=initial, auto_id=f"agent{profile.user_id}_%s")


class QueueSettingsForm(EmptyChoiceLabelMixin, forms.ModelForm):
    class Meta:
        model = WorkspaceSettings
        fields = ["agents_pick_from_queue"]


def parse_intervals(text: str) -> list[list[str]]:
    """``"09:00-12:00, 13:00-18:00"`` -> [["09:00", "12:00"], ["13:00", "18:00"]].
    Raises ValidationError with a message that names the bad part."""
    intervals: list[list[str]] = []
    for part in (piece.strip() for piece in text.replace("，", ",").split(",")):
        if not part:
            continue
        match = _INTERVAL_RE.match(part)
        if not match:
            raise ValidationError(
                _("Write times like 09:00-18:00 (several separated by commas): %(part)s"),
                params={"part": part},
            )
        start_h, start_m, end_h, end_m = (int(group) for group in match.groups())
        if start_h > 23 or end_h > 24 or start_m > 59 or end_m > 59 or (end_h == 24 and end_m):
            raise ValidationError(_("Not a time of day: %(part)s"), params={"part": part})
        if (end_h, end_m) <= (start_h, start_m):
            raise ValidationError(
                _("The end must be after the start: %(part)s"), params={"part": part}
            )
        intervals.append([f"{start_h:02d}:{start_m:02d}", f"{end_h:02d}:{end_m:02d}"])
    intervals.sort()
    for previous, current in pairwise(intervals):
        if current[0] < previous[1]:
            raise ValidationError(
                _("Working hours overlap: %(first)s and %(second)s"),
                params={"first": "-".join(previous), "second": "-".join(current)},
            )
    return intervals


class BusinessCalendarForm(EmptyChoiceLabelMixin, forms.Form):
    timezone = forms.CharField(
        label=_("Time zone"),
        max_length=64,
        help_text=_("An IANA name, e.g. Asia/Shanghai or Europe/Berlin."),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for key, label in WEEKDAYS:
            self.fields[f"day_{key}"] = forms.CharField(
                label=label,
                required=False,
                max_length=200,
                help_text=_("e.g. 09:00-12:00, 13:00-18:00; empty: closed") if key == "0" else "",
            )

    @classmethod
    def for_calendar(cls, calendar: BusinessCalendar, data: object = None) -> BusinessCalendarForm:
        initial = {"timezone": calendar.timezone}
        for key, _label in WEEKDAYS:
            intervals = calendar.working_hours.get(key, [])
            initial[f"day_{key}"] = ", ".join(f"{start}-{end}" for start, end in intervals)
        return cls(data, initial=initial)

    def clean_timezone(self) -> str:
        name = self.cleaned_data["timezone"].strip()
        try:
            return validate_timezone(name)
        except ValueError:
            raise ValidationError(
                _("Unknown time zone %(name)s. Use a name like Asia/Shanghai or Europe/Berlin."),
                params={"name": name},
            ) from None

    def clean(self) -> dict:
        cleaned = super().clean()
        hours = {}
        for key, _label in WEEKDAYS:
            try:
                intervals = parse_intervals(cleaned.get(f"day_{key}", "") or "")
            except ValidationError as error:
                self.add_error(f"day_{key}", error)
                continue
            if intervals:
                hours[key] = intervals
        cleaned["working_hours"] = hours
        return cleaned


class HolidayForm(EmptyChoiceLabelMixin, forms.ModelForm):
    class Meta:
        model = Holiday
        fields = ["date", "name"]
        widgets = {"date": forms.DateInput(attrs={"type": "date"})}
        error_messages = {
            "date": {"unique": _("There is already a holiday on this date.")},
        }


#: The longest SLA target: a year.
MAX_TARGET_MINUTES = 365 * 24 * 60


class DurationField(forms.Field):
    """Minutes, typed as "90m", "4h", "2d" or "1d 4h" (or 小时/天/分钟); shown back in the
    largest whole unit."""

    widget = forms.TextInput

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.widget.attrs.update({"autocomplete": "off", "size": 10, "maxlength": MAX_LENGTH})

    def prepare_value(self, value: object) -> object:
        if isinstance(value, int) and not isinstance(value, bool):
            return format_duration(value)
        return value

    def to_python(self, value: object) -> int | None:
        text = "" if value in self.empty_values else str(value).strip()
        if not text:
            return None
        try:
            return parse_duration_minutes(text, maximum=MAX_TARGET_MINUTES)
        except DurationError as error:
            raise ValidationError(str(error), code="invalid") from None


_DURATION_HELP = _(
    "A number and a unit: 90m, 4h, 2d or 1d 4h (a day is 24 hours; when business hours are "
    "counted only, only the minutes inside business hours count)."
)


class SlaPolicyForm(EmptyChoiceLabelMixin, forms.ModelForm):
    customer_tier = forms.ChoiceField(
        label=_("Customer tier"),
        choices=[("", _("Every tier")), *Contact.Tier.choices],
        required=False,
    )
    first_response_minutes = DurationField(
        label=_("First response within"), help_text=_DURATION_HELP
    )
    resolution_minutes = DurationField(label=_("Resolution within"), help_text=_DURATION_HELP)

    class Meta:
        model = SlaPolicy
        fields = [
            "name",
            "category",
            "customer_tier",
            "tried_self_service_only",
            "first_response_minutes",
            "resolution_minutes",
            "business_hours_only",
            "at_risk_percent",
            "escalation",
            "position",
            "is_active",
        ]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = TicketCategory.objects.filter(is_active=True)
        self.fields["category"].empty_label = _("Every category")

    def clean(self) -> dict:
        cleaned = super().clean()
        first = cleaned.get("first_response_minutes")
        resolution = cleaned.get("resolution_minutes")
        if first is not None and first < 1:
            self.add_error("first_response_minutes", _("Give at least one minute."))
        if first and resolution is not None and resolution < first:
            self.add_error(
                "resolution_minutes",
                _("The resolution target cannot be shorter than the first response target."),
            )
        return cleaned
