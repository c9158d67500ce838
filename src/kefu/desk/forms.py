"""Desk forms: validation at the edge, writes in services."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from kefu.accounts.models import User
from kefu.core.forms import EmptyChoiceLabelMixin
from kefu.desk.models import WorkspaceSettings
from kefu.kb.models import Article, ArticleImport, Category, Language
from kefu.tickets.models import TicketCategory

MAX_LOGO_BYTES = 1024 * 1024
LOGO_FORMATS = {"PNG": "png", "JPEG": "jpg", "GIF": "gif", "WEBP": "webp"}


class BrandForm(EmptyChoiceLabelMixin, forms.ModelForm):
    name = forms.CharField(label=_("Company name"), max_length=200)

    class Meta:
        model = WorkspaceSettings
        fields = ["brand_color", "logo", "customer_signup", "require_staff_mfa"]
        widgets = {"brand_color": forms.TextInput(attrs={"type": "color"})}

    def clean_logo(self):
        logo = self.cleaned_data.get("logo")
        if not logo or not hasattr(logo, "content_type"):
            return logo  # unchanged or cleared
        if logo.size > MAX_LOGO_BYTES:
            raise ValidationError(_("The logo must be at most 1 MB."))
        from PIL import Image, UnidentifiedImageError

        try:
            with Image.open(logo) as image:
                image_format = image.format
                image.verify()
        except (UnidentifiedImageError, OSError, SyntaxError):
            raise ValidationError(_("Upload a PNG, JPEG, GIF or WebP image.")) from None
        if image_format not in LOGO_FORMATS:
            raise ValidationError(_("Upload a PNG, JPEG, GIF or WebP image."))
        logo.seek(0)
        logo.name = f"logo.{LOGO_FORMATS[image_format]}"
        return logo


class SupportEmailForm(EmptyChoiceLabelMixin, forms.ModelForm):
    class Meta:
        model = WorkspaceSettings
        fields = ["support_email", "default_language"]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Left out of a post (an older form, a script): the language stays as it is.
        self.fields["default_language"].required = False

    def clean_default_language(self) -> str:
        return self.cleaned_data.get("default_language") or self.instance.default_language


class TicketCategoryForm(EmptyChoiceLabelMixin, forms.ModelForm):
    class Meta:
        model = TicketCategory
        fields = ["name", "description"]

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if TicketCategory.objects.filter(name__iexact=name).exists():
            raise ValidationError(_("There is already a category with this name."))
        return name


class InvitationForm(EmptyChoiceLabelMixin, forms.Form):
    email = forms.EmailField(label=_("Email address"))
    role = forms.ChoiceField(
        label=_("Role"),
        choices=[
            (User.Role.AGENT, User.Role.AGENT.label),
            (User.Role.ADMIN, User.Role.ADMIN.label),
        ],
        initial=User.Role.AGENT,
    )


IMPORT_MAX_BYTES = 20 * 1024 * 1024


class ArticleImportForm(EmptyChoiceLabelMixin, forms.ModelForm):
    class Meta:
        model = ArticleImport
        fields = ["file", "publish", "default_language"]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > IMPORT_MAX_BYTES:
            raise ValidationError(_("The file must be at most 20 MB."))
        extension = upload.name.rsplit(".", 1)[-1].lower()
        formats = {"csv": "csv", "jsonl": "jsonl", "ndjson": "jsonl", "json": "jsonl", "zip": "zip"}
        if extension not in formats:
            raise ValidationError(_("Upload a .csv, .jsonl or .zip (of Markdown files) file."))
        self.instance.file_format = formats[extension]
        return upload


GUIDED_EXAMPLE = """? Which device are you using?
  - iPhone
    ! Update the app from the App Store, then sign in again.
  - Android
    ! Clear the app's cache in Settings, then sign in again."""


class GuidedAnswerForm(EmptyChoiceLabelMixin, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    outline = forms.CharField(
        label=_("Decision tree"),
        widget=forms.Textarea(attrs={"rows": 14, "spellcheck": "false", "class": "monospace"}),
        initial=GUIDED_EXAMPLE,
        help_text=_(
            "? asks a question, - is an option (indented under its question), ! is an answer "
            "(indented under its option)."
        ),
    )
    language = forms.ChoiceField(label=_("Language"), choices=Language.choices)
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.all(), required=False
    )
    status = forms.ChoiceField(label=_("Status"), choices=Article.Status.choices)


class ArticleForm(EmptyChoiceLabelMixin, forms.ModelForm):
    tags = forms.CharField(label=_("Tags"), required=False, help_text=_("Separate with commas."))

    class Meta:
        model = Article
        fields = ["title", "summary", "body", "language", "category", "status"]
        widgets = {"body": forms.Textarea(attrs={"rows": 16, "class": "monospace"})}
        # The model field has no translated name of its own (a label, not a migration).
        labels = {"category": _("Category")}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["tags"] = ", ".join(self.instance.tags or [])


class KnowledgeBaseSettingsForm(EmptyChoiceLabelMixin, forms.ModelForm):
    custom_words = forms.CharField(
        label=_("Custom dictionary"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "One word per line: product names and terms that Chinese search must keep whole."
        ),
    )

    class Meta:
        model = WorkspaceSettings
        fields = ["popularity_half_life_days", "stale_after_days"]

    def clean_custom_words(self) -> list[str]:
        words = [line.strip() for line in self.cleaned_data["custom_words"].splitlines()]
        words = [word for word in words if word]
        too_long = [word for word in words if len(word) > 50]
        if too_long:
            raise ValidationError(
                _("Words are at most 50 characters: %(word)s") % {"word": too_long[0]}
            )
        if len(words) > 2000:
            raise ValidationError(_("At most 2,000 words."))
        return words
