"""The help center's ticket form: reading and validating what the customer sent, before anything
is held or created, so every error shows next to its field with the input kept."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kefu.accounts.models import User
from kefu.core import limits
from kefu.core.forms import EmptyChoiceLabelMixin
from kefu.core.limits import limited_text_field
from kefu.tickets.errors import FieldErrors
from kefu.tickets.models import TicketCategory, TicketField
from kefu.tickets.services.fields import attachment_problem, fields_clean, fields_for_category
from kefu.tickets.services.thread import MAX_ATTACHMENTS

ATTACHMENTS = "attachments"


class TicketForm(EmptyChoiceLabelMixin, forms.Form):
    subject = limited_text_field(label=gettext_lazy("Subject"), limit=limits.SUBJECT)
    description = limited_text_field(
        label=gettext_lazy("Describe your question"),
        limit=limits.DESCRIPTION,
        rows=6,
        error_messages={"required": gettext_lazy("Tell us what happened.")},
    )
    category = forms.ModelChoiceField(
        label=gettext_lazy("Category"),
        queryset=TicketCategory.objects.none(),
        required=False,
        empty_label=gettext_lazy("— Choose a category —"),
    )
    name = limited_text_field(label=gettext_lazy("Your name"), limit=limits.NAME, required=False)
    email = forms.EmailField(
        label=gettext_lazy("Your email address"),
        help_text=gettext_lazy("We send our answer here."),
    )

    def __init__(self, *args: Any, user: User | AnonymousUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = TicketCategory.objects.filter(is_active=True)
        if user.is_authenticated:
            del self.fields["name"]
            del self.fields["email"]


def input_name(ticket_field: TicketField) -> str:
    """Unique per category, so two categories may both ask e.g. ``order``."""
    return f"cf_{ticket_field.category_id or 0}_{ticket_field.key}"


@dataclass
class TicketSubmission:
    """One ticket form as sent: the standard form, custom field values and files, attachments."""

    form: TicketForm
    category: TicketCategory | None = None
    raw_fields: dict[str, Any] = field(default_factory=dict)
    field_values: dict[str, Any] = field(default_factory=dict)
    field_files: dict[str, UploadedFile] = field(default_factory=dict)
    field_errors: dict[str, list[str]] = field(default_factory=dict)
    attachments: list[UploadedFile] = field(default_factory=list)
    attachment_errors: list[str] = field(default_factory=list)

    @property
    def is_valid(self) -> bool:
        return not (self.form.errors or self.field_errors or self.attachment_errors)

    def data(self) -> dict[str, Any]:
        """What a held draft keeps (JSON): files are stored separately."""
        cleaned = self.form.cleaned_data
        return {
            "subject": cleaned["subject"].strip(),
            "description": cleaned["description"].strip(),
            "category_id": self.category.pk if self.category else None,
            "field_values": self.field_values,
            "name": cleaned.get("name", "").strip(),
            "email": cleaned.get("email", ""),
        }


def _raw_value(request: HttpRequest, ticket_field: TicketField) -> Any:
    name = input_name(ticket_field)
    if ticket_field.field_type == TicketField.Type.MULTI_CHOICE:
        return request.POST.getlist(name)
    return request.POST.get(name, "")


def _check_attachments(uploads: list[UploadedFile]) -> list[str]:
    if len(uploads) > MAX_ATTACHMENTS:
        return [_("Attach at most %(count)d files.") % {"count": MAX_ATTACHMENTS}]
    return [
        f"{upload.name}: {problem}" for upload in uploads if (problem := attachment_problem(upload))
    ]


def submission_parse(request: HttpRequest) -> TicketSubmission:
    """Validate a POSTed ticket form completely (standard fields, the category's custom fields,
    attachments) without saving anything."""
    form = TicketForm(request.POST, user=request.user)
    form.is_valid()
    submission = TicketSubmission(form=form)
    submission.category = (
        form.cleaned_data.get("category") if "category" in form.cleaned_data else None
    )
    data: dict[str, Any] = {}
    files: dict[str, UploadedFile] = {}
    for ticket_field in fields_for_category(submission.category):
        data[ticket_field.key] = _raw_value(request, ticket_field)
        upload = request.FILES.get(input_name(ticket_field))
        if ticket_field.field_type == TicketField.Type.FILE and upload is not None:
            files[ticket_field.key] = upload
    submission.raw_fields = data
    try:
        submission.field_values, submission.field_files = fields_clean(
            category=submission.category, data=data, files=files
        )
    except FieldErrors as errors:
        submission.field_errors = errors.errors
    submission.attachments = list(request.FILES.getlist(ATTACHMENTS))
    submission.attachment_errors = _check_attachments(submission.attachments)
    return submission


def field_groups(
    *,
    selected: TicketCategory | None,
    raw: dict[str, Any] | None = None,
    errors: dict[str, list[str]] | None = None,
) -> list[dict[str, Any]]:
    """Every custom field of the form, grouped: the ones asked on every ticket, then each active
    category's (the page shows the selected category's group; the script switches groups)."""
    raw, errors = raw or {}, errors or {}
    fields = TicketField.objects.filter(is_active=True).filter(
        category__isnull=True
    ) | TicketField.objects.filter(is_active=True, category__is_active=True)
    groups: dict[int | None, dict[str, Any]] = {}
    for ticket_field in fields.select_related("category").order_by(
        "category__position", "category_id", "position", "id"
    ):
        category = ticket_field.category
        group = groups.setdefault(
            ticket_field.category_id,
            {"category": category,
             "active": category is None or (selected is not None and category.pk == selected.pk),
             "fields": []},
        )  # fmt: skip
        in_scope = group["active"]
        value = raw.get(ticket_field.key, "") if in_scope else ""
        group["fields"].append(
            {
                "field": ticket_field,
                "name": input_name(ticket_field),
                "value": value if isinstance(value, str) else "",
                "values": value if isinstance(value, list) else [],
                "errors": errors.get(ticket_field.key, []) if in_scope else [],
            }
        )
    return sorted(groups.values(), key=lambda group: group["category"] is not None)
