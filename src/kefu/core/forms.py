"""Form helpers shared by the desk and the help center."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy

#: What an empty select says instead of Django's untranslated "---------".
EMPTY_CHOICE_LABEL = gettext_lazy("— choose —")
_DJANGO_EMPTY = "---------"


def empty_choice_labels(form: forms.BaseForm) -> None:
    """Give every single-choice select of ``form`` the translated empty label."""
    for field in form.fields.values():
        if isinstance(field, forms.ModelMultipleChoiceField | forms.MultipleChoiceField):
            continue
        if isinstance(field, forms.ModelChoiceField):
            if field.empty_label == _DJANGO_EMPTY:
                field.empty_label = EMPTY_CHOICE_LABEL
        elif isinstance(field, forms.ChoiceField):
            choices = list(field.choices)
            if any(label == _DJANGO_EMPTY for _value, label in choices):
                field.choices = [
                    (value, EMPTY_CHOICE_LABEL if label == _DJANGO_EMPTY else label)
                    for value, label in choices
                ]


class EmptyChoiceLabelMixin:
    """First base of a desk or help-center form: selects offer "— choose —", translated."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        empty_choice_labels(self)  # type: ignore[arg-type]
