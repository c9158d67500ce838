"""The forms of the channel settings: adding a channel, the widget's allowed sites."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

from kefu.core.forms import EMPTY_CHOICE_LABEL, EmptyChoiceLabelMixin
from kefu.desk.models import WorkspaceSettings
from kefu.messaging.models import Channel

#: At most this many sites may show the widget (each is a frame-ancestors source).
MAX_WIDGET_ORIGINS = 20


class ChannelForm(EmptyChoiceLabelMixin, forms.ModelForm):
    class Meta:
        model = Channel
        fields = ["kind", "name", "address"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only kinds that really bring messages in are offered (the model keeps the others
        # for rows made before).
        self.fields["kind"].choices = [
            ("", EMPTY_CHOICE_LABEL),
            *((kind.value, kind.label) for kind in Channel.Kind if kind in Channel.WORKING_KINDS),
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        address = (data.get("address") or "").strip()
        if data.get("kind") == Channel.Kind.EMAIL:
            try:
                validate_email(address)
            except ValidationError:
                self.add_error("address", _("Enter the email address customers write to."))
        return data


def parse_origin(line: str) -> str:
    """``https://www.example.com`` (scheme, host and port only, lower case) from one line;
    raises ValidationError naming the line when it is not a site address."""
    text = line.strip().rstrip("/")
    try:
        parts = urlsplit(text)
        port = parts.port
    except ValueError:
        parts, port = None, None
    host = parts.hostname if parts else None
    if (
        parts is None
        or parts.scheme not in ("http", "https")
        or not host
        or parts.path
        or parts.query
        or parts.fragment
        or parts.username
        or any(char in host for char in "*;, '\"")
    ):
        raise ValidationError(
            _("“%(line)s” is not a site address like https://www.example.com."),
            params={"line": line.strip()[:100]},
        )
    return f"{parts.scheme}://{host}" + (f":{port}" if port else "")


class WidgetOriginsForm(EmptyChoiceLabelMixin, forms.ModelForm):
    class Meta:
        model = WorkspaceSettings
        fields = ["widget_allowed_origins"]
        widgets = {
            "widget_allowed_origins": forms.Textarea(
                attrs={"rows": 4, "placeholder": "https://www.example.com"}
            )
        }

    def clean_widget_allowed_origins(self) -> str:
        lines = self.cleaned_data["widget_allowed_origins"].splitlines()
        origins = list(dict.fromkeys(parse_origin(line) for line in lines if line.strip()))
        if len(origins) > MAX_WIDGET_ORIGINS:
            raise ValidationError(
                _("At most %(count)d sites."), params={"count": MAX_WIDGET_ORIGINS}
            )
        return "\n".join(origins)
