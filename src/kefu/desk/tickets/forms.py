"""Forms of the ticket desk: validation at the edge, writes in the ticket services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kefu.accounts.models import User
from kefu.core.forms import EmptyChoiceLabelMixin
from kefu.core.parsing import id_or_none
from kefu.tickets.desk_selectors import staff_for_assignment
from kefu.tickets.models import CannedResponse, Ticket, TicketCategory, TicketField

#: The statuses an agent can "submit as" with a reply.
REPLY_STATUSES = (
    Ticket.Status.OPEN,
    Ticket.Status.PENDING,
    Ticket.Status.ON_HOLD,
    Ticket.Status.RESOLVED,
)


def _staff_label(user: User) -> str:
    return user.get_full_name() or user.email


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return _staff_label(obj)


class ReplyForm(EmptyChoiceLabelMixin, forms.Form):
    kind = forms.ChoiceField(
        label=_("Type"),
        choices=[("public", _("Public reply")), ("internal", _("Internal note"))],
        initial="public",
        widget=forms.RadioSelect,
    )
    body = forms.CharField(
        label=_("Message"), required=False, widget=forms.Textarea(attrs={"rows": 7})
    )
    new_status = forms.ChoiceField(
        label=_("Submit as"),
        required=False,
        choices=[("", _("Keep the status"))] + [(s.value, s.label) for s in REPLY_STATUSES],
    )
    canned_id = forms.IntegerField(required=False, widget=forms.HiddenInput)


class PropertiesForm(EmptyChoiceLabelMixin, forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Ticket.Status.choices)
    priority = forms.ChoiceField(label=_("Priority"), choices=Ticket.Priority.choices)
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=TicketCategory.objects.none(), required=False
    )
    assignee = StaffChoiceField(label=_("Assignee"), queryset=User.objects.none(), required=False)
    tags = forms.CharField(
        label=_("Tags"), required=False, help_text=_("Separate with commas."), max_length=1000
    )
    is_public = forms.BooleanField(label=_("Public"), required=False)

    def __init__(self, *args: Any, ticket: Ticket, can_assign: bool, **kwargs: Any) -> None:
        kwargs.setdefault(
            "initial",
            {
                "status": ticket.status,
                "priority": ticket.priority,
                "category": ticket.category_id,
                "assignee": ticket.assignee_id,
                "tags": ", ".join(ticket.tags),
                "is_public": ticket.is_public,
            },
        )
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = TicketCategory.objects.filter(
            Q(is_active=True) | Q(pk=ticket.category_id)
        )
        self.fields["category"].empty_label = _("No category")
        if can_assign:
            self.fields["assignee"].empty_label = _("Nobody (the queue)")
            self.fields["assignee"].queryset = staff_for_assignment()
        else:
            del self.fields["assignee"]

    def clean_tags(self) -> list[str]:
        return [tag for tag in self.cleaned_data["tags"].split(",") if tag.strip()]


class BulkForm(EmptyChoiceLabelMixin, forms.Form):
    """The list's bulk action: exactly one of the action fields is used."""

    ACTIONS = ("status", "priority", "assign", "tag")

    action = forms.ChoiceField(choices=[(action, action) for action in ACTIONS])
    ticket = forms.TypedMultipleChoiceField(coerce=int, choices=[])
    status = forms.ChoiceField(choices=Ticket.Status.choices, required=False)
    priority = forms.ChoiceField(choices=Ticket.Priority.choices, required=False)
    assignee = forms.CharField(required=False)  # a staff id, or "none"
    tag = forms.CharField(required=False, max_length=50)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        ids = self.data.getlist("ticket") if hasattr(self.data, "getlist") else []
        self.fields["ticket"].choices = [(pk, pk) for pk in ids if id_or_none(pk) is not None]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        action = data.get("action")
        if action in ("status", "priority") and not data.get(action):
            raise ValidationError(_("Choose a value."))
        if action == "tag" and not (data.get("tag") or "").strip():
            raise ValidationError(_("Write a tag."))
        if action == "assign":
            data["assignee_user"] = self._assignee(data.get("assignee") or "")
        return data

    @staticmethod
    def _assignee(value: str) -> User | None:
        if value == "none":
            return None
        user_id = id_or_none(value)
        user = staff_for_assignment().filter(pk=user_id).first() if user_id else None
        if user is None:
            raise ValidationError(_("Choose someone on the team."))
        return user


class SavedViewForm(EmptyChoiceLabelMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    shared = forms.BooleanField(label=_("Share with the team"), required=False)


class CannedResponseForm(EmptyChoiceLabelMixin, forms.ModelForm):
    class Meta:
        model = CannedResponse
        fields = ["title", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 8})}
        help_texts = {
            "body": _("Placeholders such as {{ customer.name }} are filled for each ticket; "
                      "the table beside the editor lists what each one gives.")
        }  # fmt: skip


class TicketFieldForm(EmptyChoiceLabelMixin, forms.ModelForm):
    choices_text = forms.CharField(
        label=_("Choices"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("One per line (for choice and multiple choice fields)."),
    )

    class Meta:
        model = TicketField
        fields = ["category", "label", "key", "field_type", "required", "help_text", "position"]
        help_texts = {"key": _("Letters, numbers, - and _; stored with each ticket.")}

    CHOICE_TYPES = (TicketField.Type.CHOICE, TicketField.Type.MULTI_CHOICE)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = TicketCategory.objects.filter(
            Q(is_active=True) | Q(pk=self.instance.category_id)
        )
        self.fields["category"].empty_label = _("All categories")
        if self.instance.pk:
            self.initial["choices_text"] = "\n".join(self.instance.choices)

    def clean_choices_text(self) -> list[str]:
        lines = [line.strip() for line in self.cleaned_data["choices_text"].splitlines()]
        choices = list(dict.fromkeys(line for line in lines if line))
        if any(len(choice) > 100 for choice in choices):
            raise ValidationError(_("Each choice is at most 100 characters."))
        if len(choices) > 200:
            raise ValidationError(_("At most 200 choices."))
        return choices

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        choices = data.get("choices_text") or []
        if data.get("field_type") in self.CHOICE_TYPES and not choices:
            self.add_error("choices_text", _("Give at least one choice, one per line."))
        key, category = data.get("key"), data.get("category")
        if key and self._key_taken(key, category):
            self.add_error("key", _("Another field on this form already uses this key."))
        return data

    def _key_taken(self, key: str, category: TicketCategory | None) -> bool:
        # Every-category fields appear on each category's form, so their keys clash with all.
        others = TicketField.objects.filter(key=key).exclude(pk=self.instance.pk)
        if category is None:
            return others.exists()
        return others.filter(Q(category=category) | Q(category__isnull=True)).exists()

    def validate_unique(self) -> None:
        # Key clashes are reported by clean() with a clearer message.
        pass

    def save(self, commit: bool = True) -> TicketField:
        field = super().save(commit=False)
        is_choice = field.field_type in self.CHOICE_TYPES
        field.choices = self.cleaned_data.get("choices_text", []) if is_choice else []
        if commit:
            field.save()
        return field
