"""The form for adding a channel (desk settings)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

from kefu.messaging.models import Channel


class ChannelForm(forms.ModelForm):
    class Meta:
        model = Channel
        fields = ["kind", "name", "address"]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        address = (data.get("address") or "").strip()
        if data.get("kind") == Channel.Kind.EMAIL:
            try:
                validate_email(address)
            except ValidationError:
                self.add_error("address", _("Enter the email address customers write to."))
        return data
