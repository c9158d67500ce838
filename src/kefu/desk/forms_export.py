"""The form that starts a workspace data export."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from kefu.desk.models import ExportJob


class ExportForm(forms.Form):
    parts = forms.MultipleChoiceField(
        label=_("What to export"),
        choices=ExportJob.Part.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=ExportJob.Part.values,
        error_messages={"required": _("Choose at least one thing to export.")},
    )
    file_format = forms.ChoiceField(
        label=_("Format"),
        choices=ExportJob.Format.choices,
        widget=forms.RadioSelect,
        initial=ExportJob.Format.CSV,
        error_messages={"required": _("Choose CSV or JSON.")},
    )
