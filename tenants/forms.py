"""Root-domain forms: signup and the operator's delete confirmation."""

from __future__ import annotations

from django import forms
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from billing.models import Plan
from kefu.accounts.models import User
from kefu.accounts.services import split_full_name
from tenants.services import SlugUnavailableError, validate_slug


class SignupForm(forms.Form):
    company_name = forms.CharField(label=_("Company name"), max_length=200)
    subdomain = forms.CharField(
        label=_("Subdomain"),
        min_length=3,
        max_length=40,
        help_text=_("Lowercase letters, digits and hyphens, 3-40 characters."),
        widget=forms.TextInput(
            attrs={"autocapitalize": "none", "autocomplete": "off", "spellcheck": "false"}
        ),
    )
    full_name = forms.CharField(label=_("Your name"), max_length=150)
    email = forms.EmailField(label=_("Work email"))
    password = forms.CharField(
        label=_("Password"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    #: The plan picked on the pricing page (``/signup/?plan=team``), carried through the POST.
    plan = forms.CharField(required=False, widget=forms.HiddenInput)

    @property
    def plan_chosen(self) -> Plan | None:
        """The offered plan this signup asks for; None means the default plan."""
        code = self.data.get("plan") if self.is_bound else self.initial.get("plan")
        if not code:
            return None
        return Plan.objects.filter(code=str(code).strip(), is_active=True).first()

    def clean_plan(self) -> Plan | None:
        # An unknown or withdrawn plan is not the signup's fault: the default plan is used.
        return self.plan_chosen

    def clean_subdomain(self) -> str:
        subdomain = self.cleaned_data["subdomain"].strip().lower()
        try:
            validate_slug(subdomain)
        except SlugUnavailableError as error:
            raise ValidationError(str(error)) from None
        return subdomain

    def clean(self) -> dict:
        cleaned = super().clean()
        password = cleaned.get("password")
        if password:
            first_name, last_name = split_full_name(cleaned.get("full_name", ""))
            candidate = User(
                email=cleaned.get("email", ""),
                username=cleaned.get("email", ""),
                first_name=first_name,
                last_name=last_name,
            )
            try:
                validate_password(password, user=candidate)
            except ValidationError as error:
                self.add_error("password", error)
        return cleaned


class WorkspaceSigninForm(forms.Form):
    subdomain = forms.CharField(
        label=_("Your workspace's subdomain"),
        max_length=40,
        help_text=_("The first part of your help center's address: acme for acme.%(root)s."),
        widget=forms.TextInput(
            attrs={"autocapitalize": "none", "autocomplete": "off", "spellcheck": "false"}
        ),
    )

    def clean_subdomain(self) -> str:
        return self.cleaned_data["subdomain"].strip().lower().split(".", 1)[0]


class FindWorkspaceForm(forms.Form):
    email = forms.EmailField(label=_("Your email address"), max_length=254)


class SuspendTenantForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kept in the audit log, and shown to the workspace's owner and admins."),
        error_messages={"required": _("Say why the workspace is suspended.")},
    )
    about_billing = forms.BooleanField(
        label=_("About billing: the owner can settle it on the billing page"),
        required=False,
    )


class TenantPlanForm(forms.Form):
    plan = forms.ModelChoiceField(
        label=_("Plan"), queryset=Plan.objects.all(), to_field_name="code", empty_label=None
    )
    reason = forms.CharField(label=_("Reason"), max_length=500, required=False)


class DeleteTenantForm(forms.Form):
    confirm_slug = forms.CharField(label=_("Type the subdomain to confirm"), max_length=40)

    def __init__(self, *args, slug: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.slug = slug

    def clean_confirm_slug(self) -> str:
        value = self.cleaned_data["confirm_slug"].strip()
        if value != self.slug:
            raise ValidationError(_("That is not this workspace's subdomain."))
        return value
