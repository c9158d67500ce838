"""Forms of the desk's billing page."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class BillingCurrencyForm(forms.Form):
    currency = forms.ChoiceField(label=_("Currency for prices and invoices"), choices=())

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        # Read per form: settings may differ between deployments (and in tests).
        self.fields["currency"].choices = [
            (code, code) for code in settings.KEFU_BILLING_CURRENCIES
        ]
